"""A reporting round's progress, block by block: who reported, amended, came late or is missing.

Pure: the facts come in as plain values. A unit is expected to report once it has registered
for the movement (registration is the precondition, DOMAIN §5.1 step 2) and has not ended; a
withdrawn report counts as missing until a new version arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class UnitFact:
    unit_id: str
    name: str
    block_id: str
    active: bool
    registered: bool


@dataclass(frozen=True)
class ReportFact:
    unit_id: str
    versions: int
    late: bool
    withdrawn: bool


@dataclass
class Tally:
    expected: int = 0
    submitted: int = 0
    amended: int = 0
    late: int = 0
    missing: int = 0
    late_units: list[str] = field(default_factory=list)
    missing_units: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "expected": self.expected,
            "submitted": self.submitted,
            "amended": self.amended,
            "late": self.late,
            "missing": self.missing,
            "late_units": list(self.late_units),
            "missing_units": list(self.missing_units),
        }


def round_progress(
    blocks: list[tuple[str, str]], units: list[UnitFact], reports: list[ReportFact]
) -> tuple[Tally, list[tuple[str, str, Tally]]]:
    """The round's totals and, per block in the plan's order, (block id, name, tally)."""
    by_unit = {r.unit_id: r for r in reports if not r.withdrawn}
    per_block: dict[str, Tally] = {block_id: Tally() for block_id, _ in blocks}
    total = Tally()
    for unit in units:
        tally = per_block.setdefault(unit.block_id, Tally())
        report = by_unit.get(unit.unit_id)
        expected = unit.registered and unit.active
        for target in (tally, total):
            target.expected += int(expected)
            if report is not None:
                target.submitted += 1
                target.amended += int(report.versions > 1)
                if report.late:
                    target.late += 1
                    target.late_units.append(unit.name)
            elif expected:
                target.missing += 1
                target.missing_units.append(unit.name)
    names = dict(blocks)
    ordered = [(block_id, names.get(block_id, block_id), t) for block_id, t in per_block.items()]
    return total, ordered
