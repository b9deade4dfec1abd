"""The operator's CLI over the public NATS API: one clear line and a non-zero exit on errors."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

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
