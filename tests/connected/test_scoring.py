"""Scoring through the public API: appraisal supersedes, a closing round ranks the block, and
the block's ballot honours its leader."""

from __future__ import annotations

from datetime import date

import pytest

from thidua_contracts.commands import (
    AppraiseScore,
    CloseRound,
    ImportRecords,
    RecordBlockBallot,
    ShowBlockRanking,
    ShowScoreSheet,
)
from thidua_contracts.envelope import Actor, Role
from thidua_contracts.events import CandidateVotes, CriterionChange, PenaltyLine
from thidua_contracts.movement import RoundKind
from thidua_kit.client import Client
from thidua_kit.clock import new_id
from thidua_kit.settings import Settings
from thidua_kit.testing import running_system

from .helpers import MOVEMENT, define, open_round, register, report

pytestmark = pytest.mark.connected
NOI_VU = Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU)


async def sheet(client: Client, unit: str) -> dict[str, object]:
    reply = await client.query(
        ShowScoreSheet(movement_id=MOVEMENT, unit_id=unit, round=RoundKind.TONG_KET)
    )
    assert reply.status == "ok" and reply.result is not None
    return dict(reply.result["sheet"])


async def test_appraisal_close_and_ballot(settings: Settings) -> None:
    async with running_system(settings, ("submissions", "scoring")), Client(settings) as client:
        for command in (
            define(),
            open_round(),
            register("phuong-vu-ninh"),
            register("phuong-kinh-bac"),
            register("phuong-dai-phuc"),
            report("phuong-vu-ninh", "55"),
            report("phuong-kinh-bac", "50"),
        ):
            assert (await client.command(command)).status == "accepted"
        await client.wait_until_stable(("scoring",))
        assert (await sheet(client, "phuong-vu-ninh"))["total"] == "55.00"

        appraise = AppraiseScore(
            command_id=new_id(),
            actor=NOI_VU,
            movement_id=MOVEMENT,
            unit_id="phuong-vu-ninh",
            round=RoundKind.TONG_KET,
            changes=[
                CriterionChange(
                    criterion_code="nhiem-vu-chinh-tri",
                    points="45",
                    reason="Chỉ tiêu thu ngân sách chưa đạt",
                )
            ],
            bonuses=[PenaltyLine(code="mo-hinh", points="2", reason="Mô hình dân vận khéo")],
        )
        assert (await client.command(appraise)).status == "accepted"
        clerk = appraise.model_copy(
            update={
                "command_id": new_id(),
                "actor": Actor(id="x", role=Role.UNIT_CLERK, unit="phuong-vu-ninh"),
            }
        )
        denied = await client.command(clerk)
        assert denied.error is not None and denied.error.code.value == "forbidden"
        await client.wait_until_stable(("scoring",))
        appraised = await sheet(client, "phuong-vu-ninh")
        assert (appraised["total"], appraised["basis"]) == ("47.00", "appraisal")

        close = CloseRound(
            command_id=new_id(),
            actor=NOI_VU,
            movement_id=MOVEMENT,
            round=RoundKind.TONG_KET,
            closed_on=date(2022, 12, 16),
        )
        assert (await client.command(close)).status == "accepted"
        await client.wait_until_stable(("scoring",))
        ranked = await client.query(
            ShowBlockRanking(movement_id=MOVEMENT, block_id="khoi-phuong", round=RoundKind.TONG_KET)
        )
        rows = [(r["unit_id"], r["rank"], r["total"]) for r in ranked.result["rows"]]
        # Đại Phúc registered but never reported: a zero sheet with its penalty, last.
        assert rows == [
            ("phuong-kinh-bac", 1, "50.00"),
            ("phuong-vu-ninh", 2, "47.00"),
            ("phuong-dai-phuc", 3, "0.00"),
        ]
        assert ranked.result["leader_unit_id"] == "phuong-kinh-bac"

        ballot = RecordBlockBallot(
            command_id=new_id(),
            movement_id=MOVEMENT,
            block_id="khoi-phuong",
            actor=Actor(id="vn", role=Role.BLOCK_HEAD, unit="phuong-vu-ninh"),
            round=RoundKind.TONG_KET,
            meeting_on=date(2022, 12, 17),
            members_total=19,
            issued=19,
            returned=19,
            valid=19,
            votes=[CandidateVotes(unit_id="phuong-kinh-bac", yes=12)],
        )
        assert (await client.command(ballot)).status == "accepted"
        await client.wait_until_stable(("scoring",))
        ranked = await client.query(
            ShowBlockRanking(movement_id=MOVEMENT, block_id="khoi-phuong", round=RoundKind.TONG_KET)
        )
        assert ranked.result["ballot"]["leader_unit_id"] == "phuong-kinh-bac"


def discipline(subject_kind: str, subject_id: str, head: bool) -> ImportRecords:
    row = {
        "subject_kind": subject_kind,
        "subject_id": subject_id,
        "unit_id": "phuong-vu-ninh",
        "year": 2022,
        "level": "khien_trach",
        "decision_ref": "Quyết định số 12/QĐ-UBND ngày 05 tháng 9 năm 2022",
        "effective_from": "2022-09-05",
        "head_of_unit": head,
    }
    return ImportRecords(
        command_id=new_id(), actor=NOI_VU, movement_id=MOVEMENT, kind="discipline", rows=[row]
    )


async def test_a_disciplined_head_keeps_the_unit_from_leading(settings: Settings) -> None:
    async with running_system(settings, ("submissions", "scoring")), Client(settings) as client:
        for command in (
            define(),
            open_round(),
            register("phuong-vu-ninh"),
            register("phuong-kinh-bac"),
            report("phuong-vu-ninh", "55"),
            report("phuong-kinh-bac", "50"),
        ):
            assert (await client.command(command)).status == "accepted"

        # A collective cannot be "the head of its unit": the row is named and nothing recorded.
        bad = await client.command(discipline("tap_the", "phuong-vu-ninh", head=True))
        assert bad.error is not None and bad.error.code.value == "rows_invalid"
        assert [d.field for d in bad.error.details] == ["rows.0.head_of_unit"]

        # Discipline of an ordinary official does not touch the unit's standing; of its head does.
        ordinary = discipline("ca_nhan", "tran-van-minh", head=False)
        assert (await client.command(ordinary)).status == "accepted"
        head = discipline("ca_nhan", "nguyen-thi-huong", head=True)
        assert (await client.command(head)).status == "accepted"

        close = CloseRound(
            command_id=new_id(),
            actor=NOI_VU,
            movement_id=MOVEMENT,
            round=RoundKind.TONG_KET,
            closed_on=date(2022, 12, 16),
        )
        assert (await client.command(close)).status == "accepted"
        await client.wait_until_stable(("scoring",))
        ranked = await client.query(
            ShowBlockRanking(movement_id=MOVEMENT, block_id="khoi-phuong", round=RoundKind.TONG_KET)
        )
        assert ranked.result is not None
        rows = {r["unit_id"]: (r["rank"], r["disqualified"]) for r in ranked.result["rows"]}
        assert rows["phuong-vu-ninh"] == (1, "Người đứng đầu bị kỷ luật trong năm")
        assert rows["phuong-kinh-bac"] == (2, None)
        # The top-ranked unit is out, so no unit leads outright.
        assert ranked.result["leader_unit_id"] is None
