"""The operator's CLI over the public NATS API: one clear line and a non-zero exit on errors."""

from __future__ import annotations

import asyncio
import csv
import os
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from thidua_kit.client import Client
from thidua_kit.demo import service_env
from thidua_kit.settings import Settings
from thidua_kit.testing import running_system

from ..connected.helpers import define

pytestmark = pytest.mark.e2e


async def thidua(settings: Settings, *args: str, **env: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "thidua_kit",
        *args,
        env={**service_env(settings), **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_cli_accepts_and_rejects_with_one_clear_line(settings: Settings) -> None:
    async with running_system(settings, ("submissions", "audit")), Client(settings) as client:
        await client.command(define())
        code, out, err = await thidua(settings, "register", "phuong-vu-ninh", "--on", "2022-05-20")
        assert code == 0, err
        assert out.startswith("accepted submissions.UnitRegistered seq=2 ")
        code, out, err = await thidua(settings, "register", "phuong-khong-co", "--on", "2022-05-20")
        assert code == 1
        assert err.strip().count("\n") == 0
        assert err.startswith("rejected [unknown_unit] unit_id: Đơn vị không tham gia")
        code, _, err = await thidua(settings, "audit", "explain", "khong-phai-uuid")
        assert code == 1 and "is not a UUID" in err and err.strip().count("\n") == 0
        code, _, err = await thidua(
            settings, "audit", "explain", "01a20a49-0000-7000-8000-000000000000"
        )
        assert code == 1 and "[unknown_award]" in err
        assert await client.log().last_sequence() == 2


async def test_cli_provision_is_idempotent_and_a_missing_server_is_one_line(
    settings: Settings,
) -> None:
    code, out, _ = await thidua(settings, "admin", "provision")
    assert code == 0 and f"{settings.stream}: created" in out
    code, out, _ = await thidua(settings, "admin", "provision")
    assert code == 0 and "reused" in out
    code, _, err = await thidua(
        settings, "admin", "provision", THIDUA_NATS_URL="nats://127.0.0.1:9"
    )
    assert code == 1
    assert "cannot reach NATS" in err and err.strip().count("\n") == 0
    assert os.environ.get("THIDUA_NATS_URL", "") != "nats://127.0.0.1:9"


async def test_audit_verify_with_no_audit_service_to_give_its_key_says_so_in_one_line(
    settings: Settings,
) -> None:
    code, _, _ = await thidua(settings, "admin", "provision")
    assert code == 0
    code, out, err = await thidua(settings, "audit", "verify")
    assert code == 1 and out == ""
    note, error = err.strip().split("\n")
    assert note.startswith("note: using the audit service's own public key")
    assert error.startswith("lỗi / error: the audit service did not give its key")


async def test_records_import_from_csv_and_excel_is_all_or_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    header = ["subject_kind", "subject_id", "unit_id", "year", "kind", "value", "source_ref"]
    good = [
        ["ca_nhan", "nguyen-thi-huong", "phuong-vu-ninh", "2022", "nhiem_vu", "HTXS", "QĐ 15"],
        ["ca_nhan", "tran-van-minh", "phuong-vu-ninh", "2022", "nhiem_vu", "HTT", "QĐ 15"],
    ]
    bad = tmp_path / "xep-loai.csv"
    with bad.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(
            [
                header,
                *good,
                ["ca_nhan", "le-thi-thu-ha", "phuong-vu-ninh", "2022", "nhiem_vu", "HTXS", "QĐ 15"],
            ]
        )
    sheet = tmp_path / "xep-loai.xlsx"
    workbook = Workbook()
    for row in [header, *good]:
        workbook.active.append(row)
    workbook.save(sheet)
    async with running_system(settings, ("submissions",)), Client(settings) as client:
        await client.command(define())
        code, _, err = await thidua(
            settings, "records", "import", str(bad), "--kind", "ratings", "--unit", "phuong-vu-ninh"
        )
        assert code == 1
        assert "[rows_invalid]" in err
        assert "line 4 subject_id: [person_not_in_unit]" in err
        assert await client.log().last_sequence() == 1  # nothing imported
        code, out, err = await thidua(
            settings,
            "records",
            "import",
            str(sheet),
            "--kind",
            "ratings",
            "--unit",
            "phuong-vu-ninh",
        )
        assert code == 0, err
        assert out.startswith("imported 2 ratings rows")
        assert await client.log().last_sequence() == 3
