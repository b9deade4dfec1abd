"""View model of the Chairman's award decision (Quyết định khen thưởng) and its attached list.

`build_decision_view` turns the facts of a decision into every string exactly as it will be
printed (NĐ30/2020 Mẫu 1.2 and the city's "Danh sách kèm theo" practice). Keeping the wording here,
away from python-docx, lets it be tested without rendering and keeps the renderer a pure layout
step.

Pure: no I/O, no clock; the decision date comes in with the facts.
"""

from __future__ import annotations

import datetime
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from thidua_reporting.domain.vn_format import (
    ROMAN,
    confers_title,
    format_date_words,
    format_place_date,
    format_vnd,
    nfc,
    number_line,
    spell_dates,
)

__all__ = [
    "AttachedList",
    "DecisionArticle",
    "DecisionFacts",
    "DecisionView",
    "ListGroup",
    "ListRow",
    "Recipient",
    "build_decision_view",
]

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
DOCUMENT_TYPE = "QUYẾT ĐỊNH"
DECIDES_LINE = "QUYẾT ĐỊNH:"
COPIES_HEADING = "Nơi nhận:"
ARCHIVE_LINE = "- Lưu: VT, NV."
LIST_COLUMN_HEADERS = ("STT", "Tên tập thể / Họ và tên, chức vụ, đơn vị công tác")

# The executing bodies of the city's award decisions (DOMAIN §7.7); a different issuer passes its
# own list through `DecisionFacts.executors`.
DEFAULT_EXECUTORS = (
    "Chánh Văn phòng HĐND và UBND thành phố",
    "Trưởng phòng Nội vụ",
    "Trưởng phòng Tài chính – Kế hoạch",
    "thủ trưởng các cơ quan, đơn vị liên quan",
)

_NUMBER_RE = re.compile(r"^\d{2,}/[^\s/]+-[^\s/]+$")
_TRAILING_PUNCT = " \t;.,"
_UNIT_WORDS = frozenset({"TỈNH", "PHỐ", "HUYỆN", "QUẬN", "XÃ", "PHƯỜNG", "TRẤN"})
_BODY_ABBREVIATIONS = (
    ("ỦY BAN NHÂN DÂN", "UBND"),
    ("UỶ BAN NHÂN DÂN", "UBND"),
    ("HỘI ĐỒNG NHÂN DÂN", "HĐND"),
)


def _clean(text: str) -> str:
    """NFC and single spaces: input typed by hand often carries doubled or trailing blanks."""
    return nfc(" ".join(text.split()))


def _strip_end(text: str) -> str:
    """Drop the caller's closing punctuation so the view can apply NĐ30's own (";", ".")."""
    return _clean(text).rstrip(_TRAILING_PUNCT)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Recipient(_Frozen):
    """A collective (tập thể) or an individual (cá nhân) named in the decision."""

    kind: Literal["ca_nhan", "tap_the"]
    name: str = Field(min_length=1)
    position: str | None = None
    unit_name: str | None = None
    # Printed after the name in the attached list: a prize other than Điều 2's, and why.
    prize_note: str | None = None

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("recipient name must not be blank")
        return value


class DecisionFacts(_Frozen):
    """Everything the decision states; wording and layout are derived from these."""

    issuer_lines: list[str] = Field(min_length=1)  # e.g. ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ BẮC NINH"]
    parent_line: str | None = None
    number: str  # "01/QĐ-UBND"
    place: str
    signed_on: datetime.date
    award_name: str  # "Giấy khen của Chủ tịch Ủy ban nhân dân thành phố"
    movement_name: str  # "phong trào thi đua"
    year: int
    authority_line: str  # "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ BẮC NINH"
    legal_bases: list[str]
    proposer: str
    recipients: list[Recipient] = Field(min_length=1)
    prize_individual_vnd: int | None = Field(default=None, ge=0)
    prize_collective_vnd: int | None = Field(default=None, ge=0)
    # The provision by which a recipient with a prize note is paid only the difference.
    highest_title_rule: str | None = None
    fund: str
    signer_position_lines: list[str] = Field(min_length=1)  # ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    signer_name: str
    recipients_of_copies: list[str]
    executors: list[str] = Field(default_factory=lambda: list(DEFAULT_EXECUTORS))

    @field_validator("number")
    @classmethod
    def _number_shape(cls, value: str) -> str:
        # NĐ30 II.3: numbers below 10 are zero-padded and the symbol has no inner spaces.
        if not _NUMBER_RE.match(_clean(value)):
            raise ValueError(f"number must look like '01/QĐ-UBND', got {value!r}")
        return _clean(value)

    @model_validator(mode="after")
    def _year_matches_date(self) -> DecisionFacts:
        # A decision may close the previous year's movement, never a future one.
        if self.year > self.signed_on.year:
            raise ValueError("the movement year cannot be after the decision date")
        return self


