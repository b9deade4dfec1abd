"""Submissions deciders: given events → when command → then events (or a rejection)."""

from __future__ import annotations

import base64
import hashlib
import itertools
import uuid
from collections.abc import Callable
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any, TypeVar

import pytest
import yaml

from thidua_contracts.commands import (
    DefineMovement,
    ProposeAward,
    RegisterUnit,
    SubmitReport,
    WithdrawReport,
)
from thidua_contracts.envelope import Actor, Envelope, Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import (
    Achievement,
    AwardProposed,
    Commitment,
    CriterionPoints,
    EventPayload,
    MovementDefined,
    ReportSubmitted,
    ReportWithdrawn,
    UnitRegistered,
)
from thidua_contracts.movement import MovementDefinition, RoundKind
from thidua_kit.calendar import state_calendar
from thidua_submissions.domain import movement, proposal, registration, report
from thidua_submissions.domain import round as round_

S = TypeVar("S")

MOVEMENT = "bn-2022"
UNIT = "phuong-vu-ninh"
OTHER_UNIT = "phuong-kinh-bac"
PROPOSAL_ID = "5b0e8f1c-2d3a-4b5c-8d9e-0f1a2b3c4d5e"
_ids = itertools.count(1)


# --- helpers ---------------------------------------------------------------------------------


@cache
def sample() -> MovementDefinition:
    text = files("thidua_kit").joinpath("demo", "bn-2022.yaml").read_text(encoding="utf-8")
    return MovementDefinition.model_validate(yaml.safe_load(text))


def new_id() -> str:
    return str(uuid.UUID(int=next(_ids), version=4))


def clerk(unit: str = UNIT) -> Actor:
    return Actor(id=f"clerk-{unit}", role=Role.UNIT_CLERK, unit=unit)


def noi_vu() -> Actor:
    return Actor(id="chuyen-vien-noi-vu", role=Role.PHONG_NOI_VU, unit="phong-noi-vu")


def envelope(payload: EventPayload) -> Envelope:
    return Envelope(
        event_id=new_id(),
        type=payload.TYPE,
        version=payload.VERSION,
        subject=f"thidua.evt.submissions.test.{MOVEMENT}",
        movement_id=MOVEMENT,
        occurred_at="2022-06-01T08:00:00+07:00",
        actor=clerk(),
        causation_id=None,
        correlation_id=new_id(),
        payload=payload.model_dump(mode="json"),
    )


def given(evolve: Callable[[S, Envelope, EventPayload], S], initial: S, *events: EventPayload) -> S:
    """Fold the given events into the aggregate's state."""
    state = initial
    for event in events:
        state = evolve(state, envelope(event), event)
    return state


def rejected(call: Callable[[], Any]) -> Rejected:
    with pytest.raises(Rejected) as info:
        call()
    return info.value


def define(
    actor: Actor | None = None,
    movement_id: str = MOVEMENT,
    definition: MovementDefinition | None = None,
) -> DefineMovement:
    return DefineMovement(
        command_id=new_id(),
        actor=actor or noi_vu(),
        movement_id=movement_id,
        definition=definition or sample(),
    )


def register(
    unit: str = UNIT,
    actor: Actor | None = None,
    on: date = date(2022, 5, 20),
    commitments: list[Commitment] | None = None,
    titles: list[str] | None = None,
) -> RegisterUnit:
    return RegisterUnit(
        command_id=new_id(),
        actor=actor or clerk(unit),
        movement_id=MOVEMENT,
        unit_id=unit,
        titles_sought=titles if titles is not None else ["GK_CT_UBND_TP"],
        commitments=commitments
        if commitments is not None
        else [Commitment(target_code="phong-chong-dich", value="100")],
        registered_on=on,
    )


def registered_event(unit: str = UNIT) -> UnitRegistered:
    return UnitRegistered(unit_id=unit, registered_on=date(2022, 5, 20), late=False)


def submit(
    round_: RoundKind = RoundKind.TONG_KET,
    on: date = date(2022, 12, 12),
    scores: list[tuple[str, str]] | None = None,
    achievements: list[Achievement] | None = None,
    unit: str = UNIT,
    actor: Actor | None = None,
) -> SubmitReport:
    return SubmitReport(
        command_id=new_id(),
        actor=actor or clerk(unit),
        movement_id=MOVEMENT,
        unit_id=unit,
        round=round_,
        achievements=achievements or [],
        self_scores=[
            CriterionPoints(criterion_code=c, points=p)
            for c, p in (scores if scores is not None else [("nhiem-vu-chinh-tri", "55")])
        ],
        narrative="Hoàn thành tốt nhiệm vụ.",
        submitted_on=on,
    )


