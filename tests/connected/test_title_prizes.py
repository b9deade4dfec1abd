"""Several titles of one year from the city's fund earn the highest title prize only (NĐ91
Điều 66 khoản 2 điểm c), through the real services: the city recognises an official as Lao
động tiên tiến, then as Chiến sĩ thi đua cơ sở; the second decision pays the difference, says
so in its Quyết định, reads the first award as an input, and is derived again from the log.
A colleague whose city LĐTT was revoked before (she keeps the ward's) is paid CSTĐCS in full.
Only the second title comes with a certificate, a Giấy chứng nhận."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from thidua_contracts.commands import (
    CloseSession,
    DefineMovement,
    ListAwards,
    ListDocuments,
    OpenSession,
    ProposeAward,
    RecordTally,
    RevokeAward,
    ShowFund,
    SignDecision,
)
from thidua_contracts.envelope import Envelope
from thidua_contracts.events import CouncilMember
from thidua_contracts.movement import AwardForm
from thidua_kit.client import Client
from thidua_kit.clock import new_id
from thidua_kit.settings import Settings
from thidua_kit.testing import running_system
from thidua_kit.verify import rederive
from thidua_reporting.adapters.docx_check import check_document, docx_text

from .helpers import MOVEMENT, clerk, open_round, register, report
from .test_nominations_procedure import (
    FULL,
    NV,
    OFFICE,
    STAFF,
    TK,
    UNIT,
    ask,
    definition,
    documents,
    ok,
    records,
    ward_ldtt,
)

pytestmark = pytest.mark.connected
SERVICES = ("submissions", "scoring", "nominations", "reporting")
SCHEMAS = Path(__file__).resolve().parents[2] / "contracts" / "schemas"
OFFICIAL, COLLEAGUE = "can-bo-01", "can-bo-02"
MEMBERS = [CouncilMember(member_id=f"tv-{i}", name=f"Thành viên {i}") for i in range(1, 10)]


def with_ldtt() -> Any:
    """The ward's officials, with Lao động tiên tiến decided by the city as well."""
    base = definition()
    ldtt = AwardForm(
        code="LDTT",
        name="Lao động tiên tiến",
        authority="Chủ tịch UBND thành phố",
        route="decide",
        subjects=["ca_nhan"],
    )
    return base.model_copy(update={"award_forms": [*base.award_forms, ldtt]})


def proposal(proposal_id: str, code: str, person: str = OFFICIAL) -> ProposeAward:
    return ProposeAward(
        command_id=new_id(),
        actor=clerk(UNIT),
        movement_id=MOVEMENT,
        proposal_id=proposal_id,
        unit_id=UNIT,
        subject_kind="ca_nhan",
        subject_id=person,
        award_code=code,
        year=2022,
        achievement_summary="Hoàn thành xuất sắc nhiệm vụ, có sáng kiến được công nhận năm 2022.",
        dossier=documents(*FULL),
    )


async def council(client: Client, session_id: str, on: date, *proposal_ids: str) -> None:
    """A session of all nine members that passes the proposals 9/9, then closes."""
    await ok(
        client,
        OpenSession(
            command_id=new_id(),
            actor=TK,
            movement_id=MOVEMENT,
            session_id=session_id,
            session_date=on,
            members=MEMBERS,
            present_ids=[m.member_id for m in MEMBERS],
        ),
    )
    await client.wait_until_stable(SERVICES)
    for proposal_id in proposal_ids:
        await ok(
            client,
            RecordTally(
                command_id=new_id(),
                actor=TK,
                movement_id=MOVEMENT,
                proposal_id=proposal_id,
                session_id=session_id,
                session_date=on,
                members_total=9,
                present=9,
                issued=9,
                returned=9,
                valid=9,
                yes=9,
            ),
        )
    await ok(
        client,
        CloseSession(
            command_id=new_id(), actor=TK, movement_id=MOVEMENT, session_id=session_id, closed_on=on
        ),
    )
    await client.wait_until_stable(SERVICES)


