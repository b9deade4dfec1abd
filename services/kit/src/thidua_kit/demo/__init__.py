"""`thidua demo`: every service as its own process, the Bắc Ninh 2022 movement to issued awards.

Each run isolates itself on the server: its own stream (THIDUA_DEMO_<run>) and subject prefix,
so running it twice never collides with an earlier run or with production streams.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from thidua_contracts.commands import (
    CloseRound,
    CloseSession,
    Command,
    CreditFund,
    DefineMovement,
    ExplainAward,
    ForwardProposals,
    ImportRecords,
    IssueCityReport,
    ListAwards,
    ListDocuments,
    ListNominations,
    NotifyResult,
    OpenRound,
    OpenSession,
    PostNotice,
    ProposeAward,
    PublishMovement,
    RecordBlockBallot,
    RecordHigherAnswer,
    RecordKind,
    RecordTally,
    RegisterIndividual,
    RegisterUnit,
    ShowBlockRanking,
    ShowFund,
    ShowNomination,
    SignCovenant,
    SignDecision,
    SubmitReport,
    SupplementDossier,
)
from thidua_contracts.envelope import Actor, Role
from thidua_contracts.events import (
    Achievement,
    CandidateVotes,
    CouncilMember,
    CriterionPoints,
    DossierItem,
)
from thidua_contracts.movement import MovementDefinition, RoundKind
from thidua_contracts.verify import read_events, verify_bundle

from .. import verify as live
from ..client import Client
from ..clock import new_id
from ..explain_text import render_chain
from ..services import SERVICE_NAMES
from ..settings import Settings

MOVEMENT = "bn-2022"


def load_definition() -> MovementDefinition:
    text = files("thidua_kit").joinpath("demo", "bn-2022.yaml").read_text(encoding="utf-8")
    return MovementDefinition.model_validate(yaml.safe_load(text))


class DemoError(Exception):
    pass


def run_demo(base: Settings) -> int:
    run_id = datetime.now().strftime("%Y%m%d%H%M%S")
    data_dir = base.data_dir / "demo" / run_id
    settings = base.model_copy(
        update={
            "stream": f"THIDUA_DEMO_{run_id}",
            "checkpoint_stream": None,
            "subject_prefix": f"demo{run_id}",
            "data_dir": data_dir,
        }
    )
    print(
        f"Thi đua demo — isolated run {run_id}: stream {settings.stream}, "
        f"subjects {settings.subject_prefix}.evt.>, data {data_dir}"
    )
    processes: list[subprocess.Popen[bytes]] = []
    try:
        asyncio.run(_provision(settings))
        processes = start_services(settings, data_dir / "logs")
        result = asyncio.run(drive(settings))
        return asyncio.run(audit_tour(settings, result))
    except (DemoError, TimeoutError, OSError, live.AuditError) as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        return 1
    finally:
        stop_services(processes)


async def _provision(settings: Settings) -> None:
    async with Client(settings) as client:
        for line in await client.log().provision():
            print(f"  {line}")


def service_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "THIDUA_NATS_URL": settings.nats_url,
            "THIDUA_STREAM": settings.stream,
            "THIDUA_SUBJECT_PREFIX": settings.subject_prefix,
            "THIDUA_DATA_DIR": str(settings.data_dir),
            "THIDUA_OUT_DIR": str(settings.out_dir),
        }
    )
    for name in SERVICE_NAMES:
        env.pop(f"THIDUA_{name.upper()}_DATABASE_URL", None)
    # The demo ends by verifying its log: a checkpoint soon after the last event saves waiting.
    env.setdefault("THIDUA_AUDIT_CHECKPOINT_SECONDS", "1")
    return env


def start_services(settings: Settings, log_dir: Path) -> list[subprocess.Popen[bytes]]:
    log_dir.mkdir(parents=True, exist_ok=True)
    processes = []
    for name in SERVICE_NAMES:
        log = (log_dir / f"{name}.log").open("wb")
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "thidua_kit", "service", "run", name],
                env=service_env(settings),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    print(
        f"  started {len(processes)} services as processes "
        f"(pids {', '.join(str(p.pid) for p in processes)}); logs in {log_dir}"
    )
    return processes


def stop_services(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def wait_ready(client: Client) -> None:
    deadline = asyncio.get_running_loop().time() + 30
    for name in SERVICE_NAMES:
        while (await client.status(name)).status != "ok":
            if asyncio.get_running_loop().time() > deadline:
                raise DemoError(f"service {name} did not start; see its log")
            await asyncio.sleep(0.1)


async def send(client: Client, command: Command) -> int:
    reply = await client.command(command)
    if reply.status != "accepted":
        assert reply.error is not None
        raise DemoError(f"{command.NAME}: [{reply.error.code.value}] {reply.error.message_en}")
    return max(e.sequence for e in reply.events)


def clerk(unit: str) -> Actor:
    return Actor(id=f"{unit}-van-thu", role=Role.UNIT_CLERK, unit=unit)


# Self-scores of three wards in the sơ kết round (group I–IV of the block table).
SO_KET = {
    "phuong-kinh-bac": ("56", "14", "14", "9"),
    "phuong-vu-ninh": ("55", "15", "13.5", "9.5"),
    "phuong-dai-phuc": ("54", "13", "14", "9"),
}

# Self-scores of the sample units in the tổng kết round (group I–IV of the block table).
SCORES = {
    "phuong-vu-ninh": ("58", "15", "14.5", "9.5"),
    "phuong-kinh-bac": ("57.5", "14", "15", "9"),
    "phuong-dai-phuc": ("59", "15", "15", "10"),
    "phuong-suoi-hoa": ("52", "13", "12", "8"),
    "phong-noi-vu": ("56", "15", "15", "9.5"),
    "phong-tai-chinh-ke-hoach": ("55", "14", "14", "9"),
}


async def launch(client: Client, definition: MovementDefinition) -> None:
    """The movement defined from its plan, the year's records, the units registered."""
    await send(
        client,
        DefineMovement(
            command_id=new_id(),
            actor=Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU),
            movement_id=MOVEMENT,
            definition=definition,
        ),
    )
    print(
        f"  movement defined: {len(definition.units)} units in "
        f"{len(definition.blocks)} blocks, {len(definition.persons)} sample people"
    )
    await groundwork(client, definition)
    for unit in SCORES:
        await send(
            client,
            RegisterUnit(
                command_id=new_id(),
                actor=clerk(unit),
                movement_id=MOVEMENT,
                unit_id=unit,
                titles_sought=["GK_CT_UBND_TP"],
                registered_on=datetime(2022, 5, 20).date(),
            ),
        )


