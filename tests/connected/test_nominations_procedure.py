"""The nomination procedure through the real services: a dossier returned once and completed,
another still incomplete after its supplement; a council session with its attendance; the
CSTĐCS quota applied when the session closes (women first on equal votes); the decision that
overdraws the award fund flagged; a rejection notified and late steps listed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import create_engine, delete, select

from thidua_contracts.commands import (
    CloseSession,
    Command,
    CreditFund,
    DefineMovement,
    ImportRecords,
    ListAwards,
    ListNominations,
    ListOverdue,
    NotifyResult,
    OpenSession,
    ProposeAward,
    Query,
    RecordTally,
    ShowFund,
    ShowNomination,
    ShowPipeline,
    SignDecision,
    SupplementDossier,
)
from thidua_contracts.envelope import Actor, Envelope, Role
from thidua_contracts.events import CouncilMember, DossierItem
from thidua_contracts.movement import AwardForm, Person
from thidua_kit.client import Client
from thidua_kit.clock import new_id
from thidua_kit.db import state_table
from thidua_kit.demo import load_definition
from thidua_kit.settings import Settings, database_url
from thidua_kit.testing import running_system
from thidua_kit.verify import rederive

from .helpers import MOVEMENT, clerk, open_round, register, report

pytestmark = pytest.mark.connected
UNIT = "phuong-vu-ninh"
NV = Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU)
TK = Actor(id="thu-ky-hoi-dong", role=Role.COUNCIL_SECRETARY)
OFFICE = Actor(id="van-phong-ubnd", role=Role.CHAIRMAN_OFFICE)
SERVICES = ("submissions", "scoring", "nominations", "reporting")
# Fourteen officials of the ward hold LĐTT for 2022: the CSTĐCS quota is ⌊15 % × 14⌋ = 2.
STAFF = [(f"can-bo-{i:02d}", "nu" if i in (3, 6, 9) else "nam") for i in range(1, 15)]


def definition() -> Any:
    base = load_definition()
    people = [
        Person(
            person_id=pid,
            full_name=f"Cán bộ số {pid[-2:]}",
            sex=sex,
            position="Công chức",
            unit_id=UNIT,
        )
        for pid, sex in STAFF
    ]
    form = AwardForm(
        code="CSTDCS",
        name="Chiến sĩ thi đua cơ sở",
        authority="Chủ tịch UBND thành phố",
        route="decide",
        subjects=["ca_nhan"],
    )
    forms = [f for f in base.award_forms if f.code != form.code]
    return base.model_copy(
        update={"persons": [*base.persons, *people], "award_forms": [*forms, form]}
    )


def documents(*kinds: str) -> list[DossierItem]:
    return [
        DossierItem(
            kind=kind,  # type: ignore[arg-type]
            name=kind,
            number="21/TTr-UBND" if kind == "to_trinh" else None,
            issued_on=date(2022, 12, 12) if kind == "to_trinh" else None,
            sha256=f"{i:x}" * 64 if i < 10 else "ab" * 32,
        )
        for i, kind in enumerate(kinds, start=1)
    ]


FULL = ("to_trinh", "bao_cao_thanh_tich", "bien_ban_binh_xet", "xac_nhan_sang_kien")


def propose(proposal_id: str, person: str, kinds: tuple[str, ...]) -> ProposeAward:
    """The ward proposes one of its officials for CSTĐCS, with these dossier documents."""
    return ProposeAward(
        command_id=new_id(),
        actor=clerk(UNIT),
        movement_id=MOVEMENT,
        proposal_id=proposal_id,
        unit_id=UNIT,
        subject_kind="ca_nhan",
        subject_id=person,
        award_code="CSTDCS",
        year=2022,
        achievement_summary="Có sáng kiến được công nhận năm 2022.",
        dossier=documents(*kinds),
    )


async def ok(client: Client, command: Command) -> None:
    reply = await client.command(command)
    assert reply.status == "accepted", reply.error


async def ask(client: Client, query: Query) -> Any:
    reply = await client.query(query)
    assert reply.status == "ok", reply.error
    return reply.result


async def refused(client: Client, command: Command) -> tuple[str, str | None, str | None]:
    before = await client.log().last_sequence()
    reply = await client.command(command)
    assert reply.error is not None
    assert await client.log().last_sequence() == before  # a rejection appends nothing
    return reply.error.code.value, reply.error.field, reply.error.message_en


def records(kind: str, rows: list[dict[str, Any]]) -> ImportRecords:
    return ImportRecords(command_id=new_id(), actor=NV, movement_id=MOVEMENT, kind=kind, rows=rows)  # type: ignore[arg-type]


def ward_ldtt(people: list[str]) -> ImportRecords:
    """Lao động tiên tiến of 2022 decided by the ward's Chairman, held as records."""
    return records(
        "prior_awards",
        [
            {
                "subject_kind": "ca_nhan",
                "subject_id": pid,
                "unit_id": UNIT,
                "year": 2022,
                "award_code": "LDTT",
                "decision_ref": "QĐ 150/QĐ-UBND ngày 15/12/2022",
                "issuer": "Chủ tịch UBND phường Vũ Ninh",
            }
            for pid in people
        ],
    )