def propose(
    subject_id: str = "nguyen-thi-huong",
    kind: str = "ca_nhan",
    award: str = "GK_CT_UBND_TP",
    year: int = 2022,
    unit: str = UNIT,
    actor: Actor | None = None,
) -> ProposeAward:
    return ProposeAward.model_validate(
        {
            "command_id": new_id(),
            "actor": actor or clerk(unit),
            "movement_id": MOVEMENT,
            "proposal_id": PROPOSAL_ID,
            "unit_id": unit,
            "subject_kind": kind,
            "subject_id": subject_id,
            "award_code": award,
            "year": year,
            "achievement_summary": "Hoàn thành xuất sắc nhiệm vụ năm 2022.",
        }
    )


def decide_register(command: RegisterUnit, *events: EventPayload) -> list[EventPayload]:
    state = given(registration.evolve, registration.initial(), *events)
    return registration.decide_register(command, sample(), state)


CALENDAR = state_calendar(range(2021, 2024))


def decide_submit(
    command: SubmitReport, *events: EventPayload, registered: bool = True
) -> list[EventPayload]:
    state = given(report.evolve, report.initial(), *events)
    planned = sample().round_of(command.round)
    assert planned is not None
    opened = round_.RoundState(
        opened_on=planned.opens_on, due_on=CALENDAR.effective_deadline(planned.due_on)
    )
    return report.decide_submit(command, sample(), registered, state, opened, CALENDAR)


def decide_propose(
    command: ProposeAward, *events: EventPayload, registered: bool = True
) -> list[EventPayload]:
    state = given(proposal.evolve, proposal.initial(), *events)
    return proposal.decide_propose(command, sample(), registered, state)


# --- movement --------------------------------------------------------------------------------


def test_the_sample_movement_loads() -> None:
    definition = sample()

    assert definition.movement_id == MOVEMENT
    assert definition.registration_due_on == date(2022, 5, 31)
    assert definition.unit(UNIT) is not None


@pytest.mark.parametrize("role", [Role.PHONG_NOI_VU, Role.SYSTEM])
def test_defining_a_new_movement_records_its_definition(role: Role) -> None:
    command = define(actor=Actor(id="nguoi-dung", role=role))

    events = movement.decide_define(command, movement.initial())

    assert events == [MovementDefined(definition=sample())]


def test_a_defined_movement_is_held_in_state() -> None:
    event = MovementDefined(definition=sample())
    env = envelope(event)

    state = movement.evolve(movement.initial(), env, event)

    assert state.definition == sample()
    assert state.defined_event_id == env.event_id
    assert movement.require_defined(state, MOVEMENT) == sample()


def test_defining_a_movement_twice_is_rejected() -> None:
    state = given(movement.evolve, movement.initial(), MovementDefined(definition=sample()))

    error = rejected(lambda: movement.decide_define(define(), state))

    assert error.code == ErrorCode.MOVEMENT_EXISTS
    assert error.field == "movement_id"


@pytest.mark.parametrize(
    "role", [Role.UNIT_CLERK, Role.COUNCIL_SECRETARY, Role.CHAIRMAN_OFFICE, Role.BLOCK_HEAD]
)
def test_only_phong_noi_vu_or_the_system_may_define_a_movement(role: Role) -> None:
    command = define(actor=Actor(id="nguoi-dung", role=role, unit=UNIT))

    error = rejected(lambda: movement.decide_define(command, movement.initial()))

    assert error.code == ErrorCode.FORBIDDEN
    assert error.field == "actor.role"


def test_a_definition_for_another_movement_id_is_rejected() -> None:
    command = define(movement_id="bn-2023")

    error = rejected(lambda: movement.decide_define(command, movement.initial()))

    assert error.code == ErrorCode.INVALID_FIELD
    assert error.field == "definition.movement_id"


def test_an_undefined_movement_is_reported_as_unknown() -> None:
    error = rejected(lambda: movement.require_defined(movement.initial(), MOVEMENT))

    assert error.code == ErrorCode.UNKNOWN_MOVEMENT


# --- registration ----------------------------------------------------------------------------