def read(path: str) -> bytes:
    return Path(path).read_bytes()


def sign(number: str, on: date, *proposal_ids: str) -> SignDecision:
    return SignDecision(
        command_id=new_id(),
        actor=OFFICE,
        movement_id=MOVEMENT,
        decision_id=new_id(),
        number=number,
        signed_on=on,
        signer_name="Nguyễn Minh Quang",
        signer_position="chu_tich",
        proposal_ids=list(proposal_ids),
    )


async def test_a_second_title_of_the_year_pays_only_the_difference(settings: Settings) -> None:
    async with running_system(settings, SERVICES), Client(settings) as client:
        await ok(
            client,
            DefineMovement(
                command_id=new_id(), actor=NV, movement_id=MOVEMENT, definition=with_ldtt()
            ),
        )
        for command in (open_round(), register(UNIT), report(UNIT)):
            await ok(client, command)
        rating = {"subject_kind": "ca_nhan", "unit_id": UNIT, "year": 2022, "kind": "nhiem_vu"}
        await ok(
            client,
            records(
                "ratings",
                [
                    {**rating, "subject_id": who, "value": "HTXS", "source_ref": "Xếp loại 2022"}
                    for who in (OFFICIAL, COLLEAGUE)
                ],
            ),
        )
        # The other thirteen hold LĐTT from the ward (paid by the ward's fund), so the unit's
        # CSTĐCS quota is ⌊15 % × 14⌋ = 2 once the city's LĐTT is issued.
        await ok(
            client,
            ward_ldtt([pid for pid, _ in STAFF[1:]]),
        )
        await ok(
            client,
            records(
                "initiatives",
                [
                    {
                        "initiative_id": f"sk-{who}",
                        "person_id": who,
                        "unit_id": UNIT,
                        "title": "Cải tiến quy trình một cửa",
                        "level": "co_so",
                        "decision_ref": "QĐ 90/QĐ-UBND",
                        "recognised_on": "2022-10-10",
                    }
                    for who in (OFFICIAL, COLLEAGUE)
                ],
            ),
        )

        ldtt, ldtt_colleague, cstdcs, cstdcs_colleague = (new_id() for _ in range(4))
        await ok(client, proposal(ldtt, "LDTT"))
        await ok(client, proposal(ldtt_colleague, "LDTT", COLLEAGUE))
        await client.wait_until_stable(SERVICES)
        await council(client, "hd-2022-12-20", date(2022, 12, 20), ldtt, ldtt_colleague)
        await ok(client, sign("01/QĐ-UBND", date(2022, 12, 28), ldtt, ldtt_colleague))
        await client.wait_until_stable(SERVICES)
        revoked = next(
            a["award_id"]
            for a in await ask(client, ListAwards(movement_id=MOVEMENT))
            if a["recipient_id"] == COLLEAGUE
        )
        await ok(
            client,
            RevokeAward(
                command_id=new_id(),
                actor=OFFICE,
                movement_id=MOVEMENT,
                award_id=revoked,
                ground="c",
                decision_number="03/QĐ-UBND",
                decided_on=date(2022, 12, 30),
                reason="Xét tặng trùng với danh hiệu do Chủ tịch UBND phường đã công nhận.",
            ),
        )
        await client.wait_until_stable(SERVICES)

        await ok(client, proposal(cstdcs, "CSTDCS"))
        await ok(client, proposal(cstdcs_colleague, "CSTDCS", COLLEAGUE))
        await client.wait_until_stable(SERVICES)
        await council(client, "hd-2022-12-29", date(2022, 12, 29), cstdcs, cstdcs_colleague)
        await ok(client, sign("02/QĐ-UBND", date(2023, 1, 5), cstdcs, cstdcs_colleague))
        await client.wait_until_stable(SERVICES)

        awards = {
            (a["award_code"], a["recipient_id"]): a
            for a in await ask(client, ListAwards(movement_id=MOVEMENT))
        }
        # LĐTT 0.3 × 1,490,000 đ → 450,000 đ; CSTĐCS 1.0 × 1,490,000 đ, less what LĐTT paid;
        # the colleague's revoked LĐTT no longer counts, so her CSTĐCS is paid in full.
        assert {key: a["prize_vnd"] for key, a in awards.items()} == {
            ("LDTT", OFFICIAL): 450000,
            ("LDTT", COLLEAGUE): 450000,
            ("CSTDCS", OFFICIAL): 1040000,
            ("CSTDCS", COLLEAGUE): 1490000,
        }
        (level,) = await ask(client, ShowFund(movement_id=MOVEMENT))
        assert level["paid_vnd"] == 450000 * 2 + 1040000 + 1490000

        envelopes = [(s, Envelope.from_bytes(body)) async for s, body in client.log().replay_raw()]
        issued = {
            e.payload["award_code"]: (e, seq)
            for seq, e in envelopes
            if e.type == "nominations.AwardIssued" and e.payload["recipient_id"] == OFFICIAL
        }
        (first, first_seq), (second, _) = issued["LDTT"], issued["CSTDCS"]
        assert first.payload["prize_deductions"] == []
        assert second.payload["title_prize_vnd"] == 1490000
        assert second.payload["prize_deductions"] == [
            {
                "award_id": first.payload["award_id"],
                "award_code": "LDTT",
                "award_name": "Lao động tiên tiến",
                "decision_number": "01/QĐ-UBND",
                "signed_on": "2022-12-28",
                "prize_vnd": 450000,
            }
        ]
        # The auditor finds the award that reduced the prize among what the decision read.
        assert (first.event_id, first_seq) in [(i.event_id, i.sequence) for i in second.inputs]

        documents_ = await ask(client, ListDocuments(movement_id=MOVEMENT))
        # LĐTT is paid in money and recorded by its decision; CSTĐCS comes with a Giấy chứng
        # nhận (NĐ91 Điều 69); neither with a Giấy khen.
        assert [d["doc_type"] for d in documents_ if d["doc_type"] != "bien-ban"] == [
            "to-trinh",
            "quyet-dinh",
            "to-trinh",
            "quyet-dinh",
            "giay-chung-nhan",
            "giay-chung-nhan",
        ]
        certificate = next(d for d in documents_ if d["doc_type"] == "giay-chung-nhan")
        data = read(certificate["path"])
        assert check_document(data, "giay-chung-nhan") == []
        assert "Đạt danh hiệu “Chiến sĩ thi đua cơ sở” năm 2022." in docx_text(data)
        (path,) = [
            d["path"]
            for d in documents_
            if (d["doc_type"], d["number"]) == ("quyet-dinh", "02/QĐ-UBND")
        ]
        data = read(path)
        assert check_document(data, "quyet-dinh") == []
        text = docx_text(data)
        assert "Công nhận danh hiệu “Chiến sĩ thi đua cơ sở” năm 2022 cho 2 cá nhân" in text
        assert "Mỗi cá nhân được thưởng 1.490.000 đồng" in text
        assert (
            "đã nhận tiền thưởng danh hiệu “Lao động tiên tiến” theo Quyết định số 01/QĐ-UBND "
            "ngày 28 tháng 12 năm 2022; được thưởng phần chênh lệch 1.040.000 đồng" in text
        )

        logged = [item async for item in client.log().replay_raw()]
        # An outside reader with only the published schemas accepts every event, deductions
        # included.
        for _seq, body in logged:
            envelope = Envelope.from_bytes(body)
            schema = SCHEMAS / f"{envelope.type}.v{envelope.version}.json"
            validator = jsonschema.Draft202012Validator(json.loads(schema.read_text("utf-8")))
            assert list(validator.iter_errors(json.loads(body))) == [], envelope.type
        derived, findings = await rederive(logged, settings)
        assert findings == [] and derived > 0