async def test_dossier_session_quota_fund_and_notifications(settings: Settings) -> None:
    async with running_system(settings, SERVICES), Client(settings) as client:
        await ok(
            client,
            DefineMovement(
                command_id=new_id(), actor=NV, movement_id=MOVEMENT, definition=definition()
            ),
        )
        for command in (open_round(), register(UNIT), report(UNIT)):
            await ok(client, command)
        await ok(
            client,
            ward_ldtt([pid for pid, _ in STAFF]),
        )
        await ok(
            client,
            records(
                "initiatives",
                [
                    {
                        "initiative_id": f"sk-{pid}",
                        "person_id": pid,
                        "unit_id": UNIT,
                        "title": "Cải tiến quy trình một cửa",
                        "level": "co_so",
                        "decision_ref": "QĐ 90/QĐ-UBND",
                        "recognised_on": "2022-10-10",
                    }
                    for pid, _ in STAFF[:4]
                ],
            ),
        )
        dossiers = {
            "can-bo-01": FULL,
            "can-bo-02": FULL,
            "can-bo-03": ("to_trinh", "bao_cao_thanh_tich", "xac_nhan_sang_kien"),
            "can-bo-04": ("to_trinh",),
        }
        ids: dict[str, str] = {}
        for person, kinds in dossiers.items():
            ids[person] = new_id()
            await ok(client, propose(ids[person], person, kinds))
        await client.wait_until_stable(SERVICES)

        # One request per incomplete dossier, listing every defect at once.
        shown = await ask(client, ShowNomination(proposal_id=ids["can-bo-04"]))
        assert shown["status"] == "RETURNED_FOR_SUPPLEMENT"
        # The reporting service's pipeline, folded from the same events, says the same.
        pipeline = await ask(client, ShowPipeline(movement_id=MOVEMENT))
        states = {r["proposal_id"]: r["state"] for r in pipeline["rows"]}
        assert states[ids["can-bo-04"]] == "RETURNED_FOR_SUPPLEMENT"
        assert [d["kind"] for d in shown["supplement"]["defects"]] == [
            "missing:bao_cao_thanh_tich",
            "missing:bien_ban_binh_xet",
            "missing:xac_nhan_sang_kien",
        ]
        for person, kinds in (
            ("can-bo-03", ("bien_ban_binh_xet",)),
            ("can-bo-04", ("bao_cao_thanh_tich",)),
        ):
            await ok(
                client,
                SupplementDossier(
                    command_id=new_id(),
                    actor=clerk(UNIT),
                    movement_id=MOVEMENT,
                    proposal_id=ids[person],
                    items=documents(*kinds),
                    received_on=date(2022, 12, 14),
                ),
            )
        again = SupplementDossier(
            command_id=new_id(),
            actor=clerk(UNIT),
            movement_id=MOVEMENT,
            proposal_id=ids["can-bo-04"],
            items=documents("bien_ban_binh_xet"),
            received_on=date(2022, 12, 15),
        )
        await client.wait_until_stable(SERVICES)
        assert (await refused(client, again))[0] == "wrong_state"  # only one supplement
        four = await ask(client, ShowNomination(proposal_id=ids["can-bo-04"]))
        assert (four["status"], four["eligibility"]["reason_code"]) == (
            "APPRAISED_INELIGIBLE",
            "incomplete_dossier",
        )
        assert (await ask(client, ShowNomination(proposal_id=ids["can-bo-03"])))["status"] == (
            "APPRAISED_ELIGIBLE"
        )

        # The session: nine members, eight present; quorum and shares come from attendance.
        members = [CouncilMember(member_id=f"tv-{i}", name=f"Thành viên {i}") for i in range(1, 10)]
        await ok(
            client,
            OpenSession(
                command_id=new_id(),
                actor=TK,
                movement_id=MOVEMENT,
                session_id="hd-2022-12-20",
                session_date=date(2022, 12, 20),
                members=members,
                present_ids=[m.member_id for m in members[:8]],
            ),
        )

        def tally(person: str, yes: int, present: int = 8) -> RecordTally:
            return RecordTally(
                command_id=new_id(),
                actor=TK,
                movement_id=MOVEMENT,
                proposal_id=ids[person],
                session_id="hd-2022-12-20",
                session_date=date(2022, 12, 20),
                members_total=9,
                present=present,
                issued=present,
                returned=present,
                valid=present,
                yes=yes,
            )

        assert (await refused(client, tally("can-bo-01", 8, present=9)))[:2] == (
            "inconsistent_tally",
            "present",
        )
        for person, yes in (("can-bo-01", 8), ("can-bo-02", 7), ("can-bo-03", 7)):
            await ok(client, tally(person, yes))
        await client.wait_until_stable(SERVICES)

        def sign(number: str, *people: str) -> SignDecision:
            return SignDecision(
                command_id=new_id(),
                actor=OFFICE,
                movement_id=MOVEMENT,
                decision_id=new_id(),
                number=number,
                signed_on=date(2023, 1, 5),
                signer_name="Nguyễn Minh Quang",
                signer_position="chu_tich",
                proposal_ids=[ids[p] for p in people],
            )

        # The quota is applied when the session closes: nothing is decided before.
        code, _, message = await refused(client, sign("02/QĐ-UBND", "can-bo-01"))
        assert code == "wrong_state" and "session closes" in (message or "")
        await ok(
            client,
            CloseSession(
                command_id=new_id(),
                actor=TK,
                movement_id=MOVEMENT,
                session_id="hd-2022-12-20",
                closed_on=date(2022, 12, 20),
            ),
        )
        await client.wait_until_stable(SERVICES)
        # 8, 7 and 7 of 9 all pass (≥ 70 %); the quota keeps two: the woman first on 7 votes.
        excluded = (await ask(client, ShowNomination(proposal_id=ids["can-bo-02"])))["excluded"]
        assert (excluded["reason_code"], excluded["rank"], excluded["quota"]) == (
            "quota_exceeded",
            3,
            2,
        )
        assert "số lượng được khen là 2 (15% của 14, làm tròn xuống)" in excluded["detail_vi"]
        assert (await refused(client, sign("02/QĐ-UBND", "can-bo-02")))[0] == "wrong_state"

        # The fund holds 1,000,000 đ; two prizes of 1,490,000 đ overdraw it: flagged.
        await ok(
            client,
            CreditFund(
                command_id=new_id(),
                actor=OFFICE,
                movement_id=MOVEMENT,
                level="cap_huyen",
                amount_vnd=1000000,
                credited_on=date(2022, 1, 10),
                source_ref="Dự toán quỹ thi đua, khen thưởng năm 2022",
            ),
        )
        await ok(client, sign("02/QĐ-UBND", "can-bo-01", "can-bo-03"))
        await client.wait_until_stable(SERVICES)
        awards = await ask(client, ListAwards(movement_id=MOVEMENT))
        assert sorted((a["recipient_id"], a["prize_vnd"]) for a in awards) == [
            ("can-bo-01", 1490000),
            ("can-bo-03", 1490000),
        ]
        (level,) = await ask(client, ShowFund(movement_id=MOVEMENT))
        assert (level["credited_vnd"], level["paid_vnd"], level["balance_vnd"]) == (
            1000000,
            2980000,
            -1980000,
        )
        envelopes = [Envelope.from_bytes(body) async for _seq, body in client.log().replay_raw()]
        flags = [e.payload for e in envelopes if e.type == "nominations.FundOverdrawFlagged"]
        assert [(f["balance_vnd"], f["needed_vnd"], f["shortfall_vnd"]) for f in flags] == [
            (1000000, 2980000, 1980000)
        ]

        # The excluded nominee is told why; the two awarded are late by 02/02/2023.
        await ok(
            client,
            NotifyResult(
                command_id=new_id(),
                actor=NV,
                movement_id=MOVEMENT,
                proposal_id=ids["can-bo-02"],
                kind="rejection",
                notified_on=date(2022, 12, 26),
                reason="Vượt chỉ tiêu 15 % số cá nhân đạt Lao động tiên tiến của đơn vị.",
            ),
        )
        await client.wait_until_stable(SERVICES)
        late = await ask(client, ListOverdue(movement_id=MOVEMENT, as_of=date(2023, 2, 2)))
        assert sorted((r["proposal_id"], r["step"], r["due_on"]) for r in late) == sorted(
            [
                (ids["can-bo-01"], "notify_result", "2023-01-19"),
                (ids["can-bo-03"], "notify_result", "2023-01-19"),
            ]
        )
        listed = await ask(client, ListNominations(movement_id=MOVEMENT))
        assert listed["by_status"] == {
            "APPRAISED_INELIGIBLE": 1,
            "ISSUED": 2,
            "NOTIFIED_REJECTED": 1,
        }
        pipeline = await ask(client, ShowPipeline(movement_id=MOVEMENT))
        assert pipeline["by_state"] == listed["by_status"]
        # Every decision above (supplement request, exclusion, fund flag, the documents)
        # follows from the log.
        logged = [item async for item in client.log().replay_raw()]
        derived, findings = await rederive(logged, settings)
        assert findings == [] and derived > 0