def test_a_unit_clerk_registers_the_unit() -> None:
    command = register(on=date(2022, 5, 20))

    events = decide_register(command)

    assert events == [
        UnitRegistered(
            unit_id=UNIT,
            titles_sought=["GK_CT_UBND_TP"],
            commitments=[Commitment(target_code="phong-chong-dich", value="100")],
            registered_on=date(2022, 5, 20),
            late=False,
        )
    ]


@pytest.mark.parametrize(
    ("on", "late"),
    [
        (date(2022, 1, 1), False),
        (date(2022, 5, 30), False),
        (date(2022, 5, 31), False),  # the due date itself is still on time
        (date(2022, 6, 1), True),
        (date(2022, 12, 31), True),
    ],
)
def test_registration_after_31_may_2022_is_late(on: date, late: bool) -> None:
    (event,) = decide_register(register(on=on))

    assert isinstance(event, UnitRegistered)
    assert event.late is late


def test_registering_an_unknown_unit_is_rejected() -> None:
    error = rejected(lambda: decide_register(register(unit="phuong-khong-ton-tai")))

    assert error.code == ErrorCode.UNKNOWN_UNIT
    assert error.field == "unit_id"


def test_a_clerk_of_another_unit_may_not_register_this_unit() -> None:
    error = rejected(lambda: decide_register(register(unit=UNIT, actor=clerk(OTHER_UNIT))))

    assert error.code == ErrorCode.FORBIDDEN
    assert error.field == "actor"


@pytest.mark.parametrize(
    "actor",
    [noi_vu(), Actor(id="truong-khoi", role=Role.BLOCK_HEAD, unit=UNIT)],
    ids=["phong-noi-vu", "block-head-of-the-unit"],
)
def test_only_the_units_own_clerk_may_register_it(actor: Actor) -> None:
    error = rejected(lambda: decide_register(register(actor=actor)))

    assert error.code == ErrorCode.FORBIDDEN


def test_registering_twice_is_rejected() -> None:
    error = rejected(lambda: decide_register(register(), registered_event()))

    assert error.code == ErrorCode.DUPLICATE_REGISTRATION
    assert error.field == "unit_id"


def test_another_units_registration_does_not_count_as_this_units() -> None:
    # Each unit's registration is its own aggregate: a fresh state accepts it.
    assert len(decide_register(register(unit=OTHER_UNIT))) == 1


def test_a_commitment_to_an_unknown_target_is_rejected_with_its_index() -> None:
    command = register(commitments=[Commitment(target_code="chi-tieu-khong-co", value="1")])

    error = rejected(lambda: decide_register(command))

    assert error.code == ErrorCode.UNKNOWN_TARGET
    assert error.field == "commitments.0.target_code"


def test_the_index_of_the_unknown_target_is_the_offending_one() -> None:
    command = register(
        commitments=[
            Commitment(target_code="phong-chong-dich", value="100"),
            Commitment(target_code="xay-dung-dang", value="1"),
            Commitment(target_code="chi-tieu-khong-co", value="1"),
        ]
    )

    error = rejected(lambda: decide_register(command))

    assert error.field == "commitments.2.target_code"


def test_seeking_an_award_form_not_in_the_movement_is_rejected() -> None:
    command = register(titles=["GK_CT_UBND_TP", "HUAN_CHUONG_LAO_DONG"])

    error = rejected(lambda: decide_register(command))

    assert error.code == ErrorCode.UNKNOWN_AWARD_FORM
    assert error.field == "titles_sought.1"


@pytest.mark.parametrize("on", [date(2021, 12, 31), date(2023, 1, 1)])
def test_a_registration_date_outside_the_movement_period_is_rejected(on: date) -> None:
    error = rejected(lambda: decide_register(register(on=on)))

    assert error.code == ErrorCode.VALUE_OUT_OF_RANGE
    assert error.field == "registered_on"


def test_registration_state_remembers_the_event() -> None:
    event = registered_event()
    env = envelope(event)

    state = registration.evolve(registration.initial(), env, event)

    assert state.registered is True
    assert state.event_id == env.event_id


# --- reports ---------------------------------------------------------------------------------


