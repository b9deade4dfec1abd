"""`thidua demo` end to end: every service its own process, twice in a row on one server."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nats
import pytest

from thidua_reporting.adapters.docx_check import check_decree30, docx_text

pytestmark = pytest.mark.e2e


def run_demo(cwd: Path, nats_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THIDUA_")}
    env["THIDUA_NATS_URL"] = nats_url
    return subprocess.run(
        [sys.executable, "-m", "thidua_kit", "demo"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


async def registered_documents(nats_url: str, stream: str) -> list[dict[str, object]]:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        last = (await js.stream_info(stream)).state.last_seq
        found = []
        for seq in range(1, last + 1):
            body = json.loads((await js.get_msg(stream, seq)).data or b"{}")
            if body["type"] == "reporting.DocumentRegistered":
                found.append(body["payload"])
        return found
    finally:
        await nc.close()


async def drop(nats_url: str, streams: list[str]) -> None:
    nc = await nats.connect(nats_url)
    try:
        for name in streams:
            for each in (name, f"{name}_CHECKPOINTS"):
                await nc.jetstream().delete_stream(each)
    finally:
        await nc.close()


def test_demo_twice_in_a_row_isolates_each_run_and_issues_a_traceable_decision(
    tmp_path: Path, nats_url: str
) -> None:
    first = run_demo(tmp_path, nats_url)
    second = run_demo(tmp_path, nats_url)
    streams = [
        m.group(1) for m in re.finditer(r"stream (THIDUA_DEMO_\w+),", first.stdout + second.stdout)
    ]
    try:
        for run in (first, second):
            assert run.returncode == 0, run.stderr[-2000:]
            assert "isolated run" in run.stdout
            assert "3 awards issued" in run.stdout
            assert "450.000 đ" in run.stdout and "900.000 đ" in run.stdout
            assert "nominations.AwardIssued" in run.stdout  # the explained causal chain
        assert len(set(streams)) == 2
        document = tmp_path / "out" / "bn-2022" / "quyet-dinh-01-qd-ubnd-2023.docx"
        data = document.read_bytes()
        assert check_decree30(data) == []
        text = docx_text(data)
        for name in ("Nguyễn Thị Hương", "Lê Thị Thu Hà", "Ủy ban nhân dân phường Đại Phúc"):
            assert name in text
        assert "Đỗ Thị Lan" not in text  # failed the ballot: not in the decision
        registered = asyncio.run(registered_documents(nats_url, streams[-1]))
        decisions = [d for d in registered if d["doc_type"] == "quyet-dinh"]
        assert [d["sha256"] for d in decisions] == [hashlib.sha256(data).hexdigest()]
    finally:
        asyncio.run(drop(nats_url, streams))