@pytest.mark.parametrize("upgraded", [False, True])
async def test_proposals_waiting_for_the_final_score_are_appraised_in_id_order(
    settings: Settings, upgraded: bool
) -> None:
    """Proposals waiting for the unit's score sheet are appraised in id order, whatever order
    they came in. Upgraded: a database from before the proposal index (its rows deleted here)
    still lists and appraises every proposal; queries read them all, and the first event that
    needs the index builds it."""
    services = ("submissions", "scoring", "nominations")
    ids = [f"0193f0a0-0000-7000-8000-00000000000{n}" for n in (1, 2, 3)]
    async with running_system(settings, services), Client(settings) as client:
        await ok(
            client,
            DefineMovement(
                command_id=new_id(), actor=NV, movement_id=MOVEMENT, definition=definition()
            ),
        )
        for command in (open_round(), register(UNIT)):
            await ok(client, command)
        for proposal_id, (person, _sex) in zip(reversed(ids), STAFF, strict=False):
            await ok(client, propose(proposal_id, person, FULL))
        await client.wait_until_stable(services)

        index_kinds = ("proposal-index", "proposals-of-movement", "proposals-of-unit")
        database = create_engine(database_url("nominations", settings))
        if upgraded:
            with database.begin() as conn:
                gone = conn.execute(delete(state_table).where(state_table.c.kind.in_(index_kinds)))
                assert gone.rowcount == 3  # the marker, the movement's list, the unit's list
        listed = await ask(client, ListNominations(movement_id=MOVEMENT))
        assert sorted(r["proposal_id"] for r in listed["rows"]) == ids

        await ok(client, report(UNIT))
        await client.wait_until_stable(services)
        assessed = [
            Envelope.from_bytes(body).payload["proposal_id"]
            async for _, body in client.log().replay_raw()
            if b"nominations.EligibilityAssessed" in body
        ]
        assert assessed == ids
        with database.connect() as conn:
            kinds = conn.execute(
                select(state_table.c.kind).where(state_table.c.kind.in_(index_kinds))
            ).scalars()
            assert sorted(kinds) == sorted(index_kinds)
        database.dispose()