def test_a_registered_unit_submits_its_first_report_as_version_1() -> None:
    command = submit(scores=[("nhiem-vu-chinh-tri", "55.5"), ("xay-dung-dang", "15")])

    events = decide_submit(command)

    assert events == [
        ReportSubmitted(
            unit_id=UNIT,
            round=RoundKind.TONG_KET,
            report_version=1,
            self_scores=[
                CriterionPoints(criterion_code="nhiem-vu-chinh-tri", points="55.5"),
                CriterionPoints(criterion_code="xay-dung-dang", points="15"),
            ],
            narrative="Hoàn thành tốt nhiệm vụ.",
            submitted_on=date(2022, 12, 12),
            late=False,
        )
    ]


def test_a_resubmitted_report_gets_the_next_version() -> None:
    (first,) = decide_submit(submit())
    (second,) = decide_submit(submit(), first)
    (third,) = decide_submit(submit(), first, second)

    assert isinstance(first, ReportSubmitted)
    assert isinstance(second, ReportSubmitted)
    assert isinstance(third, ReportSubmitted)
    assert [first.report_version, second.report_version, third.report_version] == [1, 2, 3]


def test_report_state_follows_the_latest_version() -> None:
    (first,) = decide_submit(submit())
    env = envelope(first)

    state = report.evolve(report.initial(), env, first)

    assert state.versions == 1
    assert state.latest_event_id == env.event_id


def test_a_unit_that_has_not_registered_cannot_report() -> None:
    error = rejected(lambda: decide_submit(submit(), registered=False))

    assert error.code == ErrorCode.NOT_REGISTERED
    assert error.field == "unit_id"


@pytest.mark.parametrize(
    ("round_", "on"),
    [(RoundKind.SO_KET, date(2022, 6, 30)), (RoundKind.TONG_KET, date(2022, 11, 30))],
)
def test_a_report_before_its_round_opens_is_rejected(round_: RoundKind, on: date) -> None:
    error = rejected(lambda: decide_submit(submit(round_=round_, on=on)))

    assert error.code == ErrorCode.ROUND_NOT_OPEN
    assert error.field == "round"


@pytest.mark.parametrize(
    ("round_", "on", "late"),
    [
        (RoundKind.SO_KET, date(2022, 7, 1), False),  # the day it opens
        (RoundKind.SO_KET, date(2022, 7, 29), False),  # the due date
        (RoundKind.SO_KET, date(2022, 7, 30), True),
        (RoundKind.SO_KET, date(2022, 9, 15), True),
        (RoundKind.TONG_KET, date(2022, 12, 15), False),
        (RoundKind.TONG_KET, date(2022, 12, 16), True),
    ],
)
def test_a_report_after_its_due_date_is_accepted_and_marked_late(
    round_: RoundKind, on: date, late: bool
) -> None:
    (event,) = decide_submit(submit(round_=round_, on=on))

    assert isinstance(event, ReportSubmitted)
    assert event.round == round_
    assert event.late is late


def test_a_self_score_for_an_unknown_criterion_is_rejected() -> None:
    command = submit(scores=[("nhiem-vu-chinh-tri", "50"), ("tieu-chi-khong-co", "5")])

    error = rejected(lambda: decide_submit(command))

    assert error.code == ErrorCode.UNKNOWN_CRITERION
    assert error.field == "self_scores.1.criterion_code"


@pytest.mark.parametrize(
    ("criterion", "points"),
    [("nhiem-vu-chinh-tri", "60.01"), ("xay-dung-dang", "16"), ("cai-cach-hanh-chinh", "10.5")],
)
def test_points_above_the_criterion_maximum_are_rejected(criterion: str, points: str) -> None:
    error = rejected(lambda: decide_submit(submit(scores=[(criterion, points)])))

    assert error.code == ErrorCode.VALUE_OUT_OF_RANGE
    assert error.field == "self_scores.0.points"


def test_negative_points_are_rejected() -> None:
    error = rejected(lambda: decide_submit(submit(scores=[("xay-dung-dang", "-1")])))

    assert error.code == ErrorCode.VALUE_OUT_OF_RANGE
    assert error.field == "self_scores.0.points"


def test_points_equal_to_the_maximum_and_zero_are_accepted() -> None:
    scores = [("nhiem-vu-chinh-tri", "60"), ("xay-dung-dang", "15.00"), ("cong-tac-thi-dua", "0")]

    (event,) = decide_submit(submit(scores=scores))

    assert isinstance(event, ReportSubmitted)
    assert [(s.criterion_code, s.points) for s in event.self_scores] == scores