async def so_ket(client: Client, criteria: list[str], noi_vu: Actor) -> int:
    """The July round: three wards report, the round closes, Suối Hoa reports late."""
    await send(
        client,
        OpenRound(
            command_id=new_id(),
            actor=noi_vu,
            movement_id=MOVEMENT,
            round=RoundKind.SO_KET,
            opened_on=datetime(2022, 7, 1).date(),
        ),
    )
    # Three wards report for sơ kết in July; Suối Hoa will be late.
    for i, unit in enumerate(SO_KET):
        await send(
            client,
            SubmitReport(
                command_id=new_id(),
                actor=clerk(unit),
                movement_id=MOVEMENT,
                unit_id=unit,
                round=RoundKind.SO_KET,
                submitted_on=datetime(2022, 7, 20 + i).date(),
                self_scores=[
                    CriterionPoints(criterion_code=c, points=p)
                    for c, p in zip(criteria, SO_KET[unit], strict=True)
                ],
                narrative="Báo cáo sơ kết 6 tháng đầu năm 2022.",
            ),
        )
    # The sơ kết deadline (Friday 29/7/2022) passing is itself recorded, with who is missing.
    so_ket_closed = await send(
        client,
        CloseRound(
            command_id=new_id(),
            actor=noi_vu,
            movement_id=MOVEMENT,
            round=RoundKind.SO_KET,
            closed_on=datetime(2022, 8, 1).date(),
        ),
    )
    # Suối Hoa's sơ kết report came after its deadline (Friday 29/7/2022): accepted, late.
    await send(
        client,
        SubmitReport(
            command_id=new_id(),
            actor=clerk("phuong-suoi-hoa"),
            movement_id=MOVEMENT,
            unit_id="phuong-suoi-hoa",
            round=RoundKind.SO_KET,
            submitted_on=datetime(2022, 8, 3).date(),
            narrative="Báo cáo sơ kết 6 tháng đầu năm 2022.",
        ),
    )
    await client.wait_until_stable(("scoring",))
    print(
        f"  sơ kết: {len(SO_KET)} wards reported in July, the round closed 01/8/2022 "
        f"(log #{so_ket_closed}); Suối Hoa's came 3 working days late"
    )
    return so_ket_closed


