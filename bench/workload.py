"""A synthetic province-scale year, generated deterministically from a seed.

The year is a list of phases; each phase is a list of commands that may be sent concurrently,
and a phase starts only when the services have folded everything the previous one caused
(a tally needs its appraisal, a decision its passing ballot).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from thidua_contracts.commands import (
    MAX_COMMAND_BYTES,
    CloseRound,
    CloseSession,
    Command,
    DefineMovement,
    ImportRecords,
    OpenRound,
    OpenSession,
    PostNotice,
    ProposeAward,
    PublishMovement,
    RecordBlockBallot,
    RecordTally,
    RegisterIndividual,
    RegisterUnit,
    SignCovenant,
    SignDecision,
    SubmitReport,
)
from thidua_contracts.envelope import Actor, Role
from thidua_contracts.events import Achievement, CandidateVotes, CouncilMember, CriterionPoints
from thidua_contracts.movement import (
    Block,
    MovementDefinition,
    Person,
    RoundKind,
    Unit,
    UnitKind,
)
from thidua_kit.demo import COUNCIL, dossier, load_definition

MOVEMENT = "bench-2022"
NOI_VU = Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU)
SECRETARY = Actor(id="thu-ky-hoi-dong", role=Role.COUNCIL_SECRETARY)
CHAIRMAN_OFFICE = Actor(id="van-phong-ubnd", role=Role.CHAIRMAN_OFFICE)
# A command body must stay under MAX_COMMAND_BYTES: record imports are cut into chunks.
RECORDS_PER_IMPORT = 800

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Hữu", "Thanh", "Quang", "Hồng"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hương", "Khoa", "Lan", "Long"]
KINDS = [UnitKind.PHUONG, UnitKind.PHONG_BAN, UnitKind.TRUONG, UnitKind.DON_VI_SU_NGHIEP]


@dataclass(frozen=True)
class Size:
    blocks: int = 40
    units: int = 2000
    individuals: int = 50_000
    proposals: int = 10_000
    amended: float = 0.10
    late: float = 0.03
    decision_max: int = 2000
    session_size: int = 500
    seed: int = 2022

    def scaled(self, factor: float) -> Size:
        return Size(
            blocks=max(2, round(self.blocks * factor)),
            units=max(10, round(self.units * factor)),
            individuals=max(20, round(self.individuals * factor)),
            proposals=max(10, round(self.proposals * factor)),
            amended=self.amended,
            late=self.late,
            decision_max=max(10, round(self.decision_max * factor)),
            session_size=max(10, round(self.session_size * factor)),
            seed=self.seed,
        )


@dataclass
class Phase:
    name: str
    commands: list[Command]
    # Commands of one phase may be in flight together; some must go one after another.
    concurrent: bool = True


@dataclass
class Year:
    size: Size
    definitions: list[MovementDefinition]
    phases: list[Phase]
    notes: list[str] = field(default_factory=list)
    individuals_used: int = 0
    proposals_used: int = 0

    def commands(self) -> int:
        return sum(len(p.commands) for p in self.phases)

    def describe(self) -> dict[str, Any]:
        return {
            "requested": asdict(self.size),
            "movements": len(self.definitions),
            "units_used": sum(len(d.units) for d in self.definitions),
            "individuals_used": self.individuals_used,
            "proposals_used": self.proposals_used,
            "commands": self.commands(),
            "phases": {p.name: len(p.commands) for p in self.phases},
            "notes": self.notes,
        }


def clerk(unit: str) -> Actor:
    return Actor(id=f"{unit}-van-thu", role=Role.UNIT_CLERK, unit=unit)


class Ids:
    """Command ids from the seed: the same seed gives the same year, byte for byte."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def __call__(self) -> str:
        # UUIDv7 layout (time-ordered) with seeded bits: the log's ids stay valid and sortable.
        value = self._rng.getrandbits(128)
        value = (value & ~(0xF << 76)) | (0x7 << 76)
        value = (value & ~(0x3 << 62)) | (0x2 << 62)
        return str(uuid.UUID(int=value))


def unit_id(i: int) -> str:
    return f"dv-{i:04d}"


def person_id(j: int) -> str:
    return f"cn-{j:05d}"


@dataclass(frozen=True)
class Share:
    """One movement's part of the year: its blocks, units and people (global numbering)."""

    movement_id: str
    first_block: int
    blocks: int
    first_unit: int
    units: int
    first_person: int
    persons: int


