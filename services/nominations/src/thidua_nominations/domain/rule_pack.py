"""Rule packs (DESIGN §5): the legal regime and local parameters, as validated data."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from thidua_contracts.types import DecimalStr

# ASCII digits only: a threshold is copied into decisions, whose published pattern is ASCII, and
# `\d` would let "١/٢" through here only for the decision to fail later.
FRACTION = r"^[0-9]+/[0-9]+$"


class Vote(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: str = Field(pattern=FRACTION)
    strict: bool
    # Absent members may vote in writing where the law counts every member (NĐ91 Điều 45 k8).
    written_votes: bool = False

    def passes(self, yes: int, members_total: int) -> bool:
        """Counted on the total membership, in exact fractions (DOMAIN §4)."""
        share = Fraction(yes, members_total)
        limit = Fraction(self.threshold)
        return share > limit if self.strict else share >= limit


CheckName = Literal[
    "rating",
    "ratings_consecutive",
    "no_discipline",
    "title_same_year",
    "chain",
    "initiatives",
    "ldtt_ratio",
    "one_form",
    "block_honoured",
    "members_min_rating",
    "members_title_count",
    "min_service",
]


class CriterionRule(BaseModel):
    """One criterion of an award, with the article it comes from (DOMAIN §3)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    check: CheckName
    reference: str
    subjects: list[Literal["ca_nhan", "tap_the"]] = ["ca_nhan", "tap_the"]
    min: Literal["HTXS", "HTT", "HT"] | None = None  # rating
    years: int = Field(default=1, ge=1, le=10)  # consecutive years, windows
    title: str | None = None  # the title a chain or a same-year requirement names
    count: int = Field(default=1, ge=1)  # initiatives needed
    levels: list[Literal["co_so", "tinh", "toan_quoc"]] = ["co_so", "tinh", "toan_quoc"]
    from_level: Literal["khien_trach", "canh_cao"] = "khien_trach"  # discipline that bars
    ratio: str = Field(default="1/2", pattern=FRACTION)
    strict: bool = True
    months: int | None = Field(default=None, ge=1, le=120)  # service needed by the year's end


DossierKind = Literal[
    "to_trinh",
    "danh_sach",
    "bao_cao_thanh_tich",
    "bien_ban_binh_xet",
    "xac_nhan_sang_kien",
    "y_kien_co_quan",
]


class Quota(BaseModel):
    """How many of those who passed the ballot may be awarded (DOMAIN §3.2 B, §3.3 G–H, §10.6):
    a fixed number per group, or a ratio of a basis rounded as the local rule says."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    per: Literal["unit", "block", "movement"]
    max: int | None = Field(default=None, ge=0)
    ratio: str | None = Field(default=None, pattern=FRACTION)
    # The basis of a ratio: members of the group holding LĐTT that year, or the nominees of
    # another form who passed the council (Cờ thi đua của Chính phủ: 20 % of the provincial).
    of: Literal["ldtt_titles", "passed"] | None = None
    of_award: str | None = None
    rounding: Literal["floor", "ceil"] = "floor"
    minimum: int = Field(default=0, ge=0)
    reference: str

    def size(self, basis: int) -> int:
        if self.max is not None:
            return self.max
        share = Fraction(self.ratio or "0") * basis
        whole = share.numerator // share.denominator
        if (
            self.rounding == "ceil"
            and share.denominator != 1
            and share.numerator % share.denominator
        ):
            whole += 1
        return max(whole, self.minimum)


class AwardRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    reference: str
    # A title (danh hiệu thi đua, Luật TĐKT 2003 Điều 20) or a form of commendation (hình thức
    # khen thưởng, Điều 70): "không khen nhiều hình thức cho một thành tích" binds forms only,
    # and a title and a form in the same year earn both (DOMAIN §3.5).
    kind: Literal["danh_hieu", "hinh_thuc"]
    # The achievement a form rewards: the year's work, a sudden act, or a thematic campaign are
    # different achievements, so a form for one never bars a form for another.
    achievement: Literal["annual", "dot_xuat", "chuyen_de"] = "annual"
    route: Literal["decide", "propose"]
    multiplier: dict[Literal["ca_nhan", "tap_the"], DecimalStr]  # copied into AwardIssued
    vote: Vote
    requires_registration: bool = True
    requires_report: Literal["so-ket", "tong-ket"] | None = "tong-ket"
    requires_score_sheet: bool = True
    criteria: list[CriterionRule] = []
    # The documents its dossier must hold (DOMAIN §5.2), kind → what the law calls it.
    dossier: dict[DossierKind, str] = {}
    dossier_reference: str = ""
    # Posted publicly before the council votes, for the pack's notice period (DOMAIN §5.5).
    notice: bool = False
    quota: Quota | None = None
    # Decided above the city: the level whose fund pays it.
    fund_level: Literal["cap_huyen", "cap_tinh"] = "cap_huyen"

    @model_validator(mode="after")
    def _one_form_binds_forms_only(self) -> AwardRule:
        if self.kind == "danh_hieu" and any(c.check == "one_form" for c in self.criteria):
            raise ValueError(f"{self.name}: a title (danh hiệu) cannot carry one_form")
        return self


class Council(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    quorum: str = Field(pattern=FRACTION)

    def quorum_required(self, members_total: int) -> int:
        needed = Fraction(self.quorum) * members_total
        return -(-needed.numerator // needed.denominator)  # ceiling


class RulePack(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    version: str
    regime: str
    base_salary_vnd: int = Field(gt=0)
    prize_rounding_vnd: int = Field(gt=0)
    council: Council
    awards: dict[str, AwardRule]
    # Working-day limits (DOMAIN §5.4, §5.5); local values where the law leaves them open.
    notice_working_days: int = Field(default=5, ge=1, le=60)
    notify_working_days: int = Field(default=10, ge=1, le=60)
    # Tie-break (NĐ152 Điều 4 k6; NĐ91 the same): women, or collectives with this share of women.
    women_priority_share: str = Field(default="7/10", pattern=FRACTION)
    # Where the regime pays one subject only the highest of the titles it reaches at one time,
    # the provision that says so; the packs read "one time" as one year's titles from one fund.
    highest_title_prize_only: str | None = None

    def rival_forms(self, award_code: str, others: list[str]) -> list[str]:
        """Among awards found eligible for the same subject and year, the other forms that would
        reward the same achievement as `award_code`; none when it is a title."""
        own = self.awards.get(award_code)
        if own is None or own.kind != "hinh_thuc":
            return []
        return [
            code
            for code in others
            if code != award_code
            and (rule := self.awards.get(code)) is not None
            and rule.kind == "hinh_thuc"
            and rule.achievement == own.achievement
        ]

    def prize(self, award_code: str, kind: Literal["ca_nhan", "tap_the"]) -> tuple[str, int]:
        """Multiplier × base salary, rounded up to the pack's unit (NĐ91 Điều 68 k2)."""
        multiplier = self.awards[award_code].multiplier[kind]
        raw = Decimal(multiplier) * self.base_salary_vnd
        unit = Decimal(self.prize_rounding_vnd)
        rounded = (raw / unit).to_integral_value(rounding=ROUND_CEILING) * unit
        return multiplier, int(rounded)
