"""Rule packs (DESIGN §5): the legal regime and local parameters, as validated data."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FRACTION = r"^\d+/\d+$"


class Vote(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: str = Field(pattern=FRACTION)
    strict: bool

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


class AwardRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    reference: str
    route: Literal["decide", "propose"]
    multiplier: dict[Literal["ca_nhan", "tap_the"], str]
    vote: Vote
    requires_registration: bool = True
    requires_report: Literal["so-ket", "tong-ket"] | None = "tong-ket"
    requires_score_sheet: bool = True
    criteria: list[CriterionRule] = []


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

    def prize(self, award_code: str, kind: Literal["ca_nhan", "tap_the"]) -> tuple[str, int]:
        """Multiplier × base salary, rounded up to the pack's unit (NĐ91 Điều 68 k2)."""
        multiplier = self.awards[award_code].multiplier[kind]
        raw = Decimal(multiplier) * self.base_salary_vnd
        unit = Decimal(self.prize_rounding_vnd)
        rounded = (raw / unit).to_integral_value(rounding=ROUND_CEILING) * unit
        return multiplier, int(rounded)