class DecisionArticle(_Frozen):
    """One "Điều": the bold heading ("Điều 1.") and the regular text that follows it."""

    heading: str
    text: str


class ListRow(_Frozen):
    stt: str
    text: str


class ListGroup(_Frozen):
    heading: str  # "I. TẬP THỂ (3)"
    rows: tuple[ListRow, ...]


class AttachedList(_Frozen):
    """The "Danh sách kèm theo" printed on its own pages after the signature."""

    title: str
    reference_line: str
    column_headers: tuple[str, str] = LIST_COLUMN_HEADERS
    groups: tuple[ListGroup, ...]
    closing_line: str


class DecisionView(_Frozen):
    """Every string of the decision as printed, in reading order."""

    parent_line: str | None
    issuer_lines: tuple[str, ...]
    national_title: str = NATIONAL_TITLE
    national_motto: str = NATIONAL_MOTTO
    number_line: str
    place_date_line: str
    document_type: str = DOCUMENT_TYPE
    summary: str  # trích yếu
    authority_line: str
    legal_basis_lines: tuple[str, ...]
    proposal_line: str
    decides_line: str = DECIDES_LINE
    articles: tuple[DecisionArticle, ...]
    copies_heading: str = COPIES_HEADING
    copies_lines: tuple[str, ...]
    signer_position_lines: tuple[str, ...]
    signer_name: str
    attached_list: AttachedList
    # Document metadata: the renderer stamps these instead of reading a clock, so that the same
    # view always renders to the same bytes.
    author: str
    title: str
    signed_on: datetime.date


def _short_award_name(award_name: str) -> str:
    """The form without its conferring authority: "Giấy khen của Chủ tịch …" → "Giấy khen"."""
    return award_name.split(" của ", 1)[0].strip()


def _sentence_case_body(upper_text: str) -> str:
    """Title for running text: "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ BẮC NINH" → "Chủ tịch UBND thành
    phố Bắc Ninh".

    Inside running text NĐ30 writes titles in sentence case with the usual abbreviations, while
    the place name after the unit word keeps its capitals.
    """
    text = _clean(upper_text).upper()
    for long_form, short_form in _BODY_ABBREVIATIONS:
        text = text.replace(long_form, short_form)
    words: list[str] = []
    place_started = False
    for word in text.split():
        if word in {"UBND", "HĐND"}:
            words.append(word)
        elif place_started:
            words.append(word if word.isdigit() else word[:1] + word[1:].lower())
        else:
            words.append(word.lower())
            place_started = word in _UNIT_WORDS
    sentence = " ".join(words)
    return sentence[:1].upper() + sentence[1:]


def _issuer_short_name(issuer_lines: list[str]) -> str:
    """In running text: "ỦY BAN NHÂN DÂN" / "THÀNH PHỐ BẮC NINH" → "UBND thành phố Bắc Ninh"."""
    return _sentence_case_body(" ".join(issuer_lines))


def _who(n_collectives: int, n_individuals: int, *, plural: str = "các ") -> str:
    """Say "các tập thể, cá nhân" with only the parts that are actually present."""
    if n_collectives and n_individuals:
        return f"{plural}tập thể, cá nhân"
    if n_collectives:
        return f"{plural if n_collectives > 1 else ''}tập thể"
    return f"{plural if n_individuals > 1 else ''}cá nhân"


