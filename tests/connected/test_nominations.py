"""Nominations through the public API: a higher form is posted publicly, an objection to it is
verified, it goes upward and comes back decided; the city may not revoke what it did not
decide, and nothing else moves."""

from __future__ import annotations

from datetime import date

import pytest

from thidua_contracts.commands import (
    ForwardProposals,
    ImportRecords,
    ListAwards,
    PostNotice,
    ProposeAward,
    RecordHigherAnswer,
    RecordObjection,
    RecordTally,
    ResolveObjection,
    RevokeAward,
    ShowNomination,
)
from thidua_contracts.envelope import Actor, Role
from thidua_contracts.errors import ErrorCode
from thidua_contracts.events import DossierItem
from thidua_contracts.movement import AwardForm
from thidua_kit.client import Client
from thidua_kit.clock import new_id
from thidua_kit.settings import Settings
from thidua_kit.testing import running_system

from .helpers import MOVEMENT, clerk, define, open_round, register, report

pytestmark = pytest.mark.connected
OFFICE = Actor(id="van-phong", role=Role.CHAIRMAN_OFFICE)


async def accepted(client: Client, command: object) -> None:
    reply = await client.command(command)  # type: ignore[arg-type]
    assert reply.status == "accepted", reply.error


async def test_upward_answer_and_revocation(settings: Settings) -> None:
    services = ("submissions", "scoring", "nominations")
    async with running_system(settings, services), Client(settings) as client:
        for command in (
            define(),
            open_round(),
            register("phuong-vu-ninh"),
            report("phuong-vu-ninh"),
        ):
            await accepted(client, command)
        ratings = [
            {
                "subject_kind": "ca_nhan",
                "subject_id": "nguyen-thi-huong",
                "unit_id": "phuong-vu-ninh",
                "year": y,
                "kind": "nhiem_vu",
                "value": "HTXS",
                "source_ref": "Xếp loại",
            }
            for y in (2021, 2022)
        ]
        initiatives = [
            {
                "initiative_id": f"sk-{y}",
                "person_id": "nguyen-thi-huong",
                "unit_id": "phuong-vu-ninh",
                "title": f"Sáng kiến năm {y}",
                "level": "co_so",
                "decision_ref": f"QĐ {y}",
                "recognised_on": f"{y}-10-01",
            }
            for y in (2021, 2022)
        ]
        for kind, rows in (("ratings", ratings), ("initiatives", initiatives)):
            await accepted(
                client,
                ImportRecords(
                    command_id=new_id(),
                    actor=Actor(id="nv", role=Role.PHONG_NOI_VU),
                    movement_id=MOVEMENT,
                    kind=kind,
                    rows=rows,
                ),
            )
        pid = new_id()
        await accepted(
            client,
            ProposeAward(
                command_id=new_id(),
                actor=clerk("phuong-vu-ninh"),
                movement_id=MOVEMENT,
                proposal_id=pid,
                unit_id="phuong-vu-ninh",
                subject_kind="ca_nhan",
                subject_id="nguyen-thi-huong",
                award_code="BK_CT_UBND_TINH",
                year=2022,
                achievement_summary="Hai năm liền hoàn thành xuất sắc nhiệm vụ.",
                dossier=[
                    DossierItem(
                        kind=kind,  # type: ignore[arg-type]
                        name=kind,
                        number="30/TTr-UBND" if kind == "to_trinh" else None,
                        issued_on=date(2022, 11, 25) if kind == "to_trinh" else None,
                        sha256=f"{i}" * 64,
                    )
                    for i, kind in enumerate(
                        ("to_trinh", "bien_ban_binh_xet", "bao_cao_thanh_tich"), start=1
                    )
                ],
            ),
        )
        await client.wait_until_stable(services)
        nv = Actor(id="nv", role=Role.PHONG_NOI_VU)
        tally = RecordTally(
            command_id=new_id(),
            actor=Actor(id="tk", role=Role.COUNCIL_SECRETARY),
            movement_id=MOVEMENT,
            proposal_id=pid,
            session_id="hd-2022",
            session_date=date(2022, 12, 1),
            members_total=9,
            present=9,
            issued=9,
            returned=9,
            valid=9,
            yes=8,
        )
        # A provincial form is posted publicly first (DOMAIN §5.5): no ballot before that.
        refused = await client.command(tally)
        assert refused.error is not None and refused.error.code.value == "wrong_state"
        await accepted(
            client,
            PostNotice(
                command_id=new_id(),
                actor=nv,
                movement_id=MOVEMENT,
                notice_id="cong-khai-bk-2022",
                proposal_ids=[pid],
                channel="Cổng thông tin điện tử thành phố",
                posted_on=date(2022, 11, 28),
            ),
        )
        await accepted(
            client,
            RecordObjection(
                command_id=new_id(),
                actor=nv,
                movement_id=MOVEMENT,
                notice_id="cong-khai-bk-2022",
                objection_id="phan-anh-01",
                proposal_id=pid,
                received_on=date(2022, 11, 30),
                summary="Một sáng kiến được nêu là của người khác.",
            ),
        )
        after_notice = tally.model_copy(
            update={"command_id": new_id(), "session_date": date(2022, 12, 6)}
        )
        pending = await client.command(after_notice)
        assert pending.error is not None and "phan-anh-01" in (pending.error.message_en or "")
        await accepted(
            client,
            ResolveObjection(
                command_id=new_id(),
                actor=nv,
                movement_id=MOVEMENT,
                notice_id="cong-khai-bk-2022",
                objection_id="phan-anh-01",
                upheld=False,
                resolution="Đã xác minh: cả hai sáng kiến do bà Hương là tác giả.",
                resolved_on=date(2022, 12, 2),
            ),
        )
        await accepted(client, after_notice)
        await client.wait_until_stable(services)
        submission = new_id()
        to_the_province = ForwardProposals(
            command_id=new_id(),
            actor=OFFICE,
            movement_id=MOVEMENT,
            submission_id=submission,
            number="05/TTr-UBND",
            signed_on=date(2022, 12, 5),
            addressee="UBND tỉnh Bắc Ninh (qua Sở Nội vụ)",
            proposal_ids=[pid],
        )
        # Straight to the Prime Minister, past the province: refused, nothing recorded.
        before = await client.log().last_sequence()
        past = to_the_province.model_copy(
            update={"command_id": new_id(), "addressee": "Thủ tướng Chính phủ"}
        )
        reply = await client.command(past)
        assert reply.error is not None
        assert (reply.error.code, reply.error.field) == (ErrorCode.INVALID_FIELD, "addressee")
        assert "Kính gửi: UBND tỉnh Bắc Ninh" in reply.error.message_vi, reply.error
        assert await client.log().last_sequence() == before
        await accepted(client, to_the_province)
        await accepted(
            client,
            RecordHigherAnswer(
                command_id=new_id(),
                actor=OFFICE,
                movement_id=MOVEMENT,
                submission_id=submission,
                proposal_id=pid,
                outcome="decided",
                decision_ref="QĐ 2150/QĐ-UBND ngày 28/12/2022",
                decided_on=date(2022, 12, 28),
                issuer="Chủ tịch UBND tỉnh Bắc Ninh",
            ),
        )
        await client.wait_until_stable(services)
        awards = (await client.query(ListAwards(movement_id=MOVEMENT))).result
        assert [(a["award_code"], a["prize_vnd"]) for a in awards] == [("BK_CT_UBND_TINH", 1490000)]
        # The province decided it: the city may not annul it.
        revoke = RevokeAward(
            command_id=new_id(),
            actor=OFFICE,
            movement_id=MOVEMENT,
            award_id=awards[0]["award_id"],
            ground="b",
            decision_number="15/QĐ-UBND",
            decided_on=date(2023, 6, 1),
            reason="Hồ sơ sáng kiến bị làm giả",
        )
        before = await client.log().last_sequence()
        reply = await client.command(revoke)
        assert reply.error is not None and reply.error.code.value == "forbidden"
        assert await client.log().last_sequence() == before