async def drive(settings: Settings) -> dict[str, Any]:
    definition = load_definition()
    criteria = [c.code for c in definition.scoring_table]
    async with Client(settings) as client:
        await wait_ready(client)
        await launch(client, definition)
        noi_vu = Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU)
        so_ket_closed = await so_ket(client, criteria, noi_vu)
        await send(
            client,
            OpenRound(
                command_id=new_id(),
                actor=noi_vu,
                movement_id=MOVEMENT,
                round=RoundKind.TONG_KET,
                opened_on=datetime(2022, 12, 1).date(),
            ),
        )
        for i, (unit, scores) in enumerate(SCORES.items()):
            await send(
                client,
                SubmitReport(
                    command_id=new_id(),
                    actor=clerk(unit),
                    movement_id=MOVEMENT,
                    unit_id=unit,
                    round=RoundKind.TONG_KET,
                    submitted_on=datetime(2022, 12, 9 + i).date(),
                    achievements=[
                        Achievement(
                            target_code="phong-chong-dich", value="100", unit_of_measure="%"
                        )
                    ],
                    self_scores=[
                        CriterionPoints(criterion_code=c, points=p)
                        for c, p in zip(criteria, scores, strict=True)
                    ],
                    narrative="Báo cáo tổng kết phong trào thi đua năm 2022.",
                ),
            )
        # Vũ Ninh corrects its report before the deadline: a second version, the latest counts.
        await send(
            client,
            SubmitReport(
                command_id=new_id(),
                actor=clerk("phuong-vu-ninh"),
                movement_id=MOVEMENT,
                unit_id="phuong-vu-ninh",
                round=RoundKind.TONG_KET,
                submitted_on=datetime(2022, 12, 14).date(),
                self_scores=[
                    CriterionPoints(criterion_code=c, points=p)
                    for c, p in zip(criteria, SCORES["phuong-vu-ninh"], strict=True)
                ],
                narrative="Báo cáo tổng kết (bản sửa đổi): bổ sung số liệu quý IV.",
            ),
        )
        print(
            f"  tổng kết: {len(SCORES)} units registered and reported (Vũ Ninh amended before "
            "the deadline)"
        )
        await send(
            client,
            CloseRound(
                command_id=new_id(),
                actor=Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU),
                movement_id=MOVEMENT,
                round=RoundKind.TONG_KET,
                closed_on=datetime(2022, 12, 16).date(),
            ),
        )
        await client.wait_until_stable(("scoring",))
        ranked = await _ok(
            client,
            ShowBlockRanking(
                movement_id=MOVEMENT, block_id="khoi-phuong", round=RoundKind.TONG_KET
            ),
        )
        names = {
            u.unit_id: u.name.removeprefix("Ủy ban nhân dân phường ") for u in definition.units
        }
        table = ", ".join(
            f"{r['rank']}. {names[r['unit_id']]} {r['total']}" for r in ranked["rows"]
        )
        leader = names.get(ranked["leader_unit_id"] or "", "none (ballot)")
        print(f"  ward block ranking (tổng kết): {table}; leading: {leader}")
        # The block meeting honours its leader by secret ballot, one vote per member unit.
        wards = [u.unit_id for u in definition.units if u.block_id == "khoi-phuong"]
        await send(
            client,
            RecordBlockBallot(
                command_id=new_id(),
                actor=Actor(
                    id="phuong-vu-ninh-chu-tich", role=Role.BLOCK_HEAD, unit="phuong-vu-ninh"
                ),
                movement_id=MOVEMENT,
                block_id="khoi-phuong",
                round=RoundKind.TONG_KET,
                meeting_on=datetime(2022, 12, 17).date(),
                members_total=len(wards),
                issued=len(wards),
                returned=len(wards),
                valid=len(wards),
                votes=[
                    CandidateVotes(unit_id="phuong-dai-phuc", yes=14),
                    CandidateVotes(unit_id="phuong-vu-ninh", yes=5),
                ],
            ),
        )
        await client.wait_until_stable(("scoring",))
        ranked = await _ok(
            client,
            ShowBlockRanking(
                movement_id=MOVEMENT, block_id="khoi-phuong", round=RoundKind.TONG_KET
            ),
        )
        print(f"  ward block meeting 17/12/2022: {ranked['ballot']['reason_en']}")
        proposals = {
            "nguyen-thi-huong": ("phuong-vu-ninh", "ca_nhan"),
            "le-thi-thu-ha": ("phuong-kinh-bac", "ca_nhan"),
            "phuong-dai-phuc": ("phuong-dai-phuc", "tap_the"),
            "do-thi-lan": ("phuong-suoi-hoa", "ca_nhan"),
        }
        ids: dict[str, str] = {}
        last = 0
        for subject, (unit, kind) in proposals.items():
            ids[subject] = new_id()
            last = await send(
                client,
                ProposeAward(
                    command_id=new_id(),
                    actor=clerk(unit),
                    movement_id=MOVEMENT,
                    proposal_id=ids[subject],
                    unit_id=unit,
                    subject_kind=kind,  # type: ignore[arg-type]
                    subject_id=subject,
                    award_code="GK_CT_UBND_TP",
                    year=2022,
                    achievement_summary="Hoàn thành xuất sắc nhiệm vụ năm 2022.",
                    dossier=dossier(unit, minutes=unit != "phuong-suoi-hoa"),
                ),
            )
        ids["tran-van-minh"] = await cstdcs_proposal(client)
        await client.wait_until_stable(("scoring", "nominations"))
        # Suối Hoa forgot its minutes: one request listing the defect, then the supplement.
        noi_vu = Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU)
        await send(
            client,
            SupplementDossier(
                command_id=new_id(),
                actor=clerk("phuong-suoi-hoa"),
                movement_id=MOVEMENT,
                proposal_id=ids["do-thi-lan"],
                items=[d for d in dossier("phuong-suoi-hoa") if d.kind == "bien_ban_binh_xet"],
                received_on=datetime(2022, 12, 15).date(),
            ),
        )
        await client.wait_until_stable(("nominations",))
        print(
            f"  {len(ids)} proposals appraised by nominations (Suối Hoa's dossier lacked "
            "its minutes: one request to supplement, supplemented 15/12/2022)"
        )
        await notice_and_session(client, list(ids.values()))
        votes = await council_votes(client, ids)
        passed = [ids[s] for s in proposals if votes[s] * 2 > 9]
        await credit_city_fund(client)
        last = await send(
            client,
            SignDecision(
                command_id=new_id(),
                actor=Actor(id="van-phong-ubnd", role=Role.CHAIRMAN_OFFICE),
                movement_id=MOVEMENT,
                decision_id=new_id(),
                number="01/QĐ-UBND",
                signed_on=datetime(2023, 1, 5).date(),
                signer_name="Nguyễn Minh Quang",
                signer_position="chu_tich",
                proposal_ids=passed,
            ),
        )
        await client.wait_until_folded(("nominations",), last)
        await notify_rejections(client, ids)
        await upward(client)
        await city_reports(client)
        await client.wait_until_stable(SERVICE_NAMES)
        await procedure_summary(client)
        summary = await summarise(client, settings)
        return {**summary, "so_ket_closed": so_ket_closed}


