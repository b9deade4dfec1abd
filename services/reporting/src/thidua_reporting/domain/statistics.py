"""The official statistics of emulation and commendation, computed from the award events
(DOMAIN §1.2 "Statistical report"): the Ministry of Home Affairs forms in force for the
movement's year — Circular 03/2018/TT-BNV forms 0701–0703 up to 2022, Circular 02/2023/TT-BNV
forms 0601–0605 from 2023.

The rows and columns follow the forms as published (form code, "Mã số" per row, column letters
A, B, C and numbers 1…n, "Tổng số" = the sum of the columns after it). What the city's log can
say is counted; what it cannot (staff and offices doing the work, forms 0604–0605) is left
blank for the reporting unit to fill in. Pure: no I/O, no clock.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Literal

from pydantic import Field

from .admin_document import Frozen

# Award codes of the catalog by the column they are counted in (DOMAIN §3.1).
STATE_COLUMNS = (
    ("Các loại huân chương, huy chương", ("HUAN_CHUONG", "HUY_CHUONG")),
    ("Giải thưởng Hồ Chí Minh", ("GIAI_THUONG_HCM",)),
    ("Giải thưởng Nhà nước", ("GIAI_THUONG_NHA_NUOC",)),
    ("Danh hiệu vinh dự nhà nước", ("ANH_HUNG", "NHA_GIAO", "THAY_THUOC", "NGHE_SI", "BA_ME")),
    ("Cờ thi đua của Chính phủ", ("CO_CHINH_PHU",)),
    ("Bằng khen của Thủ tướng Chính phủ", ("BK_TTG", "BK_THU_TUONG")),
    ("Danh hiệu “Chiến sĩ thi đua toàn quốc”", ("CSTD_TOAN_QUOC",)),
    ("Các hình thức khen thưởng khác", ("KHAC_NHA_NUOC",)),
)
PROVINCE_COLUMNS = (
    ("Bằng khen", ("BK_CT_UBND_TINH", "BK_BO")),
    ("Chiến sĩ thi đua cấp bộ, cấp tỉnh", ("CSTD_TINH", "CSTD_BO")),
    (
        "Cờ thi đua của bộ, ban, ngành, đoàn thể Trung ương, tỉnh, thành phố trực thuộc Trung ương",
        ("CO_UBND_TINH", "CO_BO"),
    ),
    (
        "Huy hiệu (kỷ niệm chương) của bộ, ban, ngành, đoàn thể Trung ương, tỉnh, thành phố "
        "trực thuộc Trung ương",
        ("HUY_HIEU", "KY_NIEM_CHUONG"),
    ),
)
LEADER_WORDS = ("chủ tịch", "trưởng", "giám đốc", "bí thư", "chánh", "hiệu trưởng", "chỉ huy")


class AwardFact(Frozen):
    award_code: str
    recipient_kind: Literal["ca_nhan", "tap_the", "ho_gia_dinh"]
    unit_kind: str  # the recipient's unit kind: "doanh_nghiep" counts as an enterprise
    position: str | None = None


class MovementFact(Frozen):
    period_from: datetime.date
    period_to: datetime.date


class StatsFacts(Frozen):
    year: int
    reporter: str  # "UBND thành phố Bắc Ninh"
    receiver: str  # "Sở Nội vụ tỉnh Bắc Ninh"
    place: str
    signed_on: datetime.date
    signer_name: str
    movements: list[MovementFact] = Field(default_factory=list)
    awards: list[AwardFact] = Field(default_factory=list)


class StatRow(Frozen):
    label: str
    code: str | None  # Mã số; None for a group heading
    unit: str = ""
    values: tuple[int | None, ...] = ()  # Tổng số first, then each column; None: not derivable
    bold: bool = False


class StatForm(Frozen):
    code: str  # "0702.N/BNV-TĐKT"
    circular: str
    title: str
    period: str
    reporter: str
    receiver: str
    receipt: str | None
    unit_note: str | None  # "Đơn vị tính: Phong trào"
    has_unit_column: bool
    columns: tuple[str, ...]  # the split columns after "Tổng số"
    total_label: str  # "Tổng số" or "1=(2+3)"
    rows: tuple[StatRow, ...]
    notes: tuple[str, ...] = ()
    place: str
    signed_on: datetime.date
    signer_name: str

    @property
    def slug(self) -> str:
        return "thong-ke-" + self.code.split(".", 1)[0]


def regime(year: int) -> Literal["tt03-2018", "tt02-2023"]:
    """Circular 02/2023/TT-BNV (23/3/2023) replaced the 2018 forms from the 2023 reports on."""
    return "tt03-2018" if year <= 2022 else "tt02-2023"


def _months(m: MovementFact) -> int:
    return (
        (m.period_to.year - m.period_from.year) * 12 + m.period_to.month - m.period_from.month + 1
    )


def _annual(m: MovementFact) -> bool:
    """A movement over a whole calendar year is the regular yearly one; shorter is thematic."""
    return m.period_from.month == 1 and m.period_from.day == 1 and _months(m) >= 12


def _row(label: str, code: str, unit: str, split: list[int], bold: bool = False) -> StatRow:
    return StatRow(label=label, code=code, unit=unit, values=(sum(split), *split), bold=bold)


def _heading(label: str) -> StatRow:
    return StatRow(label=label, code=None, bold=True)


def _movement_form(facts: StatsFacts, tt02: bool) -> StatForm:
    # The city's movements have no column of their own in the 2018 form (central or
    # ministerial/provincial launchers only): they count in the provincial column, as the
    # province aggregates them; the 2023 form has "Cơ quan, tổ chức, đơn vị".
    columns = (
        "Cấp Trung ương (Hội đồng Thi đua - Khen thưởng Trung ương)",
        "Cấp bộ, ban ngành đoàn thể trung ương, tỉnh, thành phố trực thuộc Trung ương",
        *(("Cơ quan, tổ chức, đơn vị",) if tt02 else ()),
    )
    at = len(columns) - 1

    def split(count: int) -> list[int]:
        return [count if i == at else 0 for i in range(len(columns))]

    ms = facts.movements
    n = len(ms)
    months = [_months(m) for m in ms]
    annual = sum(_annual(m) for m in ms)
    rows = [_row("Tổng số", "01", "", split(n), bold=True)]
    if tt02:
        rows += [
            _heading("1. Chia theo phạm vi tổ chức thi đua"),
            _row("- Toàn quốc", "02", "", split(0)),
            _row("- Bộ, ban, ngành đoàn thể, địa phương", "03", "", split(n)),
            _row(
                "- Cụm, khối thi đua do Hội đồng Thi đua - Khen thưởng các cấp tổ chức",
                "04",
                "",
                split(0),
            ),
            _row("- Cơ quan, tổ chức, đơn vị", "05", "", split(0)),
            _heading("2. Chia theo thời hạn thi đua"),
            _row("- Dưới 1 năm", "06", "", split(sum(x < 12 for x in months))),
            _row("- 1 năm", "07", "", split(sum(x == 12 for x in months))),
            _row("- Từ 1 năm đến dưới 3 năm", "08", "", split(sum(12 < x < 36 for x in months))),
            _row("- Từ 3 năm đến dưới 5 năm", "09", "", split(sum(36 <= x < 60 for x in months))),
            _row("- Từ 5 năm trở lên", "10", "", split(sum(x >= 60 for x in months))),
            _heading("3. Chia theo phương thức tổ chức phong trào thi đua"),
            _row("- Thi đua theo chuyên đề", "11", "", split(n - annual)),
            _row("- Thi đua thường xuyên hàng năm", "12", "", split(annual)),
        ]
    else:
        rows += [
            _heading("1. Chia theo phạm vi đối tượng thi đua"),
            _row("- Toàn quốc", "02", "", split(0)),
            _row(
                "- Bộ, ban, ngành đoàn thể trung ương, tỉnh, thành phố trực thuộc Trung ương",
                "03",
                "",
                split(n),
            ),
            _heading("2. Chia theo thời hạn thi đua"),
            _row("- Dưới 1 năm", "06", "", split(sum(x < 12 for x in months))),
            _row("- 1 năm", "07", "", split(sum(x == 12 for x in months))),
            _row("- Từ 1 năm đến dưới 3 năm", "08", "", split(sum(12 < x < 36 for x in months))),
            _row("- Từ 3 năm trở lên", "09", "", split(sum(x >= 36 for x in months))),
            _heading("3. Chia theo phương thức tổ chức phong trào thi đua"),
            _row("- Thi đua theo chuyên đề", "10", "", split(n - annual)),
            _row("- Thi đua thường xuyên hàng năm", "11", "", split(annual)),
        ]
    code = "0601.N/BNV-TĐKT" if tt02 else "0701.N/BNV-TĐKT"
    return _form(
        facts,
        tt02,
        code,
        "SỐ PHONG TRÀO THI ĐUA",
        columns,
        rows,
        unit_note="Đơn vị tính: Phong trào",
        has_unit_column=False,
        total_label="1=(" + "+".join(str(i) for i in range(2, len(columns) + 2)) + ")",
    )


def _column(code: str, table: tuple[tuple[str, tuple[str, ...]], ...]) -> int | None:
    for index, (_name, prefixes) in enumerate(table):
        if any(code == p or code.startswith(p + "_") for p in prefixes):
            return index
    return None


def _individual_row(a: AwardFact) -> str:
    position = (a.position or "").lower()
    if a.unit_kind == "doanh_nghiep" and any(w in position for w in LEADER_WORDS):
        return "doanh_nhan"
    if any(w in position for w in LEADER_WORDS):
        return "lanh_dao_khac"
    return "truc_tiep"


def _award_form(
    facts: StatsFacts,
    tt02: bool,
    state: bool,
) -> StatForm:
    table = STATE_COLUMNS if state else PROVINCE_COLUMNS
    counted = [(a, c) for a in facts.awards if (c := _column(a.award_code, table)) is not None]
    width = len(table)
    annual = all(_annual(m) for m in facts.movements) if facts.movements else True

    def split(keep: Callable[[AwardFact], bool] | bool) -> list[int]:
        values = [0] * width
        for award, column in counted:
            if keep is True or (callable(keep) and keep(award)):
                values[column] += 1
        return values

    none = [0] * width
    individual = "ca_nhan"
    groups: list[StatRow] = []
    subjects: list[StatRow | tuple[str, str, Callable[[AwardFact], bool] | None]] = [
        _heading(("2. " if state else "1. ") + "Chia theo đối tượng khen thưởng"),
        ("- Tập thể", "Tập thể", lambda a: a.recipient_kind == "tap_the"),
        (
            "Trong đó: Doanh nghiệp",
            "Doanh nghiệp",
            lambda a: a.recipient_kind == "tap_the" and a.unit_kind == "doanh_nghiep",
        ),
        ("- Hộ gia đình", "Hộ", lambda a: a.recipient_kind == "ho_gia_dinh"),
        ("- Cá nhân", "Người", lambda a: a.recipient_kind == individual),
        ("+ Lãnh đạo cấp bộ, cấp tỉnh và tương đương trở lên", "Người", None),
        ("+ Lãnh đạo cấp vụ, sở, ngành và tương đương", "Người", None),
        (
            "+ Doanh nhân",
            "Người",
            lambda a: a.recipient_kind == individual and _individual_row(a) == "doanh_nhan",
        ),
        (
            "+ Các cấp lãnh đạo khác từ phó phòng trở lên",
            "Người",
            lambda a: a.recipient_kind == individual and _individual_row(a) == "lanh_dao_khac",
        ),
        (
            "+ Người trực tiếp công tác, lao động, học tập, chiến đấu và phục vụ chiến đấu "
            "(công nhân, nông dân,...)",
            "Người",
            lambda a: a.recipient_kind == individual and _individual_row(a) == "truc_tiep",
        ),
    ]
    methods = [
        ("- Thường xuyên", annual),
        ("- Chuyên đề", not annual),
        ("- Đột xuất", False),
        ("- Đối ngoại", False),
        ("- Cống hiến.", False),
        ("- Niên hạn", False),
        ("- Kháng chiến", False),
    ]
    code_no = 2
    if state:
        # Every state-level form reaches the centre through the province's Tờ trình.
        groups += [
            _heading("1. Chia theo đơn vị ban hành tờ trình Thủ tướng Chính phủ về khen thưởng"),
            _row("- Bộ, ban, ngành, đoàn thể Trung ương", "02", "Bộ, ngành", none),
            _row("- Tỉnh, thành phố trực thuộc Trung ương", "03", "Tỉnh, thành phố", split(True)),
        ]
        code_no = 6
    for entry in subjects:
        if isinstance(entry, StatRow):
            groups.append(entry)
            continue
        label, unit, keep = entry
        groups.append(_row(label, f"{code_no:02d}", unit, split(keep) if keep else none))
        code_no += 1
    groups.append(_heading(("3. " if state else "2. ") + "Chia theo phương thức khen thưởng"))
    for label, applies in methods:
        groups.append(_row(label, f"{code_no:02d}", "", split(True) if applies else none))
        code_no += 1
    rows = [_row("Tổng số", "01", "", split(True), bold=True), *groups]
    if state:
        code = "0602.N/BNV-TĐKT" if tt02 else "0702.N/BNV-TĐKT"
        title = "SỐ LƯỢNG KHEN THƯỞNG CẤP NHÀ NƯỚC"
    else:
        code = "0603.N/BNV-TĐKT" if tt02 else "0703.N/BNV-TĐKT"
        title = (
            "SỐ LƯỢNG KHEN THƯỞNG CẤP BỘ, BAN, NGÀNH, ĐOÀN THỂ TRUNG ƯƠNG VÀ TỈNH, THÀNH PHỐ "
            "TRỰC THUỘC TRUNG ƯƠNG"
        )
    return _form(
        facts,
        tt02,
        code,
        title,
        tuple(name for name, _ in table),
        rows,
        unit_note=None,
        has_unit_column=True,
        total_label="1",
    )


def _blank_form(facts: StatsFacts, code: str, title: str, rows: list[StatRow]) -> StatForm:
    return _form(
        facts,
        True,
        code,
        title,
        (),
        rows,
        unit_note=None,
        has_unit_column=True,
        total_label="1",
        notes=(
            "Số liệu về tổ chức, công chức làm công tác thi đua, khen thưởng không có trong các "
            "sự kiện khen thưởng; đơn vị báo cáo điền trực tiếp.",
        ),
    )


def _form(
    facts: StatsFacts,
    tt02: bool,
    code: str,
    title: str,
    columns: tuple[str, ...],
    rows: list[StatRow],
    *,
    unit_note: str | None,
    has_unit_column: bool,
    total_label: str,
    notes: tuple[str, ...] = (),
) -> StatForm:
    circular = (
        "Ban hành theo Thông tư số 02/2023/TT-BNV ngày 23/3/2023"
        if tt02
        else "Ban hành theo Thông tư số 03/2018/TT-BNV ngày 06/3/2018"
    )
    return StatForm(
        code=code,
        circular=circular,
        title=title,
        period=f"Năm {facts.year}",
        reporter=facts.reporter,
        receiver=facts.receiver,
        receipt="Ngày nhận báo cáo: ngày 15 tháng 12 năm báo cáo" if tt02 else None,
        unit_note=unit_note,
        has_unit_column=has_unit_column,
        columns=columns,
        total_label=total_label,
        rows=tuple(rows),
        notes=notes,
        place=facts.place,
        signed_on=facts.signed_on,
        signer_name=facts.signer_name,
    )


def build_statistics(facts: StatsFacts) -> list[StatForm]:
    """The forms of the movement's year, in their official order."""
    tt02 = regime(facts.year) == "tt02-2023"
    forms = [
        _movement_form(facts, tt02),
        _award_form(facts, tt02, state=True),
        _award_form(facts, tt02, state=False),
    ]
    if tt02:
        forms.append(
            _blank_form(
                facts,
                "0604.N/BNV-TĐKT",
                "SỐ LƯỢNG TỔ CHỨC LÀM CÔNG TÁC THI ĐUA, KHEN THƯỞNG",
                [
                    StatRow(label="Tổng số", code="01", unit="Tổ chức", values=(None,), bold=True),
                    _heading("Chia theo cơ cấu tổ chức bộ máy"),
                    StatRow(
                        label="- Cấp Vụ thuộc bộ, ban, ngành, đoàn thể Trung ương",
                        code="02",
                        unit="Vụ",
                        values=(None,),
                    ),
                    StatRow(
                        label="- Cấp phòng, ban hoặc bộ phận thuộc Vụ",
                        code="03",
                        unit="Phòng",
                        values=(None,),
                    ),
                    StatRow(
                        label="- Cấp ban thuộc Sở Nội vụ", code="04", unit="Ban", values=(None,)
                    ),
                    StatRow(
                        label="- Cấp phòng thuộc Sở Nội vụ", code="05", unit="Phòng", values=(None,)
                    ),
                ],
            )
        )
        forms.append(
            _blank_form(
                facts,
                "0605.N/BNV-TĐKT",
                "SỐ LƯỢNG CÔNG CHỨC LÀM CÔNG TÁC THI ĐUA, KHEN THƯỞNG",
                [StatRow(label="Tổng số", code="01", unit="Người", values=(None,), bold=True)],
            )
        )
    return forms
