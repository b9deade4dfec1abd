"""Commands over NATS request/reply: retries append once; bad input is rejected, appends nothing."""

from __future__ import annotations

import asyncio
import json
import unicodedata
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from thidua_contracts import subjects
from thidua_contracts.commands import MAX_COMMAND_BYTES, ProposeAward
from thidua_contracts.replies import CommandReply
from thidua_kit.client import Client
from thidua_kit.clock import new_id
from thidua_kit.db import Store
from thidua_kit.settings import Settings
from thidua_kit.testing import running_system

from .helpers import MOVEMENT, clerk, define, open_round, register, report

pytestmark = pytest.mark.connected


async def raw_command(client: Client, name: str, body: bytes) -> CommandReply:
    subject = subjects.command_subject(client.settings.subject_prefix, "submissions", name)
    raw = await client.request_raw(subject, body)
    assert isinstance(raw, bytes)
    return CommandReply.model_validate_json(raw)


async def test_a_command_retried_with_the_same_id_appends_once(settings: Settings) -> None:
    async with running_system(settings, ("submissions",)), Client(settings) as client:
        assert (await client.command(define())).status == "accepted"
        command = register("phuong-vu-ninh")
        first = await client.command(command)
        second = await client.command(command)
        assert first.status == second.status == "accepted"
        assert second.events == first.events
        assert await client.log().last_sequence() == 2


async def test_a_command_id_reused_for_other_content_is_refused_and_the_first_reply_stands(
    settings: Settings,
) -> None:
    async with running_system(settings, ("submissions",)), Client(settings) as client:
        assert (await client.command(define())).status == "accepted"
        first = register("phuong-vu-ninh")
        accepted = await client.command(first)
        edited = first.model_copy(update={"titles_sought": ["GK_CT_UBND_TP"]})
        reply = await client.command(edited)
        assert reply.status == "rejected"
        assert reply.error is not None and reply.error.code.value == "command_id_reused"
        assert reply.error.field == "command_id"
        assert await client.log().last_sequence() == 2
        # The retry of the command as first sent still gets its reply.
        assert (await client.command(first)).events == accepted.events


def _valid_registration() -> dict[str, Any]:
    return json.loads(register("phuong-vu-ninh").model_dump_json())


CASES: list[tuple[str, bytes, str, str | None]] = [
    ("not json", b"{not json", "malformed", None),
    ("not utf-8", b"\xff\xfe", "malformed", None),
    (
        "wrong type",
        json.dumps({**_valid_registration(), "registered_on": "hôm qua"}).encode(),
        "invalid_field",
        "registered_on",
    ),
    (
        "unknown field",
        json.dumps({**_valid_registration(), "extra": 1}).encode(),
        "invalid_field",
        "extra",
    ),
    (
        "unknown unit",
        json.dumps(
            {
                **_valid_registration(),
                "unit_id": "phuong-khong-co",
                "actor": {"id": "x", "role": "unit_clerk", "unit": "phuong-khong-co"},
            }
        ).encode(),
        "unknown_unit",
        "unit_id",
    ),
    (
        "unknown movement",
        json.dumps({**_valid_registration(), "movement_id": "bn-1999"}).encode(),
        "unknown_movement",
        "movement_id",
    ),
    (
        "another unit's clerk",
        json.dumps(
            {
                **_valid_registration(),
                "actor": {"id": "x", "role": "unit_clerk", "unit": "phuong-kinh-bac"},
            }
        ).encode(),
        "forbidden",
        "actor",
    ),
    (
        "name not in NFC",
        json.dumps(
            {
                **_valid_registration(),
                "actor": {
                    "id": "x",
                    "role": "unit_clerk",
                    "unit": "phuong-vu-ninh",
                    "name": unicodedata.normalize("NFD", "Nguyễn Thị Hương"),
                },
            }
        ).encode(),
        "not_nfc",
        "actor.name",
    ),
    (
        "control character in a name",
        json.dumps(
            {
                **_valid_registration(),
                "actor": {
                    "id": "x",
                    "role": "unit_clerk",
                    "unit": "phuong-vu-ninh",
                    "name": "Nguyễn\u000bThị Hương",
                },
            }
        ).encode(),
        "invalid_character",
        "actor.name",
    ),
    (
        "NaN is not JSON",
        json.dumps(
            {**_valid_registration(), "commitments": [{"target_code": "t", "value": float("nan")}]}
        ).encode(),
        "malformed",
        None,
    ),
    (
        "a date given as a number",
        json.dumps({**_valid_registration(), "registered_on": 1653004800}).encode(),
        "invalid_field",
        "registered_on",
    ),
    (
        "unknown field inside a part",
        json.dumps(
            {
                **_valid_registration(),
                "commitments": [{"target_code": "t", "value": "1", "nguon": "x"}],
            }
        ).encode(),
        "invalid_field",
        "commitments.0.nguon",
    ),
    (
        "oversized",
        json.dumps({**_valid_registration(), "pad": "x" * MAX_COMMAND_BYTES}).encode(),
        "payload_too_large",
        None,
    ),
]


@pytest.mark.parametrize(("case", "body", "code", "field"), CASES, ids=[c[0] for c in CASES])
async def test_bad_input_is_rejected_with_code_and_field_and_appends_nothing(
    settings: Settings, case: str, body: bytes, code: str, field: str | None
) -> None:
    async with running_system(settings, ("submissions",)), Client(settings) as client:
        assert (await client.command(define())).status == "accepted"
        before = await client.log().last_sequence()
        reply = await raw_command(client, "register", body)
        assert reply.status == "rejected"
        assert reply.error is not None
        assert reply.error.code.value == code
        assert reply.error.field == field
        assert reply.error.message_vi and reply.error.message_en
        assert reply.error.message_vi != reply.error.message_en
        assert await client.log().last_sequence() == before
        # The service is still there and still accepts good commands.
        assert (await client.command(register("phuong-vu-ninh"))).status == "accepted"