# The city's Emulation & Commendation Council (sample names; DOMAIN §4 composition).
# The council's secretary (thư ký Hội đồng), an officer of the Phòng Nội vụ; not a member, so
# not counted in the council's votes. Named, so that the minutes carry who kept them.
SECRETARY = Actor(id="thu-ky-hoi-dong", role=Role.COUNCIL_SECRETARY, name="Nguyễn Thu Trang")

COUNCIL = [
    ("Nguyễn Minh Quang", "Chủ tịch Hội đồng"),
    ("Trần Văn Bình", "Phó Chủ tịch thường trực"),
    ("Lê Thị Mai", "Phó Chủ tịch"),
    ("Phạm Văn Đức", "Thành viên"),
    ("Hoàng Thị Ngọc", "Thành viên"),
    ("Vũ Văn Hải", "Thành viên"),
    ("Đặng Thị Hoa", "Thành viên"),
    ("Bùi Văn Long", "Thành viên"),
    ("Ngô Thị Thanh", "Thành viên"),
]


async def council_votes(client: Client, ids: dict[str, str]) -> dict[str, int]:
    """The council's secret ballot on every nominee, then the session closed: quotas apply."""
    votes = {
        "nguyen-thi-huong": 8,
        "le-thi-thu-ha": 7,
        "phuong-dai-phuc": 9,
        "do-thi-lan": 4,
        "tran-van-minh": 8,
    }
    for subject, yes in votes.items():
        await send(
            client,
            RecordTally(
                command_id=new_id(),
                actor=SECRETARY,
                movement_id=MOVEMENT,
                proposal_id=ids[subject],
                session_id="hdtdkt-2022-12-20",
                session_date=datetime(2022, 12, 20).date(),
                members_total=9,
                present=9,
                issued=9,
                returned=9,
                valid=9,
                yes=yes,
            ),
        )
    await send(
        client,
        CloseSession(
            command_id=new_id(),
            actor=SECRETARY,
            movement_id=MOVEMENT,
            session_id="hdtdkt-2022-12-20",
            closed_on=datetime(2022, 12, 20).date(),
        ),
    )
    await client.wait_until_stable(("nominations",))
    excluded = (await _ok(client, ShowNomination(proposal_id=ids["tran-van-minh"])))["excluded"]
    print(
        "  public notice 12/12/2022 (5 working days, no objection); council session "
        "20/12/2022: 9 of 9 members present; Giấy khen: 3 passed (> 1/2), 1 failed (4/9)\n"
        "  CSTĐCS: Trần Văn Minh passed (8/9 ≥ 70 %) but the quota after the ballot "
        f"excluded him ({excluded['reason_code']}: at most 15 % of Vũ Ninh's LĐTT = "
        f"{excluded['quota']})"
    )
    return votes


