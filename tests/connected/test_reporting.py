"""The reporting service after the Bắc Ninh 2022 demo: its read models answer staff's questions,
every document it issued is on disk with its SHA-256 registered in the log, and a rebuild from
the log into fresh tables gives the same answers as the live service."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import io
import json
import sys
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from thidua_contracts.commands import (
    DraftAchievementReport,
    ImportRecords,
    IssueCityReport,
    ListCouncilSessions,
    ListDecisions,
    ListDocuments,
    ListIssuedAwards,
    ListRegistrations,
    ListScoreSheets,
    MergeUnits,
    Query,
    RenameUnit,
    ShowHistory,
    ShowOverdue,
    ShowPipeline,
    ShowProgress,
)
from thidua_contracts.envelope import Actor, Role
from thidua_contracts.movement import RoundKind
from thidua_kit import cli_reporting
from thidua_kit.cli_reporting import rebuild_and_compare
from thidua_kit.client import Client
from thidua_kit.clock import new_id
from thidua_kit.db import Store
from thidua_kit.demo import MOVEMENT, drive, service_env
from thidua_kit.log import StoredEvent
from thidua_kit.settings import Settings
from thidua_kit.testing import running_system
from thidua_reporting.adapters.docx_check import check_document, check_totals, docx_text

from . import office
from .helpers import define

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
    assert pipeline["total"] == 6
    # Đỗ Thị Lan failed the ballot, Trần Văn Minh passed it but fell outside the CSTĐCS quota;
    # both were told so, with the reason: NOTIFIED_REJECTED.
    assert pipeline["by_state"] == {"NOTIFIED_REJECTED": 2, "ISSUED": 4}
    assert pipeline["counts"] == [
        {"state": "NOTIFIED_REJECTED", "award_code": "CSTDCS", "count": 1},
        {"state": "NOTIFIED_REJECTED", "award_code": "GK_CT_UBND_TP", "count": 1},
        {"state": "ISSUED", "award_code": "BK_CT_UBND_TINH", "count": 1},
        {"state": "ISSUED", "award_code": "GK_CT_UBND_TP", "count": 3},
    ]
    rejected = {
        r["subject_name"]: (r["award_code"], r["yes_total"], r["members_total"])
        for r in pipeline["rows"]
        if r["state"] == "NOTIFIED_REJECTED"
    }
    assert rejected == {"Đỗ Thị Lan": ("GK_CT_UBND_TP", 4, 9), "Trần Văn Minh": ("CSTDCS", 8, 9)}

    awards = await ask(demo, ListIssuedAwards(movement_id=MOVEMENT))
    assert [a["prize_vnd"] for a in awards] == [450000, 450000, 900000, 1490000]
    assert {a["decision_number"] for a in awards[:3]} == {"01/QĐ-UBND"}

    session, upward = await ask(demo, ListCouncilSessions(movement_id=MOVEMENT))
    assert upward["session_id"] == "hdtdkt-2022-12-21"
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
        (8, "88,89", True),
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
    # Then the city's Tờ trình upward when it forwards, after the minutes of the session its
    # nominee was voted in (no decision of the city rests on that session), then its reports
    # and statistics when signed.
    assert [(d["doc_type"], d["number"]) for d in listed] == [
        ("bien-ban", "01/BB-HĐTĐKT"),
        ("to-trinh", "01/TTr-NV"),
        ("quyet-dinh", "01/QĐ-UBND"),
        ("giay-khen", None),
        ("giay-khen", None),
        ("giay-khen", None),
        ("bien-ban", "02/BB-HĐTĐKT"),
        ("to-trinh-tinh", "05/TTr-UBND"),
        ("bao-cao", "45/BC-UBND"),
        ("bao-cao", "120/BC-UBND"),
        *[(f"thong-ke-{code}", None) for code in ("0701", "0701", "0702", "0702", "0703", "0703")],
    ]
    for doc in listed:
        data = read(doc["path"])
        assert hashlib.sha256(data).hexdigest() == doc["sha256"]
        assert len(data) == doc["size_bytes"]
        if doc["file_name"].endswith(".docx"):
            assert check_document(data, doc["doc_type"]) == [], doc["file_name"]
        assert doc["built_from_sequence"] < doc["sequence"]
    texts: dict[str, str] = {}
    for d in listed:
        if d["path"].endswith(".docx"):
            texts.setdefault(d["doc_type"], docx_text(read(d["path"])))
    assert "Đỗ Thị Lan" in texts["bien-ban"] and "44,44" in texts["bien-ban"]
    assert "Đỗ Thị Lan" not in texts["to-trinh"]
    assert "tại Tờ trình số 01/TTr-NV ngày 20 tháng 12 năm 2022" in texts["quyet-dinh"]
    # The QĐ cites the city's plan as the Tờ trình does, and every date in words.
    plan = "Kế hoạch số 95/KH-UBND ngày 10 tháng 5 năm 2022"
    assert plan in texts["to-trinh"] and plan in texts["quyet-dinh"]
    assert "Kế hoạch số 245/KH-UBND ngày 26 tháng 4 năm 2022" in texts["quyet-dinh"]
    assert "26/4/2022" not in texts["quyet-dinh"]
    # Both minutes name who kept them and who chaired: the second, called for by the Tờ trình
    # upward (no decision of the city rests on its session), takes the chair from its signer.
    for minutes in [d for d in listed if d["doc_type"] == "bien-ban"]:
        text = docx_text(read(minutes["path"]))
        assert "Thư ký: Nguyễn Thu Trang." in text, minutes["number"]
        assert "Chủ trì (chủ tọa): Nguyễn Minh Quang, Chủ tịch UBND" in text, minutes["number"]
    awards = await ask(demo, ListIssuedAwards(movement_id=MOVEMENT))
    certificates = [d for d in listed if d["doc_type"] == "giay-khen"]
    assert [
        a["recipient_name"] in docx_text(read(c["path"]))
        for a, c in zip(awards[:3], certificates, strict=True)
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
    demo: Client, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuilt = await rebuild_and_compare(demo, settings, MOVEMENT)
    assert rebuilt.differences == []
    assert rebuilt.unreadable == [] and rebuilt.failed == []
    assert rebuilt.position == await demo.log().last_sequence()
    assert rebuilt.answers["pipeline"]["total"] == 6
    assert len(rebuilt.answers["documents"]) >= 1

    # An event the fold fails on is set aside with nothing of it written, and every other event
    # is folded: the same tables as a log without it.
    bodies = [item async for item in demo.log().replay_raw()]
    proposed = next(
        seq for seq, body in bodies if json.loads(body)["type"] == "submissions.AwardProposed"
    )
    definition = cli_reporting.load("reporting", settings)
    fold = definition.extra["fold"]

    def failing(item: StoredEvent, payload: Any, store: Store) -> None:
        fold(item, payload, store)
        if item.sequence == proposed:
            raise RuntimeError("this event cannot be folded")

    broken = dataclasses.replace(definition, extra={**definition.extra, "fold": failing})
    monkeypatch.setattr(cli_reporting, "load", lambda *_: broken)
    last = await demo.log().last_sequence()
    # Read a few events at a time, so the fold goes on across reads of the log.
    monkeypatch.setattr(cli_reporting, "READ_AT_ONCE", 7)
    answers, unreadable, failed = await cli_reporting.fold_into(
        tmp_path / "failing.db", cli_reporting.log_events(demo.log(), last), settings, MOVEMENT
    )
    monkeypatch.undo()

    async def without_it() -> AsyncIterator[tuple[int, bytes]]:
        for item in bodies:
            if item[0] != proposed:
                yield item

    without, _, _ = await cli_reporting.fold_into(
        tmp_path / "without.db", without_it, settings, MOVEMENT
    )
    assert (unreadable, failed) == ([], [proposed])
    assert answers == without
    assert answers["pipeline"]["total"] == 5


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
    assert "NOTIFIED_REJECTED" in out and "Đỗ Thị Lan" in out and "450.000" in out
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


async def test_reports_upward_statistics_and_lookups(demo: Client, settings: Settings) -> None:
    listed = await ask(demo, ListDocuments(movement_id=MOVEMENT))
    path = {(d["doc_type"], d["number"], d["file_name"][-4:]): d["path"] for d in listed}
    tong_ket = docx_text(read(path[("bao-cao", "120/BC-UBND", "docx")]))
    for expected in (
        "Tổng kết phong trào thi đua năm 2022",
        "Ủy ban nhân dân phường Đại Phúc dẫn đầu Khối các phường",
        "1 tập thể và 2 cá nhân được tặng Giấy khen",
        "Tờ trình số 05/TTr-UBND ngày 23 tháng 12 năm 2022",
        "tổ dân phố tự quản",
    ):
        assert expected in tong_ket, expected
    so_ket = docx_text(read(path[("bao-cao", "45/BC-UBND", "docx")]))
    assert "Đơn vị chưa gửi báo cáo" in so_ket and "Sơ kết 6 tháng đầu năm" in so_ket
    # Dated 05/8/2022 though issued at the year's end: it cites nothing dated after itself.
    assert "Tờ trình số 05/TTr-UBND" not in so_ket and "ngày 05 tháng 8 năm 2022" in so_ket
    # The block tables show the ranking scoring decided: the tie on 93 points broken (Vũ Ninh
    # first), and the offices that sent nothing unranked, with the reason.
    tables = Document(path[("bao-cao", "45/BC-UBND", "docx")]).tables
    ranked = [
        tuple(c.text for c in row.cells)
        for table in tables
        if table.rows[0].cells[-1].text == "Xếp hạng"
        for row in table.rows[1:]
    ]
    assert ranked[:2] == [
        ("1", "Ủy ban nhân dân phường Vũ Ninh", "93,00", "1"),
        ("2", "Ủy ban nhân dân phường Kinh Bắc", "93,00", "2"),
    ]
    offices = [row for row in ranked if row[1].startswith("Phòng")]
    assert offices and all(
        row[3] == "Không xếp hạng (Không nộp báo cáo đúng hạn)" for row in offices
    ), offices
    upward = docx_text(read(path[("to-trinh-tinh", "05/TTr-UBND", "docx")]))
    assert "Phạm Quốc Dũng" in upward and "8/9 (88,89%)" in upward
    assert (
        "Căn cứ Biên bản số 02/BB-HĐTĐKT họp Hội đồng Thi đua – Khen thưởng thành phố Bắc Ninh "
        "ngày 21 tháng 12 năm 2022" in upward
    )
    minutes = docx_text(read(path[("bien-ban", "02/BB-HĐTĐKT", "docx")]))
    assert "Phạm Quốc Dũng" in minutes and "ngày 21 tháng 12 năm 2022" in minutes

    # The statistics of 2022 (Circular 03/2018): the province's Bằng khen counted once.
    sheet = load_workbook(path[("thong-ke-0703", None, "xlsx")]).active
    assert sheet is not None
    values = [["" if c is None else str(c) for c in r] for r in sheet.iter_rows(values_only=True)]
    total = next(r for r in values if r[1] == "01")
    assert total[3:8] == ["1", "1", "0", "0", "0"]
    start = next(i for i, r in enumerate(values) if r[1] == "Mã số")
    assert check_totals(values[start : start + 20]) == []

    history = await ask(demo, ShowHistory(subject_id="pham-quoc-dung"))
    assert [(a["year"], a["source"]) for a in history["awards"]] == [
        (2021, "record"),
        (2022, "log"),
    ]
    assert "Bằng khen" in history["awards"][1]["award"]

    late = await ask(demo, ShowOverdue(movement_id=MOVEMENT, as_of=date(2023, 2, 15)))
    steps = [(r["step"], r["who"]) for r in late["rows"]]
    # Đỗ Thị Lan, rejected by the ballot, was notified (ResultNotified): no notice step is due.
    assert not [w for s, w in steps if s == "notice"]
    assert sum(s == "report" for s, _ in steps) == 2  # sơ kết never received from two offices
    assert all(r["working_days_overdue"] > 0 for r in late["rows"])
    early = await ask(demo, ShowOverdue(movement_id=MOVEMENT, as_of=date(2022, 7, 29)))
    assert early["rows"] == []  # on the sơ kết deadline itself nobody is late yet

    pipeline = await ask(demo, ShowPipeline(movement_id=MOVEMENT))
    proposal = next(r for r in pipeline["rows"] if r["subject_id"] == "pham-quoc-dung")
    draft = await ask(
        demo, DraftAchievementReport(movement_id=MOVEMENT, proposal_id=proposal["proposal_id"])
    )
    data = base64.b64decode(draft["content_base64"])
    assert hashlib.sha256(data).hexdigest() == draft["sha256"]
    assert check_document(data, "bao-cao-thanh-tich") == []
    text = docx_text(data)
    for expected in ("Phạm Quốc Dũng", "Số hóa hồ sơ hộ tịch", "Quyết định số 12/QĐ-UBND"):
        assert expected in text, expected
    # Part III: what he held when proposed, by name and with its decision; not the Bằng khen
    # this very proposal led to.
    (earlier,) = [t for t in Document(io.BytesIO(data)).tables if t.rows[0].cells[0].text == "Năm"]
    assert [[c.text for c in r.cells] for r in earlier.rows[1:]] == [
        [
            "2021",
            "Chiến sĩ thi đua cơ sở",
            "Quyết định số 12/QĐ-UBND ngày 10/01/2022 của Chủ tịch UBND thành phố Bắc Ninh",
        ]
    ]


async def test_a_report_command_with_bad_input_appends_nothing(demo: Client) -> None:
    office = Actor(id="van-phong-ubnd", role=Role.CHAIRMAN_OFFICE)

    def command(**changes: Any) -> IssueCityReport:
        fields: dict[str, Any] = {
            "command_id": new_id(),
            "actor": office,
            "movement_id": MOVEMENT,
            "report_id": new_id(),
            "kind": "tong-ket",
            "number": "121/BC-UBND",
            "signed_on": date(2023, 1, 11),
            "signer_name": "Nguyễn Minh Quang",
            "signer_position": "chu_tich",
        }
        return IssueCityReport(**{**fields, **changes})

    before = await demo.log().last_sequence()
    for bad, code in (
        (command(number=None), "invalid_field"),  # a report needs its number
        (command(number="120/BC-UBND", signed_on=date(2023, 3, 1)), "decision_number_taken"),
        (command(kind="thong-ke"), "invalid_field"),  # statistics carry no number
        (command(actor=Actor(id="x", role=Role.UNIT_CLERK, unit="phuong-vu-ninh")), "forbidden"),
        (command(movement_id="khong-co"), "unknown_movement"),
    ):
        reply = await demo.command(bad)
        assert reply.status == "rejected" and reply.error is not None
        assert reply.error.code.value == code, bad
        assert reply.error.message_vi and reply.error.message_en
    assert await demo.log().last_sequence() == before


async def test_a_unit_history_survives_a_merger_and_a_rename(settings: Settings) -> None:
    services = ("submissions", "reporting")
    async with running_system(settings, services), Client(settings) as client:
        noi_vu = Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU)
        assert (await client.command(define())).status == "accepted"
        prior = {
            "subject_kind": "tap_the",
            "subject_id": "phuong-suoi-hoa",
            "unit_id": "phuong-suoi-hoa",
            "year": 2021,
            "award_code": "TTLDTT",
            "decision_ref": "Quyết định số 30/QĐ-UBND ngày 12/01/2022",
            "issuer": "Chủ tịch UBND thành phố Bắc Ninh",
        }
        for command in (
            ImportRecords(
                command_id=new_id(),
                actor=noi_vu,
                movement_id=MOVEMENT,
                kind="prior_awards",
                rows=[prior],
            ),
            MergeUnits(
                command_id=new_id(),
                actor=noi_vu,
                movement_id=MOVEMENT,
                merged_unit_ids=["phuong-suoi-hoa"],
                into_unit_id="phuong-dai-phuc",
                effective_on=date(2022, 9, 1),
                decision_ref="Nghị quyết số 01/NQ-UBTVQH",
            ),
            RenameUnit(
                command_id=new_id(),
                actor=noi_vu,
                movement_id=MOVEMENT,
                unit_id="phuong-dai-phuc",
                new_name="Ủy ban nhân dân phường Đại Phúc mới",
                effective_on=date(2022, 9, 1),
                decision_ref="Nghị quyết số 01/NQ-UBTVQH",
            ),
        ):
            reply = await client.command(command)
            assert reply.status == "accepted", reply.error
        await client.wait_until_stable(services)
        history = await ask(client, ShowHistory(subject_id="phuong-dai-phuc"))
        assert history["lineage"] == ["phuong-dai-phuc", "phuong-suoi-hoa"]
        assert history["name"] == "Ủy ban nhân dân phường Đại Phúc mới"
        assert [(a["year"], a["award"], a["recipient_id"]) for a in history["awards"]] == [
            (2021, "TTLDTT", "phuong-suoi-hoa")
        ]
        assert [c["kind"] for c in history["reorganisations"]] == ["merge", "rename"]
        # The merged unit keeps its own history too.
        own = await ask(client, ShowHistory(subject_id="phuong-suoi-hoa"))
        assert own["lineage"] == ["phuong-suoi-hoa"] and len(own["awards"]) == 1


async def test_cli_history_overdue_and_achievement(
    demo: Client, settings: Settings, tmp_path: Path
) -> None:
    code, out, err = await thidua(settings, "report", "history", "pham-quoc-dung")
    assert code == 0, err
    assert "Bằng khen" in out and "CSTDCS" in out
    code, out, err = await thidua(settings, "report", "overdue", "--as-of", "2023-02-15")
    assert code == 0, err
    assert "report" in out and "Phòng Nội vụ" in out and "Đỗ Thị Lan" not in out
    pipeline = await ask(demo, ShowPipeline(movement_id=MOVEMENT))
    proposal = pipeline["rows"][0]["proposal_id"]
    target = tmp_path / "bctt.docx"
    code, out, err = await thidua(settings, "report", "achievement", proposal, "-o", str(target))
    assert code == 0, err
    assert check_document(target.read_bytes(), "bao-cao-thanh-tich") == []
    code, out, err = await thidua(settings, "report", "history", "khong-co-ai")
    assert code == 0 and "khong-co-ai" in out
    code, out, err = await thidua(settings, "report", "achievement", new_id())
    assert code == 1 and "unknown_proposal" in err
    details = tmp_path / "details.yaml"
    details.write_text("shortcomings: [Một số đơn vị chậm gửi số liệu]\n", encoding="utf-8")
    issue = ("report", "issue", "so-ket", "--on", "2022-08-08", "--signer", "Nguyễn Minh Quang")
    code, out, err = await thidua(
        settings, *issue, "--number", "46/BC-UBND", "--details", str(details)
    )
    assert code == 0, err
    code, out, err = await thidua(settings, *issue)  # a report without its number
    assert code == 1 and "number" in err


async def test_every_document_type_survives_libreoffice_pdf_and_png(
    demo: Client, tmp_path: Path
) -> None:
    """Each document type as LibreOffice prints it: the page count, the page's orientation,
    and the text (with its diacritics) read back from the PDF."""
    gone = office.missing()
    if gone:
        reason = office.installable()
        if reason is not None:
            pytest.skip(f"LibreOffice rendering not checked: {reason} (missing {gone})")
        pytest.fail(f"{', '.join(gone)} missing but installable: {office.INSTALL}")
    listed = await ask(demo, ListDocuments(movement_id=MOVEMENT))
    first: dict[str, Path] = {}
    for doc in listed:
        if doc["file_name"].endswith(".docx"):
            first.setdefault(doc["doc_type"], Path(doc["path"]))
    pipeline = await ask(demo, ShowPipeline(movement_id=MOVEMENT))
    draft = await ask(
        demo,
        DraftAchievementReport(
            movement_id=MOVEMENT, proposal_id=pipeline["rows"][0]["proposal_id"]
        ),
    )
    sources = tmp_path / "docx"
    sources.mkdir()
    (sources / "bao-cao-thanh-tich.docx").write_bytes(base64.b64decode(draft["content_base64"]))
    for doc_type, path in first.items():
        (sources / f"{doc_type}.docx").write_bytes(path.read_bytes())
    files = sorted(sources.glob("*.docx"))
    pdfs = tmp_path / "pdf"
    await asyncio.to_thread(office.to_pdf, files, pdfs, tmp_path / "profile")
    # (fewest and most pages, landscape, phrases that must survive) per type. A list on its own
    # pages (NĐ30 Phụ lục I §III) makes a second page; a certificate is one page; the upper
    # bounds allow for the substitute of Times New Roman a machine without it prints with.
    expected: dict[str, tuple[int, int, bool, tuple[str, ...]]] = {
        "quyet-dinh": (2, 4, False, ("QUYẾT ĐỊNH", "Lê Thị Thu Hà", "./.", "Nơi nhận:")),
        "bien-ban": (1, 3, False, ("BIÊN BẢN", "Đỗ Thị Lan", "44,44", "THƯ KÝ", "CHỦ TỌA")),
        "to-trinh": (2, 3, False, ("TỜ TRÌNH", "Kính gửi:", "Nguyễn Thị Hương")),
        "giay-khen": (1, 1, True, ("GIẤY KHEN", "Độc lập - Tự do - Hạnh phúc")),
        "to-trinh-tinh": (
            2,
            3,
            False,
            ("TỜ TRÌNH", "Phạm Quốc Dũng", "TM. ỦY BAN NHÂN DÂN", "Nguyễn Minh Quang"),
        ),
        "bao-cao": (1, 4, False, ("BÁO CÁO", "Sơ kết 6 tháng đầu năm", "ĐỀ XUẤT, KIẾN NGHỊ")),
        "bao-cao-thanh-tich": (1, 3, False, ("BÁO CÁO THÀNH TÍCH", "III. CÁC HÌNH THỨC")),
        "thong-ke-0701": (1, 3, True, ("Biểu số: 0701.N/BNV-TĐKT", "SỐ PHONG TRÀO THI ĐUA")),
        "thong-ke-0702": (
            1,
            4,
            True,
            ("Biểu số: 0702.N/BNV-TĐKT", "Chia theo đối tượng khen thưởng"),
        ),
        "thong-ke-0703": (1, 4, True, ("Biểu số: 0703.N/BNV-TĐKT", "Người trực tiếp công tác")),
    }
    assert sorted(p.stem for p in files) == sorted(expected)
    for source in files:
        pdf = pdfs / f"{source.stem}.pdf"
        fewest, most, landscape, phrases = expected[source.stem]
        assert fewest <= office.pages(pdf) <= most, (source.stem, office.pages(pdf))
        width, height = office.first_page_png(pdf, tmp_path / source.stem)
        assert (width > height) == landscape, source.stem
        text = office.text(pdf)
        for phrase in phrases:
            assert phrase in text, (source.stem, phrase)
        if "CỘNG HÒA XÃ HỘI CHỦ NGHĨA" in text:
            # NĐ30: the Quốc hiệu on one line, never with "NAM" wrapped below it.
            title = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
            assert any(title in line for line in office.lines(pdf)), source.stem
        if source.stem == "quyet-dinh":
            # The signature page must carry the end of the body (its "./."), not only
            # "Nơi nhận" and the signature.
            signed = next(p for p in office.page_texts(pdf) if "Nơi nhận:" in p)
            assert signed.split("Nơi nhận:")[0].rstrip().endswith("./."), signed[:200]
    # The statistics forms as sent (.xlsx), printed by Calc: every column on each page, so the
    # headings (repeated on each page) and the labels they count are printed together, and the
    # signatures side by side under the table.
    sheets = tmp_path / "xlsx"
    sheets.mkdir()
    forms = {d["doc_type"]: Path(d["path"]) for d in listed if d["file_name"].endswith(".xlsx")}
    for doc_type, path in forms.items():
        (sheets / f"{doc_type}.xlsx").write_bytes(path.read_bytes())
    assert sorted(p.stem for p in sheets.glob("*.xlsx")) == [
        "thong-ke-0701",
        "thong-ke-0702",
        "thong-ke-0703",
    ]
    printed = tmp_path / "xlsx-pdf"
    await asyncio.to_thread(
        office.to_pdf, sorted(sheets.glob("*.xlsx")), printed, tmp_path / "profile-calc"
    )
    for source in sorted(sheets.glob("*.xlsx")):
        pdf = printed / f"{source.stem}.pdf"
        width, height = office.first_page_png(pdf, tmp_path / f"{source.stem}-xlsx")
        assert width > height, source.stem
        page_texts = office.page_texts(pdf)
        assert all("Mã số" in page for page in page_texts), (source.stem, len(page_texts))
        assert f"Biểu số: {source.stem.removeprefix('thong-ke-')}.N/BNV-TĐKT" in page_texts[0]
        last = page_texts[-1]
        assert "Người lập biểu" in last and "Thủ trưởng đơn vị" in last, source.stem
