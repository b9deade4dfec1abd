"""The reporting service after the Bắc Ninh 2022 demo: its read models answer staff's questions,
every document it issued is on disk with its SHA-256 registered in the log, and a rebuild from
the log into fresh tables gives the same answers as the live service."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from thidua_contracts.commands import (
    ListCouncilSessions,
    ListDecisions,
    ListDocuments,
    ListIssuedAwards,
    ListRegistrations,
    ListScoreSheets,
    Query,
    ShowPipeline,
    ShowProgress,
)
from thidua_contracts.movement import RoundKind
from thidua_kit.cli_reporting import rebuild_and_compare
from thidua_kit.client import Client
from thidua_kit.demo import MOVEMENT, drive, service_env
from thidua_kit.settings import Settings
from thidua_kit.testing import running_system
from thidua_reporting.adapters.docx_check import check_document, docx_text

pytestmark = pytest.mark.connected


def read(path: str) -> bytes:
    return Path(path).read_bytes()


async def ask(client: Client, query: Query) -> Any:
    reply = await client.query(query)
    assert reply.status == "ok", reply.error
    return reply.result


async def registered_documents(client: Client) -> list[dict[str, Any]]:
    found = []
    async for _, body in client.log().replay_raw():
        data = json.loads(body)
        if data["type"] == "reporting.DocumentRegistered":
            found.append(data["payload"])
    return found


@pytest.fixture
async def demo(settings: Settings) -> Any:
    """The demo driven through all five services; the client stays connected to them."""
    async with running_system(settings), Client(settings) as client:
        await drive(settings)
        yield client


async def test_progress_per_round_and_block(demo: Client) -> None:
    result = await ask(demo, ShowProgress(movement_id=MOVEMENT))
    rounds = {r["round"]: r for r in result["rounds"]}
    assert list(rounds) == ["so-ket", "tong-ket"]  # the plan's order
    tong_ket = rounds["tong-ket"]
    # Six registered units reported; Vũ Ninh sent a second version before the deadline.
    assert (tong_ket["expected"], tong_ket["submitted"], tong_ket["amended"]) == (6, 6, 1)
    assert (tong_ket["late"], tong_ket["missing"]) == (0, 0)
    by_block = {b["block_id"]: b for b in tong_ket["blocks"]}
    assert (by_block["khoi-phuong"]["submitted"], by_block["khoi-phong-ban"]["submitted"]) == (4, 2)
    so_ket = rounds["so-ket"]
    # Three wards reported for sơ kết in July, Suối Hoa after the deadline; the round was
    # closed on 01/8/2022.
    assert (so_ket["submitted"], so_ket["late"], so_ket["missing"]) == (4, 1, 2)
    assert so_ket["late_units"] == ["Ủy ban nhân dân phường Suối Hoa"]
    assert so_ket["closed_on"] == "2022-08-01"
    only = await ask(demo, ShowProgress(movement_id=MOVEMENT, round=RoundKind.SO_KET))
    assert [r["round"] for r in only["rounds"]] == ["so-ket"]


async def test_pipeline_awards_sessions_and_sheets(demo: Client) -> None:
    pipeline = await ask(demo, ShowPipeline(movement_id=MOVEMENT))
    assert pipeline["total"] == 4
    assert pipeline["by_state"] == {"COUNCIL_VOTED_FAIL": 1, "ISSUED": 3}
    assert pipeline["counts"] == [
        {"state": "COUNCIL_VOTED_FAIL", "award_code": "GK_CT_UBND_TP", "count": 1},
        {"state": "ISSUED", "award_code": "GK_CT_UBND_TP", "count": 3},
    ]
    failed = next(r for r in pipeline["rows"] if r["state"] == "COUNCIL_VOTED_FAIL")
    assert (failed["subject_name"], failed["yes_total"], failed["members_total"]) == (
        "Đỗ Thị Lan",
        4,
        9,
    )

    awards = await ask(demo, ListIssuedAwards(movement_id=MOVEMENT))
    assert [a["prize_vnd"] for a in awards] == [450000, 450000, 900000]
    assert {a["decision_number"] for a in awards} == {"01/QĐ-UBND"}

    (session,) = await ask(demo, ListCouncilSessions(movement_id=MOVEMENT))
    assert (session["session_id"], session["members_total"], session["present"]) == (
        "hdtdkt-2022-12-20",
        9,
        9,
    )
    assert [(t["yes_total"], t["percent_of_members"], t["passed"]) for t in session["tallies"]] == [
        (8, "88,89", True),
        (7, "77,78", True),
        (9, "100,00", True),
        (4, "44,44", False),
    ]

    (decision,) = await ask(demo, ListDecisions(movement_id=MOVEMENT))
    assert (decision["number"], decision["proposals"], decision["awards_issued"]) == (
        "01/QĐ-UBND",
        3,
        3,
    )

    registrations = await ask(demo, ListRegistrations(movement_id=MOVEMENT))
    kinds = [r["subject_kind"] for r in registrations]
    assert (kinds.count("tap_the"), kinds.count("ca_nhan")) == (6, 3)

    sheets = await ask(demo, ListScoreSheets(movement_id=MOVEMENT, round=RoundKind.TONG_KET))
    wards = [s for s in sheets if s["block_id"] == "khoi-phuong"]
    assert next((s["unit_id"], s["rank"]) for s in wards) == ("phuong-dai-phuc", 1)
    assert all(s["round"] == "tong-ket" for s in sheets) and len(sheets) == 6


async def test_every_document_is_on_disk_with_its_hash_in_the_log(
    demo: Client, settings: Settings
) -> None:
    listed = await ask(demo, ListDocuments(movement_id=MOVEMENT))
    registered = await registered_documents(demo)
    assert [d["sha256"] for d in listed] == [d["sha256"] for d in registered]
    # The council's minutes and the office's submission when the decision is signed; the
    # decision once its awards are issued, then one certificate per recipient.
    assert [(d["doc_type"], d["number"]) for d in listed] == [
        ("bien-ban", "01/BB-HĐTĐKT"),
        ("to-trinh", "01/TTr-NV"),
        ("quyet-dinh", "01/QĐ-UBND"),
        ("giay-khen", None),
        ("giay-khen", None),
        ("giay-khen", None),
    ]
    for doc in listed:
        data = read(doc["path"])
        assert hashlib.sha256(data).hexdigest() == doc["sha256"]
        assert len(data) == doc["size_bytes"]
        assert check_document(data, doc["doc_type"]) == [], doc["file_name"]
        assert doc["built_from_sequence"] < doc["sequence"]
    texts = {d["doc_type"]: docx_text(read(d["path"])) for d in listed}
    assert "Đỗ Thị Lan" in texts["bien-ban"] and "44,44" in texts["bien-ban"]
    assert "Đỗ Thị Lan" not in texts["to-trinh"]
    assert "tại Tờ trình số 01/TTr-NV ngày 20 tháng 12 năm 2022" in texts["quyet-dinh"]
    awards = await ask(demo, ListIssuedAwards(movement_id=MOVEMENT))
    certificates = [d for d in listed if d["doc_type"] == "giay-khen"]
    assert [
        a["recipient_name"] in docx_text(read(c["path"]))
        for a, c in zip(awards, certificates, strict=True)
    ] == [True] * 3


async def test_a_fresh_reporting_database_issues_nothing_twice(settings: Settings) -> None:
    """Dropping the service's database and folding the whole log again assigns the same
    numbers and renders the same bytes: the log gains no document."""
    async with running_system(settings), Client(settings) as client:
        await drive(settings)
        before = await registered_documents(client)
    fresh = settings.model_copy(update={"data_dir": settings.data_dir / "fresh"})
    async with running_system(fresh, ("reporting",)), Client(fresh) as client:
        await client.wait_until_stable(("reporting",))
        after = await registered_documents(client)
        listed = await ask(client, ListDocuments(movement_id=MOVEMENT))
    assert after == before
    for doc in listed:
        assert hashlib.sha256(read(doc["path"])).hexdigest() == doc["sha256"]


async def test_a_rebuild_from_the_log_equals_the_live_models(
    demo: Client, settings: Settings
) -> None:
    rebuilt = await rebuild_and_compare(demo, settings, MOVEMENT)
    assert rebuilt.differences == []
    assert rebuilt.unreadable == [] and rebuilt.failed == []
    assert rebuilt.position == await demo.log().last_sequence()
    assert rebuilt.answers["pipeline"]["total"] == 4
    assert len(rebuilt.answers["documents"]) >= 1


async def thidua(settings: Settings, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "thidua_kit",
        *args,
        env={**service_env(settings), "COLUMNS": "160"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_cli_views_and_rebuild(demo: Client, settings: Settings) -> None:
    code, out, err = await thidua(settings, "report", "progress", "--round", "tong-ket")
    assert code == 0, err
    assert "Khối các phường" in out and "Tổng / total" in out and "so-ket" not in out
    code, out, err = await thidua(settings, "report", "pipeline")
    assert code == 0, err
    assert "COUNCIL_VOTED_FAIL" in out and "Đỗ Thị Lan" in out and "450.000" in out
    code, out, err = await thidua(settings, "report", "sessions")
    assert code == 0, err
    assert "88,89" in out and "failed" in out
    code, out, err = await thidua(settings, "report", "documents")
    assert code == 0, err
    assert "01/BB-HĐTĐKT" in out and "01/TTr-NV" in out and "giay-khen" in out
    code, out, err = await thidua(settings, "report", "rebuild")
    assert code == 0, err
    # One row per query of the service, each answering alike live and rebuilt.
    assert "rebuilt from the log up to" in out
    assert out.count("│ yes") == 8 and "│ no " not in out