async def credit_city_fund(client: Client) -> None:
    # The city's award fund holds less than the decision will pay: the decision is flagged.
    await send(
        client,
        CreditFund(
            command_id=new_id(),
            actor=Actor(id="van-phong-ubnd", role=Role.CHAIRMAN_OFFICE),
            movement_id=MOVEMENT,
            level="cap_huyen",
            amount_vnd=1500000,
            credited_on=datetime(2022, 1, 10).date(),
            source_ref="Quỹ thi đua, khen thưởng thành phố năm 2022 (số liệu mẫu)",
        ),
    )


async def notify_rejections(client: Client, ids: dict[str, str]) -> None:
    """The two rejected nominees told why, within the 10 working days (DOMAIN §5.4)."""
    noi_vu = Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU)
    await send(
        client,
        NotifyResult(
            command_id=new_id(),
            actor=noi_vu,
            movement_id=MOVEMENT,
            proposal_id=ids["do-thi-lan"],
            kind="rejection",
            notified_on=datetime(2023, 1, 9).date(),
            reason="Không đạt số phiếu của Hội đồng (4/9 thành viên đồng ý).",
        ),
    )
    await send(
        client,
        NotifyResult(
            command_id=new_id(),
            actor=noi_vu,
            movement_id=MOVEMENT,
            proposal_id=ids["tran-van-minh"],
            kind="rejection",
            notified_on=datetime(2023, 1, 9).date(),
            reason=(
                "Vượt tỷ lệ không quá 15 % số cá nhân đạt danh hiệu Lao động tiên tiến "
                "của đơn vị (Nghị định số 91/2017/NĐ-CP, Điều 9 khoản 3)."
            ),
        ),
    )


async def import_records(client: Client, rows: dict[RecordKind, list[dict[str, Any]]]) -> None:
    """Records the Phòng Nội vụ imports for the criteria, one command per kind."""
    noi_vu = Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU)
    for kind, items in rows.items():
        await send(
            client,
            ImportRecords(
                command_id=new_id(), actor=noi_vu, movement_id=MOVEMENT, kind=kind, rows=items
            ),
        )


async def propose_person(
    client: Client,
    unit: str,
    person: str,
    award_code: str,
    summary: str,
    items: list[DossierItem],
) -> str:
    """A unit proposes one of its officials for a form of 2022, with the dossier by hash."""
    proposal = new_id()
    await send(
        client,
        ProposeAward(
            command_id=new_id(),
            actor=clerk(unit),
            movement_id=MOVEMENT,
            proposal_id=proposal,
            unit_id=unit,
            subject_kind="ca_nhan",
            subject_id=person,
            award_code=award_code,
            year=2022,
            achievement_summary=summary,
            dossier=items,
        ),
    )
    return proposal


async def cstdcs_proposal(client: Client) -> str:
    """Vũ Ninh proposes its official for Chiến sĩ thi đua cơ sở. He holds Lao động tiên tiến
    and a recognised initiative, so he is eligible; but the ward's only LĐTT of 2022 is his own,
    and CSTĐCS may go to at most 15 % of a unit's LĐTT (⌊3/20 × 1⌋ = 0): the quota applied after
    the ballot excludes him, whatever the votes."""
    person, unit = "tran-van-minh", "phuong-vu-ninh"
    rows: dict[RecordKind, list[dict[str, Any]]] = {
        "prior_awards": [
            {
                "subject_kind": "ca_nhan",
                "subject_id": person,
                "unit_id": unit,
                "year": 2022,
                "award_code": "LDTT",
                "decision_ref": "Quyết định số 45/QĐ-UBND ngày 12/12/2022 của UBND phường Vũ Ninh",
                "issuer": "Chủ tịch UBND phường Vũ Ninh",
            }
        ],
        "initiatives": [
            {
                "initiative_id": "sk-vu-ninh-2022",
                "person_id": person,
                "unit_id": unit,
                "title": "Quy trình tiếp nhận hồ sơ hộ tịch trực tuyến",
                "level": "co_so",
                "decision_ref": "Quyết định số 38/QĐ-UBND của UBND phường Vũ Ninh",
                "recognised_on": "2022-11-10",
            }
        ],
    }
    await import_records(client, rows)
    certificate = DossierItem(
        kind="xac_nhan_sang_kien",
        name="Giấy chứng nhận sáng kiến",
        sha256=hashlib.sha256(b"phuong-vu-ninh/sang-kien").hexdigest(),
    )
    proposal = await propose_person(
        client,
        unit,
        person,
        "CSTDCS",
        "Đạt Lao động tiên tiến, có sáng kiến được công nhận năm 2022.",
        [*dossier(unit), certificate],
    )
    return proposal