def _definition(share: Share, rng: random.Random) -> MovementDefinition:
    base = load_definition()
    b0, u0 = share.first_block, share.first_unit
    units = [
        Unit(
            unit_id=unit_id(u0 + i),
            name=f"Đơn vị {u0 + i:04d}",
            kind=KINDS[i % len(KINDS)],
            block_id=f"khoi-{b0 + i % share.blocks:02d}",
        )
        for i in range(share.units)
    ]
    blocks = [
        Block(
            block_id=f"khoi-{b0 + b:02d}",
            name=f"Khối thi đua số {b0 + b + 1}",
            head_unit_id=unit_id(u0 + b),
            deputy_unit_id=unit_id(u0 + b + share.blocks)
            if b + share.blocks < share.units
            else None,
        )
        for b in range(share.blocks)
    ]
    people = [
        Person(
            person_id=person_id(share.first_person + j),
            full_name=f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            sex=rng.choice(["nam", "nu"]),
            position="Chuyên viên",
            unit_id=unit_id(u0 + j % share.units),
        )
        for j in range(share.persons)
    ]
    return base.model_copy(
        update={
            "movement_id": share.movement_id,
            "units": units,
            "blocks": blocks,
            "persons": people,
        }
    )


def _define_command(definition: MovementDefinition, ids: Ids) -> DefineMovement:
    return DefineMovement(
        command_id=ids(), actor=NOI_VU, movement_id=definition.movement_id, definition=definition
    )


def shares(size: Size, movements: int) -> list[Share]:
    def cut(total: int, k: int) -> tuple[int, int]:
        start = total * k // movements
        return start, total * (k + 1) // movements - start

    found = []
    for k in range(movements):
        b0, nb = cut(size.blocks, k)
        u0, nu = cut(size.units, k)
        p0, np_ = cut(size.individuals, k)
        name = MOVEMENT if movements == 1 else f"{MOVEMENT}-{k + 1:02d}"
        found.append(Share(name, b0, nb, u0, nu, p0, np_))
    return found


def define_bytes(share: Share) -> int:
    probe = random.Random(0)
    # In bytes, as the service counts them: Vietnamese names take more bytes than characters.
    return len(_define_command(_definition(share, probe), Ids(probe)).model_dump_json().encode())


def fit_movements(size: Size) -> int:
    """A movement definition carries every unit and person and travels in one command (at most
    MAX_COMMAND_BYTES): the fewest movements, splitting the blocks, whose definitions fit."""
    for movements in range(1, size.blocks + 1):
        if all(define_bytes(s) <= MAX_COMMAND_BYTES * 0.98 for s in shares(size, movements)):
            return movements
    raise ValueError("even one block per movement does not fit in one command")


def generate(size: Size, movements: int | None = None) -> Year:
    needed = fit_movements(size)
    count = max(needed, movements or 1)
    notes = []
    if needed > 1:
        one = define_bytes(shares(size, 1)[0])
        notes.append(
            f"one movement cannot carry {size.units} units and {size.individuals} people: its "
            f"definition would be {one:,} bytes and DefineMovement is limited to "
            f"{MAX_COMMAND_BYTES:,}; the province's year is split into {count} movements "
            f"(groups of blocks), run together"
        )
    ids = Ids(random.Random(size.seed + 1))
    merged: dict[str, Phase] = {}
    definitions = []
    proposals = 0
    for k, share in enumerate(shares(size, count)):
        rng = random.Random(size.seed * 1000 + k)
        definition = _definition(share, rng)
        definitions.append(definition)
        wanted = size.proposals * (k + 1) // count - size.proposals * k // count
        for phase in _movement_year(definition, size, wanted, rng, ids):
            if phase.name not in merged:
                merged[phase.name] = Phase(phase.name, [], phase.concurrent)
            merged[phase.name].commands.extend(phase.commands)
            if phase.name == "proposals":
                proposals += len(phase.commands)
    return Year(
        size=size,
        definitions=definitions,
        phases=list(merged.values()),
        notes=notes,
        individuals_used=sum(len(d.persons) for d in definitions),
        proposals_used=proposals,
    )


