"""The Giấy khen or Giấy chứng nhận of one recipient (the award object, hiện vật khen thưởng).

Not an administrative document under NĐ30 but an award object (NĐ85/2014 in the 2022 regime,
DOMAIN §1.2): one A4 page in landscape with a frame, the Quốc hiệu and Tiêu ngữ, the conferring
authority, "GIẤY KHEN", the recipient and the achievement, then the place/date and the signature
on the right and the decision's number and date on the left. NĐ30's fonts, place/date and
signature rules still apply to its text.
"""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import Field

from .admin_document import NATIONAL_MOTTO, NATIONAL_TITLE, Frozen, clean, strip_end
from .vn_format import confers_title, format_date_words, format_place_date

TITLE = "GIẤY KHEN"
CertificateKind = Literal["giay_khen", "giay_chung_nhan"]
TITLES: dict[CertificateKind, str] = {"giay_khen": TITLE, "giay_chung_nhan": "GIẤY CHỨNG NHẬN"}
# NĐ91 Điều 69: these titles are paid in money only; the decision is their record.
_WITHOUT_OBJECT = ("Lao động tiên tiến", "Chiến sĩ tiên tiến", "Tập thể lao động tiên tiến")


def certificate_for(award_name: str) -> CertificateKind | None:
    """The object the city prints with an award: a Giấy khen for its form, a Giấy chứng nhận
    for a title that has one (Chiến sĩ thi đua cơ sở, NĐ91 Điều 69), none for LĐTT."""
    name = strip_end(award_name)
    if not confers_title(name):
        return "giay_khen"
    return None if name in _WITHOUT_OBJECT else "giay_chung_nhan"


class CertificateFacts(Frozen):
    issuer_lines: list[str] = Field(min_length=1)
    place: str
    award_name: str
    recipient_kind: Literal["ca_nhan", "tap_the"]
    recipient_name: str = Field(min_length=1)
    recipient_position: str | None = None
    unit_name: str | None = None
    movement_year: int
    decision_number: str
    signed_on: datetime.date
    signer_position_lines: list[str] = Field(min_length=1)
    signer_name: str
    kind: CertificateKind = "giay_khen"


class CertificateView(Frozen):
    national_title: str = NATIONAL_TITLE
    national_motto: str = NATIONAL_MOTTO
    authority_line: str  # "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ BẮC NINH"
    confers_line: str = "TẶNG"
    title: str = TITLE
    recipient_line: str
    detail_lines: tuple[str, ...]  # position and unit of an individual
    achievement_line: str
    place_date_line: str
    signer_position_lines: tuple[str, ...]
    signer_name: str
    decision_line: str
    author: str
    document_title: str
    signed_on: datetime.date


def build_certificate_view(facts: CertificateFacts) -> CertificateView:
    issuer = clean(" ".join(facts.issuer_lines)).upper()
    authority = f"CHỦ TỊCH {issuer}"
    details: list[str] = []
    if facts.recipient_kind == "ca_nhan":
        for part in (facts.recipient_position, facts.unit_name):
            if part and strip_end(part):
                details.append(strip_end(part))
    date_words = format_date_words(facts.signed_on)
    name = clean(facts.recipient_name)
    award = strip_end(facts.award_name)
    if facts.kind == "giay_chung_nhan":
        achievement = f"Đạt danh hiệu “{award}” năm {facts.movement_year}."
        document_title = f"Giấy chứng nhận danh hiệu {award} tặng {name}"
    else:
        achievement = (
            f"Đã có thành tích xuất sắc trong phong trào thi đua năm {facts.movement_year}."
        )
        document_title = f"{award} tặng {name}"
    return CertificateView(
        authority_line=authority,
        title=TITLES[facts.kind],
        recipient_line=name,
        detail_lines=tuple(clean(d) for d in details),
        achievement_line=clean(achievement),
        place_date_line=format_place_date(clean(facts.place), facts.signed_on),
        signer_position_lines=tuple(clean(p).upper() for p in facts.signer_position_lines),
        signer_name=clean(facts.signer_name),
        decision_line=clean(f"Quyết định số {clean(facts.decision_number)} {date_words}"),
        author=clean(authority),
        document_title=clean(document_title),
        signed_on=facts.signed_on,
    )