def dossier(unit: str, minutes: bool = True) -> list[DossierItem]:
    """The three documents of a Giấy khen dossier (DOMAIN §5.2), by hash (sample files)."""
    import hashlib

    def sha(name: str) -> str:
        return hashlib.sha256(f"{unit}/{name}".encode()).hexdigest()

    items = [
        DossierItem(
            kind="to_trinh",
            name="Tờ trình đề nghị khen thưởng",
            number="12/TTr-UBND",
            issued_on=datetime(2022, 12, 5).date(),
            sha256=sha("to-trinh"),
        ),
        DossierItem(kind="bao_cao_thanh_tich", name="Báo cáo thành tích", sha256=sha("bctt")),
    ]
    if minutes:
        items.append(
            DossierItem(kind="bien_ban_binh_xet", name="Biên bản xét khen thưởng", sha256=sha("bb"))
        )
    return items


async def notice_and_session(
    client: Client,
    proposal_ids: list[str],
    posted_on: tuple[int, int, int] = (2022, 12, 12),
    session_on: tuple[int, int, int] = (2022, 12, 20),
) -> str:
    """The nominees posted publicly, then the council session opened with its attendance."""
    session_id = "hdtdkt-{}-{:02d}-{:02d}".format(*session_on)
    noi_vu = Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU)
    await send(
        client,
        PostNotice(
            command_id=new_id(),
            actor=noi_vu,
            movement_id=MOVEMENT,
            notice_id="cong-khai-{}-{:02d}-{:02d}".format(*posted_on),
            proposal_ids=proposal_ids,
            channel="Cổng thông tin điện tử thành phố Bắc Ninh",
            posted_on=datetime(*posted_on).date(),
        ),
    )
    members = [
        CouncilMember(member_id=f"tv-{i:02d}", name=name, position=position)
        for i, (name, position) in enumerate(COUNCIL, start=1)
    ]
    await send(
        client,
        OpenSession(
            command_id=new_id(),
            actor=SECRETARY,
            movement_id=MOVEMENT,
            session_id=session_id,
            session_date=datetime(*session_on).date(),
            members=members,
            present_ids=[m.member_id for m in members],
        ),
    )
    return session_id


async def procedure_summary(client: Client) -> None:
    listed = await _ok(client, ListNominations(movement_id=MOVEMENT))
    states = ", ".join(f"{k} {v}" for k, v in listed["by_status"].items())
    print(f"  nominations by state: {states}")
    for level in await _ok(client, ShowFund(movement_id=MOVEMENT)):
        balance = f"{level['balance_vnd']:,}".replace(",", ".")
        flagged = " (the decision overdrew it: flagged)" if level["balance_vnd"] < 0 else ""
        print(f"  award fund ({level['level']}): balance {balance} đ{flagged}")


