"""Movement versions and issue, reorganisations that keep identities, covenants, individuals."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from thidua_contracts.commands import (
    AmendMovement,
    AssignBlockLeadership,
    MergeUnits,
    MoveUnitToBlock,
    ProposeAward,
    PublishMovement,
    RegisterIndividual,
    RenameUnit,
    SignCovenant,
    SplitUnit,
    TransferPerson,
)
from thidua_contracts.envelope import Actor, Envelope, Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import (
    AwardProposed,
    CovenantSigned,
    EventPayload,
    IndividualRegistered,
    MovementDefined,
)
from thidua_kit.demo import load_definition
from thidua_submissions.domain import covenant, movement, proposal, registration

DEFINITION = load_definition()
NOI_VU = Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU)


def cmd(cls: type[Any], actor: Actor = NOI_VU, **fields: Any) -> Any:
    return cls(command_id=str(uuid.uuid4()), actor=actor, movement_id="bn-2022", **fields)


def fold(*payloads: EventPayload) -> movement.MovementState:
    state = movement.initial()
    for payload in [MovementDefined(definition=DEFINITION), *payloads]:
        envelope = Envelope(
            event_id=str(uuid.uuid4()),
            type=payload.TYPE,
            version=1,
            subject="t.evt.s.m.x",
            movement_id="bn-2022",
            occurred_at="2022-05-01T08:00:00+07:00",
            actor=None,
            causation_id=None,
            correlation_id=str(uuid.uuid4()),
            payload={},
        )
        state = movement.evolve(state, envelope, payload)
    return state


def rejected(call: Any) -> Rejected:
    with pytest.raises(Rejected) as caught:
        call()
    return caught.value


def test_an_amendment_is_the_next_version_with_its_reason() -> None:
    state = fold()
    v2 = DEFINITION.model_copy(update={"version": 2})
    (amended,) = movement.decide_amend(
        cmd(
            AmendMovement,
            definition=v2,
            reason="Bổ sung chỉ tiêu theo chỉ đạo của tỉnh",
            effective_on=date(2022, 8, 1),
        ),
        state,
    )
    assert fold(amended).definition is not None and fold(amended).definition.version == 2
    v3 = DEFINITION.model_copy(update={"version": 3})
    error = rejected(
        lambda: movement.decide_amend(
            cmd(
                AmendMovement,
                definition=v3,
                reason="Sửa đổi lần hai, bỏ qua phiên bản 2",
                effective_on=date(2022, 8, 1),
            ),
            state,
        )
    )
    assert (error.code, error.field) == (ErrorCode.WRONG_VERSION, "definition.version")


def test_the_plan_is_issued_once_with_its_number() -> None:
    publish = cmd(
        PublishMovement,
        number="95/KH-UBND",
        signed_on=date(2022, 5, 10),
        signer_name="Nguyễn Minh Quang",
        signer_position="Chủ tịch",
    )
    (issued,) = movement.decide_publish(publish, fold())
    again = rejected(lambda: movement.decide_publish(publish, fold(issued)))
    assert again.code == ErrorCode.ALREADY_PUBLISHED


def test_a_transferred_person_is_proposed_by_the_new_unit_only() -> None:
    (moved,) = movement.decide_transfer(
        cmd(
            TransferPerson,
            person_id="tran-van-minh",
            to_unit_id="phuong-kinh-bac",
            effective_on=date(2022, 9, 1),
        ),
        fold(),
    )
    state = fold(moved)
    assert state.unit_of("tran-van-minh") == "phuong-kinh-bac"

    def propose(unit: str) -> list[EventPayload]:
        command = cmd(
            ProposeAward,
            Actor(id=f"{unit}-vt", role=Role.UNIT_CLERK, unit=unit),
            proposal_id=str(uuid.uuid4()),
            unit_id=unit,
            subject_kind="ca_nhan",
            subject_id="tran-van-minh",
            award_code="GK_CT_UBND_TP",
            year=2022,
            achievement_summary="Hoàn thành xuất sắc nhiệm vụ.",
        )
        return proposal.decide_propose(
            command, DEFINITION, True, proposal.initial(), state.unit_of("tran-van-minh")
        )

    (proposed,) = propose("phuong-kinh-bac")
    assert isinstance(proposed, AwardProposed) and proposed.subject_name == "Trần Văn Minh"
    assert rejected(lambda: propose("phuong-vu-ninh")).code == ErrorCode.PERSON_NOT_IN_UNIT


def test_renamed_and_merged_units_keep_their_ids_and_people() -> None:
    (renamed,) = movement.decide_rename(
        cmd(
            RenameUnit,
            unit_id="phong-y-te",
            new_name="Phòng Y tế và Dân số",
            effective_on=date(2022, 10, 1),
            decision_ref="QĐ 120/QĐ-UBND",
        ),
        fold(),
    )
    assert renamed.old_name == "Phòng Y tế"  # type: ignore[attr-defined]
    (merged,) = movement.decide_merge(
        cmd(
            MergeUnits,
            merged_unit_ids=["phuong-suoi-hoa"],
            into_unit_id="phuong-vu-ninh",
            effective_on=date(2022, 11, 1),
            decision_ref="NQ 30/NQ-UBTVQH",
        ),
        fold(renamed),
    )
    state = fold(renamed, merged)
    assert state.unit_name("phong-y-te") == "Phòng Y tế và Dân số"
    assert state.unit_of("do-thi-lan") == "phuong-vu-ninh"  # Suối Hoa's people moved over
    assert not state.active("phuong-suoi-hoa")
    again = rejected(
        lambda: movement.decide_merge(
            cmd(
                MergeUnits,
                merged_unit_ids=["phuong-suoi-hoa"],
                into_unit_id="phuong-dap-cau",
                effective_on=date(2022, 12, 1),
                decision_ref="x",
            ),
            state,
        )
    )
    assert (again.code, again.field) == (ErrorCode.UNKNOWN_UNIT, "merged_unit_ids.0")


def test_a_covenant_needs_every_member_of_the_block() -> None:
    members = sorted(u.unit_id for u in DEFINITION.units if u.block_id == "khoi-truong")
    head = Actor(id="thcs-hieu-truong", role=Role.BLOCK_HEAD, unit="thcs-nguyen-dang-dao")

    def sign(units: list[str], actor: Actor = head) -> list[EventPayload]:
        return covenant.decide_sign(
            cmd(
                SignCovenant,
                actor,
                block_id="khoi-truong",
                signed_on=date(2022, 3, 25),
                signatory_unit_ids=units,
                target_codes=["phong-chong-dich"],
            ),
            DEFINITION,
            covenant.initial(),
        )

    (signed,) = sign(members)
    assert isinstance(signed, CovenantSigned) and len(signed.scoring_table_sha256) == 64
    incomplete = rejected(lambda: sign(members[:-1]))
    assert (incomplete.code, incomplete.detail) == (ErrorCode.COVENANT_INCOMPLETE, members[-1])
    other_head = Actor(id="x", role=Role.BLOCK_HEAD, unit="phuong-vu-ninh")
    assert rejected(lambda: sign(members, other_head)).code == ErrorCode.FORBIDDEN


def test_individuals_register_through_their_unit() -> None:
    clerk = Actor(id="vt", role=Role.UNIT_CLERK, unit="phuong-vu-ninh")

    def register(person: str, on: date = date(2022, 5, 20)) -> list[EventPayload]:
        return registration.decide_register_individual(
            cmd(
                RegisterIndividual,
                clerk,
                unit_id="phuong-vu-ninh",
                person_id=person,
                titles_sought=["GK_CT_UBND_TP"],
                registered_on=on,
            ),
            DEFINITION,
            fold().unit_of(person),
            registration.initial(),
        )

    (event,) = register("nguyen-thi-huong")
    assert isinstance(event, IndividualRegistered) and event.late is False
    (late,) = register("nguyen-thi-huong", date(2022, 6, 15))
    assert isinstance(late, IndividualRegistered) and late.late is True
    assert rejected(lambda: register("le-thi-thu-ha")).code == ErrorCode.PERSON_NOT_IN_UNIT
    assert rejected(lambda: register("khong-co")).code == ErrorCode.UNKNOWN_PERSON


def test_a_proposal_carries_its_achievement_report_and_dossier() -> None:
    command = ProposeAward.model_validate(
        {
            "command_id": str(uuid.uuid4()),
            "movement_id": "bn-2022",
            "actor": Actor(id="vt", role=Role.UNIT_CLERK, unit="phuong-vu-ninh"),
            "proposal_id": str(uuid.uuid4()),
            "unit_id": "phuong-vu-ninh",
            "subject_kind": "ca_nhan",
            "subject_id": "nguyen-thi-huong",
            "award_code": "GK_CT_UBND_TP",
            "year": 2022,
            "achievement_summary": "Hoàn thành xuất sắc nhiệm vụ năm 2022.",
            "achievement_report": {
                "background": "Phó Chủ tịch UBND phường phụ trách văn hóa – xã hội.",
                "achievements": "Chỉ đạo hoàn thành 100 % chỉ tiêu phòng, chống dịch.",
                "prior_awards": [
                    {
                        "year": 2021,
                        "award": "Lao động tiên tiến",
                        "decision_ref": "QĐ 12/QĐ-UBND ngày 10/01/2022",
                    }
                ],
            },
            "dossier": [
                {
                    "kind": "to_trinh",
                    "name": "Tờ trình đề nghị khen thưởng",
                    "number": "25/TTr-UBND",
                },
                {"kind": "bao_cao_thanh_tich", "name": "Báo cáo thành tích", "sha256": "b" * 64},
                {"kind": "bien_ban_binh_xet", "name": "Biên bản họp Hội đồng TĐKT phường"},
            ],
        }
    )
    (event,) = proposal.decide_propose(command, DEFINITION, True, proposal.initial())
    assert isinstance(event, AwardProposed)
    assert [d.kind for d in event.dossier] == [
        "to_trinh",
        "bao_cao_thanh_tich",
        "bien_ban_binh_xet",
    ]
    assert event.achievement_report is not None
    assert event.achievement_report.prior_awards[0].award == "Lao động tiên tiến"
    with pytest.raises(ValueError, match="kind"):
        ProposeAward.model_validate(
            {**command.model_dump(mode="json"), "dossier": [{"kind": "thu_tay", "name": "x"}]}
        )


def test_a_split_ends_a_unit_and_its_successors_name_it() -> None:
    into = [
        {
            "unit_id": "phuong-vu-ninh-a",
            "name": "Ủy ban nhân dân phường Vũ Ninh A",
            "kind": "phuong",
            "block_id": "khoi-phuong",
        },
        {
            "unit_id": "phuong-vu-ninh-b",
            "name": "Ủy ban nhân dân phường Vũ Ninh B",
            "kind": "phuong",
            "block_id": "khoi-phuong",
        },
    ]
    (split,) = movement.decide_split(
        cmd(
            SplitUnit,
            unit_id="phuong-vu-ninh",
            into=into,
            effective_on=date(2022, 10, 1),
            decision_ref="NQ 1/NQ-UBTVQH",
        ),
        fold(),
    )
    effective = fold(split).effective()
    ended = effective.unit("phuong-vu-ninh")
    assert ended is not None and ended.ended_on == date(2022, 10, 1)  # history stays
    successor = effective.active_unit("phuong-vu-ninh-b")
    assert successor is not None and successor.predecessor_ids == ["phuong-vu-ninh"]
    error = rejected(lambda: movement.require_unit(effective, "phuong-vu-ninh"))
    assert error.code == ErrorCode.UNKNOWN_UNIT and "(ended)" in (error.detail or "")
    clash = rejected(
        lambda: movement.decide_split(
            cmd(
                SplitUnit,
                unit_id="phuong-dap-cau",
                into=[into[0], {**into[1], "unit_id": "phuong-kinh-bac"}],
                effective_on=date(2022, 10, 1),
                decision_ref="x",
            ),
            fold(split),
        )
    )
    assert (clash.code, clash.field) == (ErrorCode.INVALID_FIELD, "into.0.unit_id")


def test_block_moves_and_rotating_leadership() -> None:
    (moved,) = movement.decide_move_to_block(
        cmd(
            MoveUnitToBlock,
            unit_id="phong-y-te",
            to_block_id="khoi-su-nghiep",
            effective_on=date(2022, 7, 1),
        ),
        fold(),
    )
    state = fold(moved)
    assert state.effective().unit("phong-y-te").block_id == "khoi-su-nghiep"  # type: ignore[union-attr]
    (lead,) = movement.decide_leadership(
        cmd(
            AssignBlockLeadership,
            block_id="khoi-phuong",
            head_unit_id="phuong-kinh-bac",
            deputy_unit_id="phuong-dai-phuc",
            period_from=date(2023, 1, 1),
            period_to=date(2023, 12, 31),
        ),
        state,
    )
    block = next(b for b in fold(moved, lead).effective().blocks if b.block_id == "khoi-phuong")
    assert (block.head_unit_id, block.deputy_unit_id) == ("phuong-kinh-bac", "phuong-dai-phuc")
    outsider = rejected(
        lambda: movement.decide_leadership(
            cmd(
                AssignBlockLeadership,
                block_id="khoi-phuong",
                head_unit_id="phong-noi-vu",
                period_from=date(2023, 1, 1),
                period_to=date(2023, 12, 31),
            ),
            state,
        )
    )
    assert (outsider.code, outsider.field) == (ErrorCode.UNKNOWN_UNIT, "head_unit_id")


def test_rounds_open_with_a_deadline_on_the_working_calendar_and_close_with_who_is_missing() -> (
    None
):
    from thidua_contracts.commands import CloseRound, OpenRound
    from thidua_contracts.events import RoundClosed, RoundOpened
    from thidua_kit.calendar import state_calendar
    from thidua_submissions.domain import round as round_

    calendar = state_calendar(range(2022, 2024))
    (opened,) = round_.decide_open(
        cmd(OpenRound, round="so-ket", opened_on=date(2022, 7, 1)),
        DEFINITION,
        round_.initial(),
        calendar,
    )
    assert isinstance(opened, RoundOpened) and opened.due_on == date(2022, 7, 29)
    # A plan may set the deadline in working days from opening instead: 10 from Thu 25/8/2022
    # skip Quốc khánh (1–2/9) and land on Monday 12/9.
    in_days = DEFINITION.model_copy(
        update={
            "rounds": [r.model_copy(update={"due_working_days": 10}) for r in DEFINITION.rounds]
        }
    )
    (counted,) = round_.decide_open(
        cmd(OpenRound, round="so-ket", opened_on=date(2022, 8, 25)),
        in_days,
        round_.initial(),
        calendar,
    )
    assert isinstance(counted, RoundOpened) and counted.due_on == date(2022, 9, 12)
    state = round_.RoundState(opened_on=opened.opened_on, due_on=opened.due_on)
    again = rejected(
        lambda: round_.decide_open(
            cmd(OpenRound, round="so-ket", opened_on=date(2022, 7, 2)), DEFINITION, state, calendar
        )
    )
    assert again.code == ErrorCode.ROUND_ALREADY_OPEN
    (closed,) = round_.decide_close(
        cmd(CloseRound, round="so-ket", closed_on=date(2022, 8, 1)),
        state,
        ["phuong-dai-phuc", "phuong-vu-ninh"],
        {"phuong-vu-ninh"},
    )
    assert isinstance(closed, RoundClosed) and closed.missing_unit_ids == ["phuong-dai-phuc"]
    early = rejected(
        lambda: round_.decide_close(
            cmd(CloseRound, round="so-ket", closed_on=date(2022, 7, 29)), state, [], set()
        )
    )
    assert (early.code, early.field) == (ErrorCode.VALUE_OUT_OF_RANGE, "closed_on")