def _movement_year(
    definition: MovementDefinition, size: Size, wanted: int, rng: random.Random, ids: Ids
) -> list[Phase]:
    movement_id = definition.movement_id
    criteria = definition.scoring_table
    units = [u.unit_id for u in definition.units]
    blocks = {
        b.block_id: [u.unit_id for u in definition.units if u.block_id == b.block_id]
        for b in definition.blocks
    }
    heads = {b.head_unit_id for b in definition.blocks}
    year = definition.year
    phases: list[Phase] = []
    phases.append(
        Phase(
            "define",
            [
                _define_command(definition, ids),
                PublishMovement(
                    command_id=ids(),
                    actor=NOI_VU,
                    movement_id=movement_id,
                    number="95/KH-UBND",
                    signed_on=date(year, 5, 10),
                    signer_name="Nguyễn Minh Quang",
                    signer_position="Chủ tịch UBND thành phố",
                ),
            ],
            concurrent=False,
        )
    )
    covenants: list[Command] = [
        SignCovenant(
            command_id=ids(),
            movement_id=movement_id,
            block_id=block_id,
            actor=Actor(id=f"{members[0]}-chu-tich", role=Role.BLOCK_HEAD, unit=members[0]),
            signed_on=date(year, 5, 25),
            signatory_unit_ids=members[:200],
            target_codes=[t.code for t in definition.targets],
        )
        for block_id, members in blocks.items()
    ]
    registrations: list[Command] = [
        RegisterUnit(
            command_id=ids(),
            actor=clerk(u),
            movement_id=movement_id,
            unit_id=u,
            titles_sought=["GK_CT_UBND_TP"],
            registered_on=date(year, 5, 20 + rng.randrange(11)),
        )
        for u in units
    ]
    phases.append(Phase("registrations-units", covenants + registrations))
    phases.append(
        Phase(
            "registrations-individuals",
            [
                RegisterIndividual(
                    command_id=ids(),
                    actor=clerk(p.unit_id),
                    movement_id=movement_id,
                    unit_id=p.unit_id,
                    person_id=p.person_id,
                    titles_sought=["GK_CT_UBND_TP"],
                    registered_on=date(year, 5, 20 + rng.randrange(11)),
                )
                for p in definition.persons
            ],
        )
    )
    # Who will be proposed: most people for Lao động tiên tiến, some for the city's Giấy khen,
    # block leaders (honoured by their block's ballot) for the collective Giấy khen.
    wanted = min(wanted, len(definition.persons) + len(blocks))
    proposed = rng.sample(definition.persons, max(0, wanted - len(blocks)))
    gk_people = {p.person_id for p in proposed[: len(proposed) * 3 // 10]}
    records = _records(definition, proposed, gk_people, rng)
    phases.append(
        Phase(
            "records",
            [
                ImportRecords(
                    command_id=ids(),
                    actor=NOI_VU,
                    movement_id=movement_id,
                    kind=kind,  # type: ignore[arg-type]
                    rows=rows[i : i + RECORDS_PER_IMPORT],
                )
                for kind, rows in records.items()
                for i in range(0, len(rows), RECORDS_PER_IMPORT)
            ],
        )
    )
    phases.append(
        Phase(
            "rounds-open",
            [
                OpenRound(
                    command_id=ids(),
                    actor=NOI_VU,
                    movement_id=movement_id,
                    round=r.round,
                    opened_on=r.opens_on,
                )
                for r in definition.rounds
            ],
        )
    )
    for r in definition.rounds:
        # Block heads report on time with full marks: they lead, and their blocks honour them.
        late = set(rng.sample([u for u in units if u not in heads], round(len(units) * size.late)))
        on_time = [u for u in units if u not in late]
        amended = set(rng.sample(on_time, round(len(units) * size.amended)))
        first: list[Command] = []
        again: list[Command] = []
        for u in units:
            on = r.due_on + timedelta(days=4) if u in late else r.due_on - timedelta(days=6)
            leads = u in heads
            first.append(_report(ids, movement_id, u, r.round, on, criteria, rng, "Báo cáo", leads))
            if u in amended:
                again.append(
                    _report(
                        ids,
                        movement_id,
                        u,
                        r.round,
                        on + timedelta(days=1),
                        criteria,
                        rng,
                        "Bản sửa đổi",
                        leads,
                    )
                )
        phases.append(Phase(f"reports-{r.round.value}", first))
        phases.append(Phase(f"reports-{r.round.value}-amended", again))
        phases.append(
            Phase(
                f"close-{r.round.value}",
                [
                    CloseRound(
                        command_id=ids(),
                        actor=NOI_VU,
                        movement_id=movement_id,
                        round=r.round,
                        closed_on=r.due_on + timedelta(days=10),
                    )
                ],
            )
        )
    # Each block meets and honours its head, which scored full marks and leads the ranking.
    phases.append(
        Phase(
            "block-ballots",
            [
                RecordBlockBallot(
                    command_id=ids(),
                    actor=Actor(id=f"{m[0]}-chu-tich", role=Role.BLOCK_HEAD, unit=m[0]),
                    movement_id=movement_id,
                    block_id=block_id,
                    round=RoundKind.TONG_KET,
                    meeting_on=date(year, 12, 28),
                    members_total=min(len(m), 200),
                    issued=min(len(m), 200),
                    returned=min(len(m), 200),
                    valid=min(len(m), 200),
                    votes=[CandidateVotes(unit_id=m[0], yes=min(len(m), 200))],
                )
                for block_id, m in blocks.items()
            ],
        )
    )
    proposal_ids: list[tuple[str, str]] = []
    propose: list[Command] = []
    for p in proposed:
        pid = ids()
        code = "GK_CT_UBND_TP"
        proposal_ids.append((pid, code))
        propose.append(
            ProposeAward(
                command_id=ids(),
                actor=clerk(p.unit_id),
                movement_id=movement_id,
                proposal_id=pid,
                unit_id=p.unit_id,
                subject_kind="ca_nhan",
                subject_id=p.person_id,
                award_code=code,
                year=year,
                achievement_summary=f"Hoàn thành xuất sắc nhiệm vụ năm {year}.",
                dossier=dossier(p.unit_id),
            )
        )
    for members in list(blocks.values())[: wanted - len(proposed)]:
        pid = ids()
        proposal_ids.append((pid, "GK_CT_UBND_TP"))
        propose.append(
            ProposeAward(
                command_id=ids(),
                actor=clerk(members[0]),
                movement_id=movement_id,
                proposal_id=pid,
                unit_id=members[0],
                subject_kind="tap_the",
                subject_id=members[0],
                award_code="GK_CT_UBND_TP",
                year=year,
                achievement_summary=f"Tập thể hoàn thành xuất sắc nhiệm vụ năm {year}.",
                dossier=dossier(members[0]),
            )
        )
    phases.append(Phase("proposals", propose))
    tallies: list[Command] = []
    passed: dict[str, list[str]] = {}
    members = len(COUNCIL)
    for n, (pid, code) in enumerate(proposal_ids):
        session = n // size.session_size
        # More than half of all members passes; about one in ten fails.
        yes = 4 if rng.random() < 0.1 else rng.randint(6, 9)
        if yes * 2 > members:
            passed.setdefault(code, []).append(pid)
        tallies.append(
            RecordTally(
                command_id=ids(),
                actor=SECRETARY,
                movement_id=movement_id,
                proposal_id=pid,
                session_id=f"hdtdkt-{year}-12-s{session + 1:02d}",
                session_date=date(year, 12, 29) + timedelta(days=session // 3),
                members_total=members,
                present=members,
                issued=members,
                returned=members,
                valid=members,
                yes=yes,
            )
        )
    # The nominees posted publicly, then each council session opened with its attendance.
    phases.append(
        Phase(
            "public-notice",
            [
                PostNotice(
                    command_id=ids(),
                    actor=NOI_VU,
                    movement_id=movement_id,
                    notice_id=f"cong-khai-{year}-12-12-{i // 5000 + 1:02d}",
                    proposal_ids=[pid for pid, _code in proposal_ids[i : i + 5000]],
                    channel="Cổng thông tin điện tử thành phố",
                    posted_on=date(year, 12, 12),
                )
                for i in range(0, len(proposal_ids), 5000)
            ],
        )
    )
    council = [
        CouncilMember(member_id=f"tv-{i:02d}", name=name, position=position)
        for i, (name, position) in enumerate(COUNCIL, start=1)
    ]
    sessions = sorted({(t.session_id, t.session_date) for t in tallies})  # type: ignore[attr-defined]
    phases.append(
        Phase(
            "council-sessions-open",
            [
                OpenSession(
                    command_id=ids(),
                    actor=SECRETARY,
                    movement_id=movement_id,
                    session_id=session_id,
                    session_date=on,
                    members=council,
                    present_ids=[m.member_id for m in council],
                )
                for session_id, on in sessions
            ],
        )
    )
    phases.append(Phase("council-tallies", tallies))
    phases.append(
        Phase(
            "council-sessions-close",
            [
                CloseSession(
                    command_id=ids(),
                    actor=SECRETARY,
                    movement_id=movement_id,
                    session_id=session_id,
                    closed_on=on,
                )
                for session_id, on in sessions
            ],
        )
    )
    decisions: list[Command] = []
    number = 1
    for code in sorted(passed):
        chosen = passed[code]
        for i in range(0, len(chosen), size.decision_max):
            decisions.append(
                SignDecision(
                    command_id=ids(),
                    actor=CHAIRMAN_OFFICE,
                    movement_id=movement_id,
                    decision_id=ids(),
                    number=f"{number:02d}/QĐ-UBND",
                    signed_on=date(year + 1, 1, 5),
                    signer_name="Nguyễn Minh Quang",
                    signer_position="chu_tich",
                    proposal_ids=chosen[i : i + size.decision_max],
                )
            )
            number += 1
    phases.append(Phase("decisions", decisions))
    return phases


def _report(
    ids: Ids,
    movement_id: str,
    unit: str,
    kind: RoundKind,
    on: date,
    criteria: list[Any],
    rng: random.Random,
    lead: str,
    leader: bool,
) -> SubmitReport:
    # The block's head scores full marks, so it leads and its block honours it.
    scores = []
    for c in criteria:
        top = float(c.max_points)
        points = top if leader else max(0.0, top - rng.randrange(0, 11) * 0.5)
        scores.append(CriterionPoints(criterion_code=c.code, points=_dec(points)))
    return SubmitReport(
        command_id=ids(),
        actor=clerk(unit),
        movement_id=movement_id,
        unit_id=unit,
        round=kind,
        submitted_on=on,
        achievements=[
            Achievement(target_code="phong-chong-dich", value="100", unit_of_measure="%")
        ],
        self_scores=scores,
        narrative=f"{lead} {'sơ kết' if kind == RoundKind.SO_KET else 'tổng kết'} năm 2022.",
    )


def unit_id_index(unit: str) -> int:
    return int(unit.removeprefix("dv-"))


def _dec(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def _records(
    definition: MovementDefinition,
    proposed: list[Person],
    gk_people: set[str],
    rng: random.Random,
) -> dict[str, list[dict[str, Any]]]:
    year = definition.year
    proposed_ids = {p.person_id for p in proposed}
    ratings = []
    for p in definition.persons:
        if p.person_id in proposed_ids:
            value = "HTXS"  # the Giấy khen asks for it
        else:
            value = rng.choice(["HTXS", "HTT", "HTT", "HT", "KHT"])
        ratings.append(
            {
                "subject_kind": "ca_nhan",
                "subject_id": p.person_id,
                "unit_id": p.unit_id,
                "year": year,
                "kind": "nhiem_vu",
                "value": value,
                "source_ref": f"Tổng hợp xếp loại năm {year}",
            }
        )
    for u in definition.units:
        ratings.append(
            {
                "subject_kind": "tap_the",
                "subject_id": u.unit_id,
                "unit_id": u.unit_id,
                "year": year,
                "kind": "nhiem_vu",
                "value": "HTXS",
                "source_ref": f"Tổng hợp xếp loại năm {year}",
            }
        )
    # Discipline falls on people not proposed, outside the block heads' units (a collective
    # with a disciplined member is not eligible).
    heads = {b.head_unit_id for b in definition.blocks}
    others = [
        p for p in definition.persons if p.person_id not in proposed_ids and p.unit_id not in heads
    ]
    initiatives = [
        {
            "initiative_id": f"sk-{year}-{n:05d}",
            "person_id": p.person_id,
            "unit_id": p.unit_id,
            "title": "Sáng kiến cải tiến quy trình giải quyết thủ tục hành chính",
            "level": "co_so",
            "decision_ref": f"{n + 1:02d}/QĐ-HĐSK",
            "recognised_on": date(year, 11, 15).isoformat(),
        }
        for n, p in enumerate(rng.sample(definition.persons, len(definition.persons) // 20))
    ]
    prior = [
        {
            "subject_kind": "ca_nhan",
            "subject_id": p.person_id,
            "unit_id": p.unit_id,
            "year": year - 1,
            "award_code": "LDTT",
            "decision_ref": f"{n + 1:02d}/QĐ-UBND",
            "issuer": "Chủ tịch UBND thành phố",
        }
        for n, p in enumerate(rng.sample(definition.persons, len(definition.persons) // 10))
    ]
    discipline = [
        {
            "subject_kind": "ca_nhan",
            "subject_id": p.person_id,
            "unit_id": p.unit_id,
            "year": year,
            "level": "khien_trach",
            "decision_ref": f"{n + 1:02d}/QĐ-KL",
            "effective_from": date(year, 3, 1).isoformat(),
        }
        for n, p in enumerate(rng.sample(others, min(len(others), len(definition.persons) // 100)))
    ]
    return {
        "ratings": ratings,
        "initiatives": initiatives,
        "prior_awards": prior,
        "discipline": discipline,
    }