def test_a_criterion_scored_twice_is_rejected() -> None:
    command = submit(
        scores=[("nhiem-vu-chinh-tri", "50"), ("xay-dung-dang", "10"), ("nhiem-vu-chinh-tri", "1")]
    )

    error = rejected(lambda: decide_submit(command))

    assert error.code == ErrorCode.INVALID_FIELD
    assert error.field == "self_scores.2.criterion_code"


def test_an_achievement_against_an_unknown_target_is_rejected() -> None:
    command = submit(
        achievements=[Achievement(target_code="chi-tieu-khong-co", value="1", unit_of_measure="%")]
    )

    error = rejected(lambda: decide_submit(command))

    assert error.code == ErrorCode.UNKNOWN_TARGET
    assert error.field == "achievements.0.target_code"


def test_a_clerk_of_another_unit_may_not_report_for_this_unit() -> None:
    error = rejected(lambda: decide_submit(submit(actor=clerk(OTHER_UNIT))))

    assert error.code == ErrorCode.FORBIDDEN


# --- proposals -------------------------------------------------------------------------------


def test_a_unit_proposes_one_of_its_people() -> None:
    events = decide_propose(propose(subject_id="nguyen-thi-huong"))

    assert events == [
        AwardProposed(
            proposal_id=PROPOSAL_ID,
            unit_id=UNIT,
            subject_kind="ca_nhan",
            subject_id="nguyen-thi-huong",
            subject_name="Nguyễn Thị Hương",
            award_code="GK_CT_UBND_TP",
            year=2022,
            achievement_summary="Hoàn thành xuất sắc nhiệm vụ năm 2022.",
        )
    ]


def test_a_unit_proposes_itself_as_a_collective_under_its_own_name() -> None:
    (event,) = decide_propose(propose(subject_id=UNIT, kind="tap_the"))

    assert isinstance(event, AwardProposed)
    assert event.subject_kind == "tap_the"
    assert event.subject_name == "Ủy ban nhân dân phường Vũ Ninh"


def test_a_person_of_another_unit_cannot_be_proposed() -> None:
    # Lê Thị Thu Hà works at phường Kinh Bắc, not Vũ Ninh.
    error = rejected(lambda: decide_propose(propose(subject_id="le-thi-thu-ha")))

    assert error.code == ErrorCode.PERSON_NOT_IN_UNIT
    assert error.field == "subject_id"


def test_an_unknown_person_cannot_be_proposed() -> None:
    error = rejected(lambda: decide_propose(propose(subject_id="nguoi-khong-co")))

    assert error.code == ErrorCode.UNKNOWN_PERSON
    assert error.field == "subject_id"


def test_a_unit_cannot_propose_another_unit_as_a_collective() -> None:
    error = rejected(lambda: decide_propose(propose(subject_id=OTHER_UNIT, kind="tap_the")))

    assert error.code == ErrorCode.INVALID_FIELD
    assert error.field == "subject_id"


@pytest.mark.parametrize("year", [2021, 2023])
def test_a_proposal_for_another_year_than_the_movements_is_rejected(year: int) -> None:
    error = rejected(lambda: decide_propose(propose(year=year)))

    assert error.code == ErrorCode.VALUE_OUT_OF_RANGE
    assert error.field == "year"


def test_an_award_form_not_in_the_movement_is_rejected() -> None:
    error = rejected(lambda: decide_propose(propose(award="HUAN_CHUONG_LAO_DONG")))

    assert error.code == ErrorCode.UNKNOWN_AWARD_FORM
    assert error.field == "award_code"


def test_an_award_form_that_does_not_apply_to_the_subject_kind_is_rejected() -> None:
    # Cờ thi đua is for collectives only.
    error = rejected(lambda: decide_propose(propose(award="CO_UBND_TINH")))

    assert error.code == ErrorCode.INVALID_FIELD
    assert error.field == "subject_kind"


def test_the_same_proposal_twice_is_rejected() -> None:
    (first,) = decide_propose(propose())

    error = rejected(lambda: decide_propose(propose(), first))

    assert error.code == ErrorCode.DUPLICATE_PROPOSAL
    assert error.field == "proposal_id"


def test_a_unit_that_has_not_registered_cannot_propose() -> None:
    error = rejected(lambda: decide_propose(propose(), registered=False))

    assert error.code == ErrorCode.NOT_REGISTERED


def test_a_clerk_of_another_unit_may_not_propose_for_this_unit() -> None:
    error = rejected(lambda: decide_propose(propose(actor=clerk(OTHER_UNIT))))

    assert error.code == ErrorCode.FORBIDDEN
    assert error.field == "actor"