def _counted(n_collectives: int, n_individuals: int) -> str:
    """Count as in "3 tập thể và 5 cá nhân", omitting a part that is zero."""
    parts = []
    if n_collectives:
        parts.append(f"{n_collectives} tập thể")
    if n_individuals:
        parts.append(f"{n_individuals} cá nhân")
    return " và ".join(parts)


def _movement_phrase(movement_name: str, year: int) -> str:
    name = _strip_end(movement_name)
    suffix = f"năm {year}"
    return name if name.endswith(suffix) else f"{name} {suffix}"


def _legal_basis_lines(legal_bases: list[str]) -> tuple[str, ...]:
    lines = []
    for basis in legal_bases:
        text = spell_dates(_strip_end(basis))
        if not text:
            continue
        if not text.lower().startswith("căn cứ"):
            text = f"Căn cứ {text}"
        # NĐ30 Mẫu 1.2: every căn cứ ends ";" — the block's final "." goes on "Theo đề nghị …",
        # the last line of the preamble.
        lines.append(f"{text};")
    return tuple(lines)


def _proposal_line(proposer: str) -> str:
    text = _strip_end(proposer)
    if not text.lower().startswith("theo đề nghị"):
        text = f"Theo đề nghị của {text}"
    return f"{text}."


def _recipient_text(recipient: Recipient) -> str:
    # Names are printed in full and without "Ông/Bà": the list is a legal record of who is
    # honoured, and the honorific is not part of a name.
    parts = [recipient.name, recipient.position, recipient.unit_name]
    return ", ".join(_strip_end(part) for part in parts if part and _strip_end(part))


def _prize_sentence(facts: DecisionFacts, n_collectives: int, n_individuals: int) -> str | None:
    clauses = []
    if n_collectives and facts.prize_collective_vnd:
        clauses.append(f"mỗi tập thể được thưởng {format_vnd(facts.prize_collective_vnd)} đồng")
    if n_individuals and facts.prize_individual_vnd:
        clauses.append(f"mỗi cá nhân được thưởng {format_vnd(facts.prize_individual_vnd)} đồng")
    if not clauses:
        return None
    sentence = ", ".join(clauses)
    fund = _strip_end(facts.fund)
    if fund and not fund.lower().startswith("từ "):
        fund = f"từ {fund}" if fund.lower().startswith("nguồn") else f"từ nguồn {fund}"
    sentence = f"{sentence} {fund}" if fund else sentence
    sentence = f"{sentence[:1].upper()}{sentence[1:]}."
    noted = {r.kind for r in facts.recipients if r.prize_note}
    if noted:
        who = _who(int("tap_the" in noted), int("ca_nhan" in noted), plural="")
        rule = f", theo {_strip_end(facts.highest_title_rule)}" if facts.highest_title_rule else ""
        sentence += (
            f" {who[:1].upper()}{who[1:]} đã nhận tiền thưởng danh hiệu thi đua khác của năm "
            f"{facts.year} chỉ được thưởng phần chênh lệch ghi tại danh sách kèm theo{rule}."
        )
    return sentence


def _list_title(short_award: str, n_collectives: int, n_individuals: int) -> str:
    who = _who(n_collectives, n_individuals, plural="").upper()
    return f"DANH SÁCH {who} ĐƯỢC {short_award.upper()}"


