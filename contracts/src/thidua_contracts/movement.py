"""The movement definition: what a Kế hoạch thi đua says, as data (DOMAIN §2, §9)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .types import DecimalStr, LongText, Slug, Text


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UnitKind(StrEnum):
    """phuong: a ward; phong_ban: a department of the People's Committee; doan_the: the Party's
    bodies, the Fatherland Front and mass organisations; don_vi_su_nghiep: a public service unit;
    truong: a school; doanh_nghiep: an enterprise."""

    PHUONG = "phuong"
    PHONG_BAN = "phong_ban"
    DOAN_THE = "doan_the"
    DON_VI_SU_NGHIEP = "don_vi_su_nghiep"
    TRUONG = "truong"
    DOANH_NGHIEP = "doanh_nghiep"


class RoundKind(StrEnum):
    """so-ket: the mid-year review (sơ kết, July); tong-ket: the year's review (tổng kết,
    December)."""

    SO_KET = "so-ket"
    TONG_KET = "tong-ket"


class Issuer(Frozen):
    name_lines: list[Text] = Field(min_length=1)
    parent_line: Text | None = None
    place: Text
    abbreviation: Text


class Unit(Frozen):
    unit_id: Slug
    name: Text
    kind: UnitKind
    block_id: Slug
    sample: bool = False
    # Reorganisations keep identities: an ended unit stays (its history and awards with it),
    # and the units that continue it name it as a predecessor.
    ended_on: date | None = None
    predecessor_ids: list[Slug] = Field(default_factory=list)


class Person(Frozen):
    person_id: Slug
    full_name: Text
    sex: Literal["nam", "nu"]
    position: Text
    unit_id: Slug
    sample: bool = True


class Target(Frozen):
    code: Slug
    name: Text


class Band(Frozen):
    at_least: DecimalStr
    points: DecimalStr


class Criterion(Frozen):
    """One line of the block scoring table (bảng chấm điểm) and how it is scored (DOMAIN §6.2):
    the unit's own score capped (self), target attainment prorated and capped at 100 %
    (prorated), achieved or not (yes_no), points per item up to the maximum (count), or bands."""

    code: Slug
    group: Text
    name: Text
    max_points: DecimalStr
    method: Literal["self", "prorated", "yes_no", "count", "bands"] = "self"
    target_code: Slug | None = None
    per_item: DecimalStr | None = None
    bands: list[Band] = Field(default_factory=list)
    # Missing a key target disqualifies a unit from leading its block (DOMAIN §6.3).
    key: bool = False


class ScoringRules(Frozen):
    """Local parameters of block scoring (DOMAIN §6.2–6.3); every value is configurable."""

    late_penalty_per_working_day: DecimalStr = "0.5"
    late_penalty_cap: DecimalStr = "5"
    bonus_cap: DecimalStr = "5"
    missing_report_penalty: DecimalStr = "10"
    excellent_units: int = Field(default=3, ge=0, le=20)
    leader_ballot_threshold: str = Field(default="1/2", pattern=r"^[0-9]+/[0-9]+$")
    leader_ballot_strict: bool = True


class Block(Frozen):
    block_id: Slug
    name: Text
    head_unit_id: Slug
    deputy_unit_id: Slug | None = None
    # A block may agree its own table in its covenant; otherwise the movement's applies.
    scoring_table: list[Criterion] | None = None


class Round(Frozen):
    round: RoundKind
    name: Text
    opens_on: date
    due_on: date
    # When set, the deadline is this many working days after the round is opened instead.
    due_working_days: int | None = Field(default=None, ge=1, le=60)


class AwardForm(Frozen):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]+$")
    name: Text
    authority: Text
    route: Literal["decide", "propose"]
    subjects: list[Literal["ca_nhan", "tap_the", "ho_gia_dinh"]] = Field(min_length=1)


class RulePackRef(Frozen):
    id: Slug
    version: str = Field(min_length=1, max_length=40)


class MovementDefinition(Frozen):
    movement_id: Slug
    version: int = Field(ge=1)
    name: Text
    issuer: Issuer
    plan_ref: Text
    legal_basis: list[Text]
    year: int = Field(ge=2000, le=2100)
    period_from: date
    period_to: date
    purposes: list[LongText] = Field(default_factory=list)
    requirements: list[LongText] = Field(default_factory=list)
    contents: list[LongText] = Field(default_factory=list)
    targets: list[Target] = Field(min_length=1)
    criteria_collective: list[LongText] = Field(default_factory=list)
    criteria_individual: list[LongText] = Field(default_factory=list)
    award_forms: list[AwardForm] = Field(min_length=1)
    # The plan's own wording, kept whole so the definition says everything the plan says.
    participants_text: list[LongText] = Field(default_factory=list)
    targets_preamble: LongText = ""
    criteria_collective_lead: LongText = ""
    criteria_individual_lead: LongText = ""
    award_provisions: list[LongText] = Field(default_factory=list)
    timeline_text: list[LongText] = Field(default_factory=list)
    organisation: list[LongText] = Field(default_factory=list)
    rounds: list[Round] = Field(min_length=1)
    registration_due_on: date
    reports_to: Text
    blocks: list[Block] = Field(min_length=1)
    units: list[Unit] = Field(min_length=1)
    persons: list[Person] = Field(default_factory=list)
    scoring_table: list[Criterion] = Field(min_length=1)
    scoring_rules: ScoringRules = Field(default_factory=ScoringRules)
    rule_pack: RulePackRef

    @model_validator(mode="after")
    def _references_resolve(self) -> MovementDefinition:
        if self.period_to < self.period_from:
            raise ValueError("period_to is before period_from")
        blocks = {b.block_id for b in self.blocks}
        units = {u.unit_id for u in self.units}
        _unique("unit_id", [u.unit_id for u in self.units])
        _unique("person_id", [p.person_id for p in self.persons])
        _unique("block_id", [b.block_id for b in self.blocks])
        _unique("target code", [t.code for t in self.targets])
        _unique("criterion code", [c.code for c in self.scoring_table])
        _unique("award form", [a.code for a in self.award_forms])
        for unit in self.units:
            if unit.block_id not in blocks:
                raise ValueError(f"unit {unit.unit_id} names unknown block {unit.block_id}")
        for block in self.blocks:
            for head in (block.head_unit_id, block.deputy_unit_id):
                if head is not None and head not in units:
                    raise ValueError(f"block {block.block_id} names unknown unit {head}")
        for person in self.persons:
            if person.unit_id not in units:
                raise ValueError(f"person {person.person_id} names unknown unit {person.unit_id}")
        return self

    def active_unit(self, unit_id: str) -> Unit | None:
        unit = self.unit(unit_id)
        return unit if unit is not None and unit.ended_on is None else None

    def unit(self, unit_id: str) -> Unit | None:
        return next((u for u in self.units if u.unit_id == unit_id), None)

    def person(self, person_id: str) -> Person | None:
        return next((p for p in self.persons if p.person_id == person_id), None)

    def round_of(self, kind: RoundKind) -> Round | None:
        return next((r for r in self.rounds if r.round == kind), None)

    def table_for(self, block_id: str) -> list[Criterion]:
        block = next((b for b in self.blocks if b.block_id == block_id), None)
        return block.scoring_table if block and block.scoring_table else self.scoring_table

    def award_form(self, code: str) -> AwardForm | None:
        return next((a for a in self.award_forms if a.code == code), None)


def _unique(what: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {what}: {value}")
        seen.add(value)