# --- amendments, withdrawal and lateness in working days ---------------------------------


def test_a_report_can_be_amended_until_the_deadline_but_not_after() -> None:
    (first,) = decide_submit(submit(round_=RoundKind.TONG_KET, on=date(2022, 12, 12)))
    (second,) = decide_submit(submit(round_=RoundKind.TONG_KET, on=date(2022, 12, 15)), first)
    assert isinstance(second, ReportSubmitted) and second.report_version == 2
    error = rejected(
        lambda: decide_submit(submit(round_=RoundKind.TONG_KET, on=date(2022, 12, 19)), first)
    )
    assert error.code == ErrorCode.ROUND_CLOSED
    assert error.field == "submitted_on"


def test_a_first_report_after_the_deadline_counts_its_working_days_late() -> None:
    # Due Thursday 15/12/2022: Friday 16, Monday 19 and Tuesday 20 make 3 working days late.
    (event,) = decide_submit(submit(round_=RoundKind.TONG_KET, on=date(2022, 12, 20)))
    assert isinstance(event, ReportSubmitted)
    assert (event.late, event.working_days_late) == (True, 3)


def test_a_withdrawn_report_can_be_submitted_again_as_a_new_late_version() -> None:
    (first,) = decide_submit(submit(round_=RoundKind.SO_KET, on=date(2022, 7, 20)))
    state = given(report.evolve, report.initial(), first)
    command = WithdrawReport(
        command_id=str(uuid.uuid4()),
        actor=clerk("phuong-vu-ninh"),
        movement_id="bn-2022",
        unit_id="phuong-vu-ninh",
        round=RoundKind.SO_KET,
        withdrawn_on=date(2022, 7, 25),
    )
    (withdrawn,) = report.decide_withdraw(command, state)
    assert isinstance(withdrawn, ReportWithdrawn) and withdrawn.report_version == 1
    (again,) = decide_submit(submit(round_=RoundKind.SO_KET, on=date(2022, 8, 2)), first, withdrawn)
    assert isinstance(again, ReportSubmitted)
    assert (again.report_version, again.late, again.working_days_late) == (2, True, 2)
    twice = rejected(
        lambda: report.decide_withdraw(command, given(report.evolve, state, withdrawn))
    )
    assert twice.code == ErrorCode.NOTHING_TO_WITHDRAW
    other = command.model_copy(update={"actor": clerk("phuong-kinh-bac")})
    assert rejected(lambda: report.decide_withdraw(other, state)).code == ErrorCode.FORBIDDEN


# --- evidence files ----------------------------------------------------------------------


def _upload(content: bytes, declared: str | None = None, b64: str | None = None) -> dict[str, Any]:
    return {
        "name": "Quyết định công nhận sáng kiến",
        "doc_type": "Quyết định",
        "number": "12/QĐ-UBND",
        "issued_on": "2022-10-03",
        "sha256": declared or hashlib.sha256(content).hexdigest(),
        "content_base64": b64 if b64 is not None else base64.b64encode(content).decode(),
    }


def _with_evidence(*uploads: dict[str, Any]) -> SubmitReport:
    data = submit(round_=RoundKind.TONG_KET, on=date(2022, 12, 12)).model_dump(mode="json")
    return SubmitReport.model_validate({**data, "evidence": list(uploads)})


def test_evidence_is_recorded_by_hash_and_size_never_by_content() -> None:
    content = "Sáng kiến cải cách hành chính".encode()
    (event,) = decide_submit(_with_evidence(_upload(content)))
    assert isinstance(event, ReportSubmitted)
    (evidence,) = event.evidence
    assert (evidence.sha256, evidence.size_bytes) == (
        hashlib.sha256(content).hexdigest(),
        len(content),
    )
    assert "content" not in event.model_dump_json()


def test_evidence_whose_hash_does_not_match_its_content_is_rejected() -> None:
    good, bad = _upload(b"a"), _upload(b"b", declared=hashlib.sha256(b"c").hexdigest())
    error = rejected(lambda: decide_submit(_with_evidence(good, bad)))
    assert (error.code, error.field) == (ErrorCode.HASH_MISMATCH, "evidence.1.sha256")
    broken = rejected(lambda: decide_submit(_with_evidence(_upload(b"x", b64="không phải"))))
    assert (broken.code, broken.field) == (ErrorCode.INVALID_FIELD, "evidence.0.content_base64")