def build_decision_view(facts: DecisionFacts) -> DecisionView:
    """Word the decision and its attached list exactly as they will be printed."""
    collectives = [r for r in facts.recipients if r.kind == "tap_the"]
    individuals = [r for r in facts.recipients if r.kind == "ca_nhan"]
    n_col, n_ind = len(collectives), len(individuals)

    award_name = _strip_end(facts.award_name)
    movement = _movement_phrase(facts.movement_name, facts.year)
    who = _who(n_col, n_ind)
    date_words = format_date_words(facts.signed_on)
    number = number_line(facts.number)

    # A title (danh hiệu thi đua) is recognised for the year; a form is given for achievements.
    if confers_title(award_name):
        granted = f"công nhận danh hiệu “{award_name}” năm {facts.year}"
        short_award = granted
        articles_text = [
            f"Công nhận danh hiệu “{award_name}” năm {facts.year} cho "
            f"{_counted(n_col, n_ind)} (có danh sách kèm theo)."
        ]
        summary = f"Về việc {granted}"
    else:
        short_award = f"tặng {_short_award_name(award_name)}"
        articles_text = [
            f"Tặng {award_name} cho {_counted(n_col, n_ind)} (có danh sách kèm theo) "
            f"đã có thành tích xuất sắc trong {movement}."
        ]
        summary = f"Về việc {short_award} cho {who} có thành tích xuất sắc trong {movement}"
    prize = _prize_sentence(facts, n_col, n_ind)
    if prize is not None:
        articles_text.append(prize)
    executors = ", ".join(_strip_end(e) for e in facts.executors if _strip_end(e))
    executing = f"{executors} và {who}" if executors else who[:1].upper() + who[1:]
    # The executing article is the last one; without prize money it becomes Điều 2, and the
    # "Như Điều …" copy line must point at it.
    executing_no = len(articles_text) + 1
    articles_text.append(f"{executing} có tên tại Điều 1 căn cứ Quyết định thi hành./.")
    articles = tuple(
        DecisionArticle(heading=f"Điều {i}.", text=_clean(text))
        for i, text in enumerate(articles_text, start=1)
    )

    copies = [f"- Như Điều {executing_no};"]
    archive = ARCHIVE_LINE
    for entry in facts.recipients_of_copies:
        text = _strip_end(entry).lstrip("- ").strip()
        if not text or text.lower().startswith("như điều"):
            continue
        if text.lower().startswith("lưu"):
            archive = f"- {text}."
            continue
        copies.append(f"- {text};")
    copies.append(archive)

    groups: list[ListGroup] = []
    for label, members in (("TẬP THỂ", collectives), ("CÁ NHÂN", individuals)):
        if not members:
            continue
        rows = tuple(
            ListRow(
                stt=str(i),
                text=_clean(
                    f"{_recipient_text(r)} ({_strip_end(r.prize_note)})"
                    if r.prize_note
                    else _recipient_text(r)
                ),
            )
            for i, r in enumerate(members, start=1)
        )
        groups.append(
            ListGroup(heading=f"{ROMAN[len(groups)]}. {label} ({len(members)})", rows=rows)
        )

    authority_short = _sentence_case_body(facts.authority_line)
    attached = AttachedList(
        title=_clean(_list_title(short_award, n_col, n_ind)),
        reference_line=_clean(
            f"(Kèm theo Quyết định số {_clean(facts.number)} {date_words} của {authority_short})"
        ),
        groups=tuple(groups),
        closing_line=_clean(f"(Danh sách có {_counted(n_col, n_ind)})./."),
    )

    return DecisionView(
        parent_line=_clean(facts.parent_line).upper() if facts.parent_line else None,
        issuer_lines=tuple(_clean(line).upper() for line in facts.issuer_lines),
        number_line=number,
        place_date_line=format_place_date(_clean(facts.place), facts.signed_on),
        summary=_clean(summary),
        authority_line=_clean(facts.authority_line).upper(),
        legal_basis_lines=_legal_basis_lines(facts.legal_bases),
        proposal_line=_proposal_line(facts.proposer),
        articles=articles,
        copies_lines=tuple(_clean(line) for line in copies),
        signer_position_lines=tuple(_clean(p).upper() for p in facts.signer_position_lines),
        signer_name=_clean(facts.signer_name),
        attached_list=attached,
        author=_issuer_short_name(facts.issuer_lines),
        title=_clean(f"Quyết định số {_clean(facts.number)} {summary[:1].lower()}{summary[1:]}"),
        signed_on=facts.signed_on,
    )