async def test_a_recorded_recruitment_date_bars_ldtt_through_the_records_import(
    settings: Settings,
) -> None:
    """NĐ91 Điều 10 through the public API: the recruitment date imported like any record
    reaches the LĐTT criteria; someone with no date recorded is not presumed new."""
    services = ("submissions", "scoring", "nominations")
    unit = "phuong-vu-ninh"
    nv = Actor(id="nv", role=Role.PHONG_NOI_VU)
    async with running_system(settings, services), Client(settings) as client:
        # Given two officials of Vũ Ninh rated HTT in 2022, one recruited on 01/06/2022
        base = define()
        ldtt = AwardForm(
            code="LDTT",
            name="Lao động tiên tiến",
            authority="Chủ tịch UBND thành phố",
            route="decide",
            subjects=["ca_nhan"],
        )
        with_ldtt = base.definition.model_copy(
            update={"award_forms": [*base.definition.award_forms, ldtt]}
        )
        defined = base.model_copy(update={"definition": with_ldtt})
        for command in (defined, open_round(), register(unit), report(unit)):
            await accepted(client, command)
        people = ("tran-van-minh", "nguyen-thi-huong")
        rows: dict[str, list[dict[str, object]]] = {
            "ratings": [
                {
                    "subject_kind": "ca_nhan",
                    "subject_id": person,
                    "unit_id": unit,
                    "year": 2022,
                    "kind": "nhiem_vu",
                    "value": "HTT",
                    "source_ref": "Xếp loại năm 2022",
                }
                for person in people
            ],
            "recruitments": [
                {
                    "person_id": "tran-van-minh",
                    "unit_id": unit,
                    "recruited_on": "2022-06-01",
                    "decision_ref": "QĐ 42/QĐ-UBND",
                }
            ],
        }
        for kind, items in rows.items():
            await accepted(
                client,
                ImportRecords(
                    command_id=new_id(), actor=nv, movement_id=MOVEMENT, kind=kind, rows=items
                ),
            )
        # When both are proposed for Lao động tiên tiến
        ids = {person: new_id() for person in people}
        for person, pid in ids.items():
            await accepted(
                client,
                ProposeAward(
                    command_id=new_id(),
                    actor=clerk(unit),
                    movement_id=MOVEMENT,
                    proposal_id=pid,
                    unit_id=unit,
                    subject_kind="ca_nhan",
                    subject_id=person,
                    award_code="LDTT",
                    year=2022,
                    achievement_summary="Hoàn thành tốt nhiệm vụ năm 2022.",
                    dossier=[
                        DossierItem(
                            kind=kind,  # type: ignore[arg-type]
                            name=kind,
                            number="31/TTr-UBND" if kind == "to_trinh" else None,
                            issued_on=date(2022, 12, 2) if kind == "to_trinh" else None,
                            sha256=f"{i}" * 64,
                        )
                        for i, kind in enumerate(
                            ("to_trinh", "bien_ban_binh_xet", "bao_cao_thanh_tich"), start=1
                        )
                    ],
                ),
            )
        await client.wait_until_stable(services)
        # Then the one recruited in June fails on the 10 months, the other passes with a note
        shown = {
            person: (await client.query(ShowNomination(proposal_id=pid))).result
            for person, pid in ids.items()
        }
        checks = {
            person: {c["code"]: c for c in view["eligibility"]["checks"]}
            for person, view in shown.items()
        }
        assert shown["tran-van-minh"]["eligibility"]["eligible"] is False
        assert not checks["tran-van-minh"]["min_service"]["passed"]
        assert checks["tran-van-minh"]["min_service"]["detail_vi"] == (
            "Tuyển dụng ngày 01/06/2022: tính đến 31/12/2022 chưa đủ 10 tháng công tác"
        )
        assert shown["nguyen-thi-huong"]["eligibility"]["eligible"] is True
        assert checks["nguyen-thi-huong"]["min_service"]["detail_vi"].startswith(
            "Chưa ghi nhận ngày tuyển dụng"
        )