async def upward(client: Client) -> None:
    """A provincial form: the ward chairman's two years of HTXS with two initiatives, voted by
    the council on 21/12/2022, proposed to the province by Tờ trình and decided there."""
    office = Actor(id="van-phong-ubnd", role=Role.CHAIRMAN_OFFICE)
    person, unit = "pham-quoc-dung", "phuong-dai-phuc"
    rows: dict[RecordKind, list[dict[str, Any]]] = {
        "ratings": [
            {
                "subject_kind": "ca_nhan",
                "subject_id": person,
                "unit_id": unit,
                "year": year,
                "kind": "nhiem_vu",
                "value": "HTXS",
                "source_ref": f"Tổng hợp xếp loại năm {year}",
            }
            for year in (2021, 2022)
        ],
        "initiatives": [
            {
                "initiative_id": f"sk-dai-phuc-{year}",
                "person_id": person,
                "unit_id": unit,
                "title": title,
                "level": "co_so",
                "decision_ref": f"Quyết định số {no}/QĐ-UBND của UBND phường Đại Phúc",
                "recognised_on": f"{year}-11-15",
            }
            for year, no, title in (
                (2021, "41", "Số hóa hồ sơ hộ tịch tại bộ phận một cửa"),
                (2022, "57", "Tổ dân phố tự quản về vệ sinh môi trường"),
            )
        ],
        "prior_awards": [
            {
                "subject_kind": "ca_nhan",
                "subject_id": person,
                "unit_id": unit,
                "year": 2021,
                "award_code": "CSTDCS",
                "decision_ref": "Quyết định số 12/QĐ-UBND ngày 10/01/2022",
                "issuer": "Chủ tịch UBND thành phố Bắc Ninh",
            }
        ],
    }
    await import_records(client, rows)
    proposal = await propose_person(
        client,
        unit,
        person,
        "BK_CT_UBND_TINH",
        "Hai năm liền hoàn thành xuất sắc nhiệm vụ, hai sáng kiến.",
        dossier(unit),
    )
    await client.wait_until_stable(("nominations",))
    # A provincial form is posted publicly too, then voted at the council's next session.
    session = await notice_and_session(client, [proposal], (2022, 12, 13), (2022, 12, 21))
    await send(
        client,
        RecordTally(
            command_id=new_id(),
            actor=SECRETARY,
            movement_id=MOVEMENT,
            proposal_id=proposal,
            session_id=session,
            session_date=datetime(2022, 12, 21).date(),
            members_total=9,
            present=9,
            issued=9,
            returned=9,
            valid=9,
            yes=8,
        ),
    )
    await send(
        client,
        CloseSession(
            command_id=new_id(),
            actor=SECRETARY,
            movement_id=MOVEMENT,
            session_id=session,
            closed_on=datetime(2022, 12, 21).date(),
        ),
    )
    await client.wait_until_stable(("nominations",))
    submission = new_id()
    await send(
        client,
        ForwardProposals(
            command_id=new_id(),
            actor=office,
            movement_id=MOVEMENT,
            submission_id=submission,
            number="05/TTr-UBND",
            signed_on=datetime(2022, 12, 23).date(),
            addressee="UBND tỉnh Bắc Ninh (qua Sở Nội vụ)",
            proposal_ids=[proposal],
            signer_name="Nguyễn Minh Quang",
        ),
    )
    await send(
        client,
        RecordHigherAnswer(
            command_id=new_id(),
            actor=office,
            movement_id=MOVEMENT,
            submission_id=submission,
            proposal_id=proposal,
            outcome="decided",
            decision_ref="Quyết định số 2150/QĐ-UBND ngày 28/12/2022",
            decided_on=datetime(2022, 12, 28).date(),
            issuer="Chủ tịch UBND tỉnh Bắc Ninh",
        ),
    )
    await client.wait_until_stable(("nominations",))
    print("  Tờ trình 05/TTr-UBND to the province: Phạm Quốc Dũng, Bằng khen tỉnh (8/9), decided")


async def city_reports(client: Client) -> None:
    """The city's sơ kết and tổng kết reports to the province and the year's statistics."""
    office = Actor(id="van-phong-ubnd", role=Role.CHAIRMAN_OFFICE)
    for kind, number, on in (
        ("so-ket", "45/BC-UBND", (2022, 8, 5)),
        ("tong-ket", "120/BC-UBND", (2023, 1, 10)),
        ("thong-ke", None, (2023, 1, 10)),
    ):
        await send(
            client,
            IssueCityReport(
                command_id=new_id(),
                actor=office,
                movement_id=MOVEMENT,
                report_id=new_id(),
                kind=kind,  # type: ignore[arg-type]
                number=number,
                signed_on=datetime(*on).date(),
                signer_name="Nguyễn Minh Quang",
                signer_position="chu_tich",
                typical_examples=[
                    "Mô hình tổ dân phố tự quản về vệ sinh môi trường, phường Đại Phúc"
                ]
                if kind == "tong-ket"
                else [],
            ),
        )
    print("  reports to the province: sơ kết 45/BC-UBND, tổng kết 120/BC-UBND, statistics")


async def groundwork(client: Client, definition: MovementDefinition) -> None:
    """The start of the year: the plan issued, the wards' covenant, individual registrations,
    and the ratings the criteria will need."""
    noi_vu = Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU)
    await send(
        client,
        PublishMovement(
            command_id=new_id(),
            actor=noi_vu,
            movement_id=MOVEMENT,
            number="95/KH-UBND",
            signed_on=datetime(2022, 5, 10).date(),
            signer_name="Nguyễn Minh Quang",
            signer_position="Chủ tịch UBND thành phố",
        ),
    )
    wards = [u.unit_id for u in definition.units if u.block_id == "khoi-phuong"]
    await send(
        client,
        SignCovenant(
            command_id=new_id(),
            movement_id=MOVEMENT,
            block_id="khoi-phuong",
            actor=Actor(id="phuong-vu-ninh-chu-tich", role=Role.BLOCK_HEAD, unit="phuong-vu-ninh"),
            signed_on=datetime(2022, 5, 25).date(),
            signatory_unit_ids=wards,
            target_codes=[t.code for t in definition.targets],
        ),
    )
    people = {
        "nguyen-thi-huong": "phuong-vu-ninh",
        "le-thi-thu-ha": "phuong-kinh-bac",
        "do-thi-lan": "phuong-suoi-hoa",
    }
    for person, unit in people.items():
        await send(
            client,
            RegisterIndividual(
                command_id=new_id(),
                actor=clerk(unit),
                movement_id=MOVEMENT,
                unit_id=unit,
                person_id=person,
                titles_sought=["GK_CT_UBND_TP"],
                registered_on=datetime(2022, 5, 27).date(),
            ),
        )
    await send(
        client,
        ImportRecords(
            command_id=new_id(),
            actor=noi_vu,
            movement_id=MOVEMENT,
            kind="ratings",
            rows=[
                {
                    "subject_kind": "ca_nhan",
                    "subject_id": person,
                    "unit_id": unit,
                    "year": 2022,
                    "kind": "nhiem_vu",
                    "value": "HTXS",
                    "source_ref": "Tổng hợp xếp loại năm 2022",
                }
                for person, unit in people.items()
            ]
            + [
                {
                    "subject_kind": "tap_the",
                    "subject_id": "phuong-dai-phuc",
                    "unit_id": "phuong-dai-phuc",
                    "year": 2022,
                    "kind": "nhiem_vu",
                    "value": "HTXS",
                    "source_ref": "Tổng hợp xếp loại năm 2022",
                }
            ],
        ),
    )
    print(
        f"  plan issued as 95/KH-UBND (sample number); covenant of the ward block signed by "
        f"{len(wards)} wards; {len(people)} individuals registered; their 2022 ratings imported"
    )