async def test_a_proposal_for_an_unknown_person_is_rejected(settings: Settings) -> None:
    async with running_system(settings, ("submissions",)), Client(settings) as client:
        await client.command(define())
        await client.command(register("phuong-vu-ninh"))
        before = await client.log().last_sequence()
        for person, code in (
            ("nguoi-khong-co", "unknown_person"),
            ("le-thi-thu-ha", "person_not_in_unit"),
        ):
            reply = await client.command(
                ProposeAward(
                    command_id=new_id(),
                    actor=clerk("phuong-vu-ninh"),
                    movement_id=MOVEMENT,
                    proposal_id=new_id(),
                    unit_id="phuong-vu-ninh",
                    subject_kind="ca_nhan",
                    subject_id=person,
                    award_code="GK_CT_UBND_TP",
                    year=2022,
                    achievement_summary="Hoàn thành xuất sắc nhiệm vụ.",
                )
            )
            assert reply.error is not None and reply.error.code.value == code
            assert reply.error.field == "subject_id"
        assert await client.log().last_sequence() == before


async def test_a_duplicate_registration_and_a_report_before_registering_are_rejected(
    settings: Settings,
) -> None:
    async with running_system(settings, ("submissions",)), Client(settings) as client:
        await client.command(define())
        not_registered = await client.command(report("phuong-kinh-bac"))
        assert not_registered.error is not None
        assert not_registered.error.code.value == "not_registered"
        await client.command(register("phuong-vu-ninh"))
        twice = await client.command(register("phuong-vu-ninh"))
        assert twice.error is not None and twice.error.code.value == "duplicate_registration"
        assert await client.log().last_sequence() == 2


async def test_an_unknown_command_name_gets_a_clear_answer(settings: Settings) -> None:
    async with running_system(settings, ("submissions",)), Client(settings) as client:
        reply = await raw_command(client, "delete_everything", b"{}")
        assert reply.status == "rejected"
        assert reply.error is not None and reply.error.code.value == "unknown_command"


async def test_commands_and_events_go_on_after_postgresql_drops_the_connections(
    settings: Settings,
    postgres_databases: Callable[[], str],
    postgres_admin_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Connections are not pinged before use: one the server dropped fails, and is replaced."""
    urls = {name: postgres_databases() for name in ("submissions", "scoring")}
    for name, url in urls.items():
        monkeypatch.setenv(f"THIDUA_{name.upper()}_DATABASE_URL", url)
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with running_system(settings, ("submissions", "scoring")), Client(settings) as client:
            for command in (define(), open_round(), register("phuong-vu-ninh")):
                assert (await client.command(command)).status == "accepted"
            with admin.connect() as conn:
                dropped = conn.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = ANY(:names)"
                    ),
                    {"names": [make_url(u).database for u in urls.values()]},
                ).scalar()
            assert dropped  # the services' pooled connections are gone
            reply = await client.command(report("phuong-vu-ninh"))
            assert reply.status == "accepted", reply
            await client.wait_until_stable(("submissions", "scoring"), within=30)
            types = [json.loads(body)["type"] async for _, body in client.log().replay_raw()]
    finally:
        admin.dispose()
    # The report, accepted after the drop, was scored by a consumer whose connection was dropped.
    assert types[-2:] == ["submissions.ReportSubmitted", "scoring.ScoreSheetRecorded"], types


async def test_a_command_while_postgresql_refuses_connections_is_answered_unavailable(
    settings: Settings,
    postgres_databases: Callable[[], str],
    postgres_admin_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = postgres_databases()
    monkeypatch.setenv("THIDUA_SUBMISSIONS_DATABASE_URL", url)
    name = make_url(url).database
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with running_system(settings, ("submissions",)), Client(settings) as client:
            assert (await client.command(define())).status == "accepted"
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                    ),
                    {"n": name},
                )
            before = await client.log().last_sequence()
            command = open_round()
            refused = await client.command(command)
            assert refused.status == "rejected" and refused.error is not None, refused
            # The service's own answer, not the client's timeout: it names the command and why.
            assert refused.command_id == command.command_id
            assert refused.error.code.value == "unavailable"
            assert refused.error.message_en == "The service is unavailable. (database)"
            assert await client.log().last_sequence() == before  # nothing decided
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            again = await client.command(open_round())
            assert again.status == "accepted", again
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()


async def test_a_command_reads_each_state_it_decides_on_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The handler loads the aggregate to decide, and appending its events needs the same
    state again: one read, not two (each a round trip on PostgreSQL, for every command)."""
    reads: Counter[str] = Counter()
    run = Store._run

    # The store's statements go to the driver's cursor, past SQLAlchemy's events: counted here.
    def count(store: Store, name: str, params: Any, many: bool = False) -> Any:
        task = asyncio.current_task()
        folding = task is not None and task.get_name() == "submissions-consumer"
        if name.startswith("get_state") and not folding:  # the command's own reads
            reads[repr(sorted(params.items()))] += 1
        return run(store, name, params, many)

    monkeypatch.setattr(Store, "_run", count)
    async with running_system(settings, ("submissions",)), Client(settings) as client:
        for command in (define(), open_round(), register("phuong-vu-ninh")):
            assert (await client.command(command)).status == "accepted"
        await client.wait_until_stable(("submissions",))
        reads.clear()
        assert (await client.command(report("phuong-vu-ninh"))).status == "accepted"
    assert len(reads) == 4, reads  # movement, round, registration, report
    assert set(reads.values()) == {1}, reads
