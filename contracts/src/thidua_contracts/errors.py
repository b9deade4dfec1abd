"""Error codes of command and query rejections, each with a Vietnamese and an English message."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    MALFORMED = "malformed"
    INVALID_FIELD = "invalid_field"
    NOT_NFC = "not_nfc"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNKNOWN_COMMAND = "unknown_command"
    FORBIDDEN = "forbidden"
    UNKNOWN_MOVEMENT = "unknown_movement"
    MOVEMENT_EXISTS = "movement_exists"
    UNKNOWN_UNIT = "unknown_unit"
    UNKNOWN_PERSON = "unknown_person"
    PERSON_NOT_IN_UNIT = "person_not_in_unit"
    UNKNOWN_TARGET = "unknown_target"
    UNKNOWN_CRITERION = "unknown_criterion"
    UNKNOWN_AWARD_FORM = "unknown_award_form"
    DUPLICATE_REGISTRATION = "duplicate_registration"
    NOT_REGISTERED = "not_registered"
    ROUND_NOT_OPEN = "round_not_open"
    ROUND_CLOSED = "round_closed"
    NOTHING_TO_WITHDRAW = "nothing_to_withdraw"
    HASH_MISMATCH = "hash_mismatch"
    ROWS_INVALID = "rows_invalid"
    WRONG_VERSION = "wrong_version"
    ALREADY_PUBLISHED = "already_published"
    UNKNOWN_BLOCK = "unknown_block"
    ROUND_ALREADY_OPEN = "round_already_open"
    ALREADY_REVOKED = "already_revoked"
    COVENANT_INCOMPLETE = "covenant_incomplete"
    VALUE_OUT_OF_RANGE = "value_out_of_range"
    DUPLICATE_PROPOSAL = "duplicate_proposal"
    UNKNOWN_PROPOSAL = "unknown_proposal"
    WRONG_STATE = "wrong_state"
    INCONSISTENT_TALLY = "inconsistent_tally"
    DECISION_NUMBER_TAKEN = "decision_number_taken"
    UNKNOWN_AWARD = "unknown_award"
    CONFLICT = "conflict"
    UNAVAILABLE = "unavailable"
    INVALID_CHARACTER = "invalid_character"
    COMMAND_ID_REUSED = "command_id_reused"


MESSAGES: dict[ErrorCode, tuple[str, str]] = {
    ErrorCode.MALFORMED: ("Lệnh không phải JSON hợp lệ.", "The command is not valid JSON."),
    ErrorCode.INVALID_FIELD: ("Giá trị của trường không hợp lệ.", "The field's value is invalid."),
    ErrorCode.NOT_NFC: (
        "Văn bản phải ở dạng chuẩn Unicode NFC.",
        "Text must be in Unicode normal form NFC.",
    ),
    ErrorCode.PAYLOAD_TOO_LARGE: (
        "Lệnh vượt quá kích thước cho phép.",
        "The command is too large.",
    ),
    ErrorCode.UNKNOWN_COMMAND: ("Không có lệnh này.", "There is no such command."),
    ErrorCode.FORBIDDEN: (
        "Người thực hiện không có thẩm quyền với lệnh này.",
        "The actor is not allowed to issue this command.",
    ),
    ErrorCode.UNKNOWN_MOVEMENT: ("Không có phong trào thi đua này.", "No such movement."),
    ErrorCode.MOVEMENT_EXISTS: (
        "Phong trào thi đua đã được xác lập.",
        "The movement is already defined.",
    ),
    ErrorCode.UNKNOWN_UNIT: (
        "Đơn vị không tham gia phong trào thi đua.",
        "The unit does not take part in the movement.",
    ),
    ErrorCode.UNKNOWN_PERSON: ("Không có cá nhân này.", "No such person."),
    ErrorCode.PERSON_NOT_IN_UNIT: (
        "Cá nhân không thuộc đơn vị đề nghị.",
        "The person does not belong to the proposing unit.",
    ),
    ErrorCode.UNKNOWN_TARGET: ("Không có chỉ tiêu này.", "No such target."),
    ErrorCode.UNKNOWN_CRITERION: ("Không có tiêu chí chấm điểm này.", "No such scoring criterion."),
    ErrorCode.UNKNOWN_AWARD_FORM: (
        "Hình thức khen thưởng không có trong phong trào.",
        "The award form is not part of the movement.",
    ),
    ErrorCode.DUPLICATE_REGISTRATION: (
        "Đơn vị đã đăng ký thi đua.",
        "The unit has already registered.",
    ),
    ErrorCode.NOT_REGISTERED: (
        "Đơn vị chưa đăng ký thi đua.",
        "The unit has not registered for the movement.",
    ),
    ErrorCode.ROUND_NOT_OPEN: ("Đợt báo cáo chưa mở hoặc đã đóng.", "The round is not open."),
    ErrorCode.ROUND_CLOSED: (
        "Đã quá hạn của đợt báo cáo: không thể sửa báo cáo đã nộp.",
        "The round's deadline has passed: a submitted report can no longer be amended.",
    ),
    ErrorCode.NOTHING_TO_WITHDRAW: (
        "Không có báo cáo nào để rút lại.",
        "There is no report to withdraw.",
    ),
    ErrorCode.HASH_MISMATCH: (
        "Mã băm SHA-256 không khớp với nội dung tệp.",
        "The SHA-256 does not match the file's content.",
    ),
    ErrorCode.ROWS_INVALID: (
        "Có dòng dữ liệu không hợp lệ: không dòng nào được nhập.",
        "Some rows are invalid: nothing was imported.",
    ),
    ErrorCode.WRONG_VERSION: (
        "Phiên bản sửa đổi phải liền sau phiên bản hiện hành.",
        "An amendment must be the version right after the current one.",
    ),
    ErrorCode.ALREADY_PUBLISHED: (
        "Kế hoạch đã được ban hành.",
        "The plan has already been issued.",
    ),
    ErrorCode.ROUND_ALREADY_OPEN: (
        "Đợt báo cáo đã được mở (hoặc đã đóng).",
        "The round is already open (or closed).",
    ),
    ErrorCode.ALREADY_REVOKED: ("Khen thưởng đã bị hủy bỏ.", "The award is already revoked."),
    ErrorCode.UNKNOWN_BLOCK: ("Không có khối thi đua này.", "No such emulation block."),
    ErrorCode.COVENANT_INCOMPLETE: (
        "Giao ước phải có đủ các đơn vị thành viên của khối ký.",
        "Every member unit of the block must sign the covenant.",
    ),
    ErrorCode.VALUE_OUT_OF_RANGE: ("Giá trị nằm ngoài giới hạn.", "The value is out of range."),
    ErrorCode.DUPLICATE_PROPOSAL: ("Đề nghị đã tồn tại.", "The proposal already exists."),
    ErrorCode.UNKNOWN_PROPOSAL: ("Không có đề nghị khen thưởng này.", "No such award proposal."),
    ErrorCode.WRONG_STATE: (
        "Hồ sơ không ở bước cho phép thao tác này.",
        "The nomination is not at a step that allows this.",
    ),
    ErrorCode.INCONSISTENT_TALLY: (
        "Số phiếu không khớp nhau.",
        "The ballot counts are inconsistent.",
    ),
    ErrorCode.DECISION_NUMBER_TAKEN: (
        "Số quyết định đã được sử dụng trong năm.",
        "The decision number is already used this year.",
    ),
    ErrorCode.UNKNOWN_AWARD: ("Không có khen thưởng này.", "No such award."),
    ErrorCode.CONFLICT: (
        "Dữ liệu vừa được người khác thay đổi; hãy thử lại.",
        "Someone else changed this just now; try again.",
    ),
    ErrorCode.UNAVAILABLE: ("Dịch vụ tạm thời không sẵn sàng.", "The service is unavailable."),
    ErrorCode.INVALID_CHARACTER: (
        "Văn bản chứa ký tự điều khiển hoặc ký tự không in được.",
        "The text holds a control character or one that cannot be printed.",
    ),
    ErrorCode.COMMAND_ID_REUSED: (
        "Mã lệnh này đã được dùng cho một lệnh có nội dung khác; hãy tạo mã lệnh mới.",
        "This command id was already used for a command with other content; make a new id.",
    ),
}


def messages(code: ErrorCode) -> tuple[str, str]:
    return MESSAGES[code]


class Rejected(Exception):  # noqa: N818 — reads as the outcome: "raise Rejected(...)"
    """Raised by deciders: the command cannot be accepted and nothing is appended."""

    def __init__(
        self,
        code: ErrorCode,
        field: str | None = None,
        detail: str | None = None,
        details: list[Rejected] | None = None,
    ):
        super().__init__(f"{code.value}: {field or '-'}: {detail or ''}")
        self.code = code
        self.field = field
        self.detail = detail
        # One entry per bad row of a bulk command, so a clerk can fix them all at once.
        self.details = details or []
