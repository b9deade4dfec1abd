"""The nomination commands of `thidua` through the real services: propose with a dossier, show,
list and the pipeline, a council session opened with attendance, tallied and closed, the
decision signed, the award revoked; errors are one line and change nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from thidua_contracts.commands import ImportRecords
from thidua_contracts.envelope import Actor, Role
from thidua_kit.client import Client
from thidua_kit.clock import new_id
from thidua_kit.settings import Settings
from thidua_kit.testing import running_system

from ..connected.helpers import MOVEMENT, define, open_round, register, report
from .test_cli import thidua

pytestmark = pytest.mark.e2e
SERVICES = ("submissions", "scoring", "nominations")


async def test_nomination_council_decision_and_revocation_commands(
    settings: Settings, tmp_path: Path
) -> None:
    async with running_system(settings, SERVICES), Client(settings) as client:
        for command in (
            define(),
            open_round(),
            register("phuong-vu-ninh"),
            report("phuong-vu-ninh"),
        ):
            assert (await client.command(command)).status == "accepted"
        rating = {
            "subject_kind": "ca_nhan",
            "subject_id": "nguyen-thi-huong",
            "unit_id": "phuong-vu-ninh",
            "year": 2022,
            "kind": "nhiem_vu",
            "value": "HTXS",
            "source_ref": "Xếp loại 2022",
        }
        imported = await client.command(
            ImportRecords(
                command_id=new_id(),
                actor=Actor(id="nv", role=Role.PHONG_NOI_VU),
                movement_id=MOVEMENT,
                kind="ratings",
                rows=[rating],
            )
        )
        assert imported.status == "accepted"
        for name in ("to-trinh.pdf", "bao-cao.pdf", "bien-ban.pdf"):
            (tmp_path / name).write_bytes(f"nội dung {name}".encode())
        (tmp_path / "ho-so.yaml").write_text(
            yaml.safe_dump(
                [
                    {
                        "kind": "to_trinh",
                        "path": "to-trinh.pdf",
                        "number": "12/TTr-UBND",
                        "issued_on": "2022-12-05",
                    },
                    {"kind": "bao_cao_thanh_tich", "path": "bao-cao.pdf"},
                    {"kind": "bien_ban_binh_xet", "path": "bien-ban.pdf"},
                ],
                allow_unicode=True,
            ),
            encoding="utf-8",
        )
        code, out, err = await thidua(
            settings,
            "nomination",
            "propose",
            "--unit",
            "phuong-vu-ninh",
            "--person",
            "nguyen-thi-huong",
            "--award",
            "GK_CT_UBND_TP",
            "--year",
            "2022",
            "--summary",
            "Hoàn thành xuất sắc nhiệm vụ năm 2022",
            "--dossier",
            str(tmp_path / "ho-so.yaml"),
        )
        assert code == 0, err
        await client.wait_until_stable(SERVICES)
        code, out, err = await thidua(settings, "nomination", "list")
        assert code == 0, err
        (line,) = out.strip().splitlines()
        proposal_id = line.split()[0]
        assert "APPRAISED_ELIGIBLE" in line and "Nguyễn Thị Hương" in line
        code, out, err = await thidua(settings, "nomination", "show", proposal_id)
        assert code == 0 and "dossier" in out and "Hồ sơ đủ thành phần" in out, err

        members = tmp_path / "hoi-dong.yaml"
        members.write_text(
            yaml.safe_dump(
                [{"member_id": f"tv-{i}", "name": f"Thành viên {i}"} for i in range(1, 10)],
                allow_unicode=True,
            ),
            encoding="utf-8",
        )
        before = await client.log().last_sequence()
        code, _, err = await thidua(
            settings,
            "council",
            "open",
            "hd-2022-12-20",
            "--on",
            "2022-12-20",
            "--members",
            str(members),
            "--present",
            "tv-99",
        )
        assert code == 1 and err.startswith("rejected [invalid_field] present_ids.0")
        assert err.strip().count("\n") == 0
        assert await client.log().last_sequence() == before
        present = [arg for i in range(1, 9) for arg in ("--present", f"tv-{i}")]
        code, out, err = await thidua(
            settings,
            "council",
            "open",
            "hd-2022-12-20",
            "--on",
            "2022-12-20",
            "--members",
            str(members),
            *present,
        )
        assert code == 0 and "CouncilSessionOpened" in out, err
        code, out, err = await thidua(
            settings,
            "council",
            "tally",
            proposal_id,
            "--session",
            "hd-2022-12-20",
            "--on",
            "2022-12-20",
            "--members",
            "9",
            "--present",
            "8",
            "--issued",
            "8",
            "--returned",
            "8",
            "--valid",
            "8",
            "--yes",
            "7",
        )
        assert code == 0, err
        code, out, err = await thidua(
            settings, "council", "close", "hd-2022-12-20", "--on", "2022-12-20"
        )
        assert code == 0 and "CouncilSessionClosed" in out, err
        await client.wait_until_stable(SERVICES)
        code, out, err = await thidua(
            settings,
            "decision",
            "sign",
            proposal_id,
            "--number",
            "01/QĐ-UBND",
            "--on",
            "2023-01-05",
            "--signer",
            "Nguyễn Minh Quang",
        )
        assert code == 0, err
        await client.wait_until_stable(SERVICES)
        code, out, err = await thidua(settings, "nomination", "pipeline")
        assert code == 0 and "ISSUED" in out and "GK_CT_UBND_TP" in out, err
        code, out, err = await thidua(settings, "nomination", "overdue", "--as-of", "2023-01-20")
        assert code == 0 and "notify_result" in out and "due 2023-01-19" in out, err
        code, out, err = await thidua(settings, "awards", "list")
        award_id = re.match(r"(\S+)", out.strip())
        assert code == 0 and award_id is not None, err
        code, out, err = await thidua(
            settings,
            "award",
            "revoke",
            award_id.group(1),
            "--ground",
            "b",
            "--number",
            "15/QĐ-UBND",
            "--on",
            "2023-06-01",
            "--reason",
            "Báo cáo thành tích có số liệu không đúng",
        )
        assert code == 0 and "AwardRevoked" in out, err
        code, out, err = await thidua(settings, "nomination", "list")
        assert "REVOKED" in out