async def _ok(client: Client, query: Any) -> Any:
    reply = await client.query(query)
    if reply.status != "ok":
        assert reply.error is not None
        raise DemoError(f"{query.NAME}: {reply.error.message_en}")
    return reply.result


async def summarise(client: Client, settings: Settings) -> dict[str, Any]:
    every = await _ok(client, ListAwards(movement_id=MOVEMENT))
    awards = [a for a in every if a["decision_number"] == "01/QĐ-UBND"]
    print(f"\nQuyết định số 01/QĐ-UBND ngày 05 tháng 01 năm 2023 — {len(awards)} awards issued:")
    for award in awards:
        prize = f"{award['prize_vnd']:,}".replace(",", ".")
        print(f"  - {award['recipient_name']} ({award['unit_name']}): {prize} đ")
    for award in (a for a in every if a not in awards):
        print(f"  decided by the province: {award['recipient_name']}, {award['award_name']}")
    documents = await _ok(client, ListDocuments(movement_id=MOVEMENT))
    kinds: dict[str, int] = {}
    for doc in documents:
        kinds[doc["doc_type"]] = kinds.get(doc["doc_type"], 0) + 1
    folder = Path(documents[0]["path"]).parent if documents else settings.out_dir
    counted = ", ".join(f"{kind} ×{n}" if n > 1 else kind for kind, n in kinds.items())
    print(f"documents ({len(documents)}, SHA-256 in the log) in {folder}: {counted}")
    total = await client.log().last_sequence()
    print(f"log: {total} events in {settings.stream}")
    if awards:
        explained = await _ok(client, ExplainAward(award_id=awards[0]["award_id"]))
        print(f"\nthidua audit explain {awards[0]['award_id']}")
        print(render_chain(explained))
    if not awards or not documents:
        raise DemoError("the movement did not reach issued awards and documents")
    return {"awards": awards, "documents": documents, "events": total}


async def audit_tour(settings: Settings, result: dict[str, Any]) -> int:
    """What an auditor does with the finished movement: export a bundle and verify it offline,
    make every computed decision again, and look at the state as of the sơ kết deadline."""
    async with Client(settings) as client:
        await live.wait_for_checkpoint(client, await client.log().last_sequence())
        taken = await live.snapshot(client)
        key = await live.service_key(client)
    bundle = settings.out_dir / MOVEMENT / "audit-bundle"
    live.write_bundle(bundle, taken, key)
    report = verify_bundle(bundle, key)
    print(f"\nthidua audit export {bundle} ; thidua audit verify --bundle {bundle}")
    print(f"  {report.summary()}")
    records = list(read_events(bundle))
    derived, findings = await live.rederive(records, settings)
    print("thidua audit rederive")
    print(
        f"  ok: {derived} recorded decisions derived again, byte for byte"
        if not findings
        else f"  FAILED: {len(findings)} disagreements, first: {findings[0].line()}"
    )
    closed = int(result["so_ket_closed"])
    with tempfile.TemporaryDirectory(prefix="thidua-replay-") as scratch:
        then = await live.replay(records, settings, closed, Path(scratch))
    print(f"thidua audit replay --as-of {closed}   (the sơ kết round closed, deadline 29/7/2022)")
    for line in then.rankings():
        print(f"  {line}")
    issued = then.answers.get("nominations", {}).get("awards", [])
    awards_then = sum(len(a["answer"]) for a in issued)
    print(f"  awards then: {awards_then}; now {len(result['awards'])}, after {len(records)} events")
    return 0 if report.ok and not findings and then.rankings() else 1
