"""The consumer host: redelivery, poison messages, restart, rebuild and racing writers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.exc
from nats.js import api as js_api
from sqlalchemy import select
from sqlalchemy.orm import Session

from thidua_contracts.commands import SubmitReport
from thidua_contracts.events import EventPayload, ReportSubmitted
from thidua_kit.client import Client
from thidua_kit.db import Store, state_table
from thidua_kit.host import Context, ServiceDefinition, ServiceHost
from thidua_kit.log import StoredEvent
from thidua_kit.services import SERVICE_NAMES, load
from thidua_kit.settings import Settings, database_url
from thidua_kit.testing import running_system

from .helpers import define, open_round, register, registered_event, report

pytestmark = pytest.mark.connected


async def folded(client: Client, *services: str) -> int:
    return await client.wait_until_stable(services)


async def count(client: Client, type_name: str) -> int:
    found = 0
    async for _, body in client.log().replay_raw():
        found += json.loads(body).get("type") == type_name
    return found


def state_rows(settings: Settings, service: str) -> list[tuple[Any, ...]]:
    host = ServiceHost(load(service, settings), settings)
    with Session(host.engine) as session:
        rows = session.execute(
            select(
                state_table.c.kind, state_table.c.key, state_table.c.last_seq, state_table.c.data
            ).order_by(state_table.c.kind, state_table.c.key)
        ).all()
    host.engine.dispose()
    return [tuple(r) for r in rows]


def delete_sqlite(url: str) -> None:
    path = Path(url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


async def test_the_same_event_delivered_twice_has_one_effect(settings: Settings) -> None:
    async with (
        running_system(settings, ("submissions", "scoring")) as hosts,
        Client(settings) as client,
    ):
        await client.command(define())
        await client.command(open_round())
        await client.command(register("phuong-vu-ninh"))
        await client.command(report("phuong-vu-ninh"))
        last = await folded(client, "scoring")
        sheets = await count(client, "scoring.ScoreSheetRecorded")
        before = state_rows(settings, "scoring")
        # Deliver everything again, as JetStream does after a lost ack.
        js = client.nc.jetstream()
        for name in ("again", "and-again"):
            await js.add_consumer(
                settings.stream,
                js_api.ConsumerConfig(
                    durable_name=name,
                    ack_policy=js_api.AckPolicy.EXPLICIT,
                    deliver_policy=js_api.DeliverPolicy.ALL,
                ),
            )
            sub = await js.pull_subscribe_bind(durable=name, stream=settings.stream)
            messages = await sub.fetch(batch=last, timeout=5)
            assert len(messages) == last
            await hosts["scoring"].handle_batch(messages)
        assert await client.log().last_sequence() == last
        assert await count(client, "scoring.ScoreSheetRecorded") == sheets == 1
    assert state_rows(settings, "scoring") == before


async def test_a_malformed_event_is_parked_and_the_next_ones_are_processed(
    settings: Settings,
) -> None:
    async with (
        running_system(settings, ("submissions", "scoring", "audit")),
        Client(settings) as client,
    ):
        await client.command(define())
        await client.command(open_round())
        await client.command(register("phuong-vu-ninh"))
        poison = f"{settings.subject_prefix}.evt.submissions.report.bn-2022.x.tong-ket"
        ack = await client.nc.jetstream().publish(
            poison, b'{"not": "an envelope"}', stream=settings.stream
        )
        await client.command(report("phuong-vu-ninh"))
        await folded(client, "submissions", "scoring", "audit")
        for service in ("scoring", "audit"):
            status = (await client.status(service)).result
            assert [p["sequence"] for p in status["parked"]] == [ack.seq]
            assert "malformed event" in status["parked"][0]["reason"]
        assert await count(client, "scoring.ScoreSheetRecorded") == 1


async def test_an_event_whose_handler_keeps_failing_is_parked_after_bounded_retries(
    settings: Settings,
) -> None:
    async with running_system(settings, ("submissions", "scoring")), Client(settings) as client:
        # A well-formed report of a movement scoring never saw: its handler cannot succeed.
        orphan = report("phuong-vu-ninh")
        from thidua_kit.envelopes import human_event

        subject = (
            f"{settings.subject_prefix}.evt.submissions.report.bn-1999.phuong-vu-ninh.tong-ket"
        )
        payload = ReportSubmitted(
            unit_id="phuong-vu-ninh",
            round=orphan.round,
            report_version=1,
            submitted_on=orphan.submitted_on,
            late=False,
        )
        stray = human_event(orphan, subject, payload, "2022-12-12T09:00:00+07:00")
        stray = stray.model_copy(update={"movement_id": "bn-1999"})
        await client.log().append([stray], 0)
        await client.command(define())
        await client.command(open_round())
        await client.command(register("phuong-vu-ninh"))
        await client.command(report("phuong-vu-ninh"))
        await folded(client, "scoring")
        status = (await client.status("scoring")).result
        assert [p["sequence"] for p in status["parked"]] == [1]
        assert f"failed {settings.max_attempts} times" in status["parked"][0]["reason"]
        assert await count(client, "scoring.ScoreSheetRecorded") == 1


async def test_a_restarted_service_resumes_from_its_position(settings: Settings) -> None:
    async with running_system(settings, ("submissions",)), Client(settings) as client:
        await client.command(define())
        await client.command(open_round())
        async with running_system(settings, ("scoring",)):
            await client.command(register("phuong-vu-ninh"))
            await client.command(report("phuong-vu-ninh"))
            await folded(client, "scoring")
        # Scoring is down while more reports arrive; it catches up when it comes back.
        await client.command(register("phuong-kinh-bac"))
        await client.command(report("phuong-kinh-bac"))
        await client.command(report("phuong-vu-ninh", points="55"))
        async with running_system(settings, ("scoring",)):
            last = await folded(client, "scoring")
        assert await count(client, "scoring.ScoreSheetRecorded") == 3
        assert await client.log().last_sequence() == last


async def test_a_service_rebuilt_from_an_empty_database_reaches_the_same_state(
    settings: Settings,
) -> None:
    from thidua_kit.demo import drive

    async with running_system(settings) as _hosts:
        await drive(settings)
        async with Client(settings) as client:
            last = await folded(client, *SERVICE_NAMES)
    before = {name: state_rows(settings, name) for name in SERVICE_NAMES}
    for name in SERVICE_NAMES:
        delete_sqlite(database_url(name, settings))
    async with running_system(settings), Client(settings) as client:
        assert await folded(client, *SERVICE_NAMES) == last
        assert await client.log().last_sequence() == last  # nothing decided twice
    after = {name: state_rows(settings, name) for name in SERVICE_NAMES}
    for name in SERVICE_NAMES:
        changed = sorted({r[:2] for r in after[name]} ^ {r[:2] for r in before[name]}) or [
            a[:3] for a, b in zip(after[name], before[name], strict=True) if a != b
        ]
        assert after[name] == before[name], f"{name}: {changed}"


async def test_two_writers_racing_on_one_report_both_land_as_successive_versions(
    settings: Settings,
) -> None:
    one = settings.model_copy(
        update={"consumer_name": "writer-one", "data_dir": settings.data_dir / "one"}
    )
    two = settings.model_copy(
        update={"consumer_name": "writer-two", "data_dir": settings.data_dir / "two"}
    )
    async with (
        running_system(one, ("submissions",)) as first,
        running_system(two, ("submissions",)) as second,
        Client(settings) as client,
    ):
        for command in (define(), open_round(), register("phuong-vu-ninh")):
            assert (await client.command(command)).status == "accepted"
        await folded(client, "submissions")
        last = await client.log().last_sequence()
        await first["submissions"].wait_for_position(last)
        await second["submissions"].wait_for_position(last)
        a: SubmitReport = report("phuong-vu-ninh", points="40")
        b: SubmitReport = report("phuong-vu-ninh", points="45")
        replies = await asyncio.gather(
            first["submissions"].handle_command("submit_report", a.model_dump_json().encode()),
            second["submissions"].handle_command("submit_report", b.model_dump_json().encode()),
        )
        assert [r.status for r in replies] == ["accepted", "accepted"], replies
        versions = []
        async for _, body in client.log().replay_raw():
            data = json.loads(body)
            if data["type"] == ReportSubmitted.TYPE:
                versions.append(data["payload"]["report_version"])
        assert sorted(versions) == [1, 2]  # no lost update: the loser re-decided as version 2


async def test_a_replica_behind_the_log_decides_again_rather_than_refuse(
    settings: Settings,
) -> None:
    """One replica takes the movement's definition; the next command reaches the other one
    before its consumer has folded it. It must not answer "no such movement"."""
    one = settings.model_copy(update={"consumer_name": "one", "data_dir": settings.data_dir / "1"})
    two = settings.model_copy(update={"consumer_name": "two", "data_dir": settings.data_dir / "2"})
    async with (
        running_system(one, ("submissions",)) as first,
        running_system(two, ("submissions",)) as second,
    ):
        behind = second["submissions"]
        await behind.stop_consumer()
        defined = await first["submissions"].handle_command(
            "define_movement", define().model_dump_json().encode()
        )
        assert defined.status == "accepted"
        opening = asyncio.create_task(
            behind.handle_command("open_round", open_round().model_dump_json().encode())
        )
        await behind.start_consumer()
        reply = await opening
        assert reply.status == "accepted", reply.error


@pytest.mark.parametrize("linger", [0.0, 0.01])
async def test_a_handler_failing_mid_batch_loses_only_its_own_writes(
    settings: Settings, linger: float
) -> None:
    """Batches fold without a savepoint per event; a failure folds the batch again with them.
    With a linger, the failing event's redelivery joins a batch behind the later ones (once
    refused for order on every round, so it was never parked)."""
    poisoned: set[int] = set()
    calls: list[int] = []

    async def on_event(item: StoredEvent, payload: EventPayload, ctx: Context) -> None:
        calls.append(item.sequence)
        ctx.store.put("probe", str(item.sequence), item, item.sequence)  # written, then...
        if item.sequence in poisoned:
            raise RuntimeError("this event's handler cannot succeed")

    async with running_system(settings, ("submissions",)), Client(settings) as client:
        # Any events will do: these, appended before the probe starts, come in one batch.
        for command in (
            define(),
            open_round(),
            register("phuong-vu-ninh"),
            report("phuong-vu-ninh"),
        ):
            assert (await client.command(command)).status == "accepted"
        last = await client.log().last_sequence()
        assert last >= 4
        poisoned.add(3)
        lingering = settings.model_copy(update={"batch_linger_seconds": linger})
        probe = ServiceHost(ServiceDefinition("probe", on_event), lingering)
        async with probe.running():
            await client.wait_until_folded(("probe",), last, within=30)
            parked = (await client.status("probe")).result["parked"]
    assert [p["sequence"] for p in parked] == [3]
    assert calls.count(1) >= 2  # the first pass was rolled back and folded again
    with Session(probe.engine) as session:
        kept = session.execute(
            select(state_table.c.key).where(state_table.c.kind == "probe")
        ).scalars()
        assert sorted(int(k) for k in kept) == [s for s in range(1, last + 1) if s != 3]


async def test_a_caught_up_consumer_waits_briefly_so_a_trickle_shares_one_transaction(
    settings: Settings,
) -> None:
    """Events arriving one command at a time are folded together when they come within the
    linger: one commit (a disk flush on PostgreSQL) for all of them, not one each."""
    folded_in: dict[int, int] = {}

    async def on_event(item: StoredEvent, payload: EventPayload, ctx: Context) -> None:
        folded_in[item.sequence] = id(ctx.store)  # one Store per transaction

    # Long enough for two more commands on a loaded machine; nothing cuts it short, as no
    # command is sent to the probe.
    lingering = settings.model_copy(update={"batch_linger_seconds": 3.0})
    async with running_system(settings, ("submissions",)), Client(settings) as client:
        probe = ServiceHost(ServiceDefinition("probe", on_event), lingering)
        async with probe.running():
            # The first event reaches a consumer with nothing else to do; the next two come
            # while it waits.
            for command in (define(), open_round(), register("phuong-vu-ninh")):
                assert (await client.command(command)).status == "accepted"
            await client.wait_until_folded(("probe",), 3, within=30)
    assert sorted(folded_in) == [1, 2, 3]
    assert len(set(folded_in.values())) == 1, folded_in


async def test_a_consumer_far_behind_folds_catch_up_batches_then_ordinary_ones(
    settings: Settings,
) -> None:
    """A rebuild folds bigger batches while that many wait, and every event once, in order."""
    stores: list[Store] = []  # one Store per transaction, kept so that no id is reused
    folded_in: list[tuple[int, int]] = []  # (transaction, sequence)

    async def on_event(item: StoredEvent, payload: EventPayload, ctx: Context) -> None:
        if not stores or stores[-1] is not ctx.store:
            stores.append(ctx.store)
        folded_in.append((len(stores), item.sequence))

    sized = settings.model_copy(update={"batch_size": 4, "catch_up_batch_size": 16})
    async with Client(settings) as client:
        log = client.log()
        await log.provision()
        for n in range(40):
            await log.append([registered_event(settings, f"phuong-{n:02d}")], 0)
        probe = ServiceHost(ServiceDefinition("probe", on_event), sized)
        async with probe.running():
            await client.wait_until_folded(("probe",), 40, within=30)
    assert [seq for _, seq in folded_in] == list(range(1, 41))
    sizes = [sum(1 for held, _ in folded_in if held == n) for n in range(1, len(stores) + 1)]
    # The first batch is an ordinary one: nothing was known to wait before it.
    assert sizes[0] == 4 and max(sizes) == 16, sizes
    assert sizes[-1] <= 4, sizes  # the last ones: fewer than a catch-up batch were waiting


async def test_a_batch_failing_to_commit_is_folded_again_at_once_with_what_the_linger_took_in(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database goes away as a batch commits: the batch is folded again from the position,
    the events the linger added to it included. Those were fetched but never handed back, so
    JetStream would deliver them again only after its ack wait (30 s): a postgres restart
    test once waited that long for one, and timed out."""
    transactions: list[tuple[int, int]] = []  # (Store, sequence) as folded

    async def on_event(item: StoredEvent, payload: EventPayload, ctx: Context) -> None:
        transactions.append((id(ctx.store), item.sequence))
        ctx.store.put("probe", str(item.sequence), item, item.sequence)

    failed: list[list[int]] = []
    lingering = settings.model_copy(update={"batch_linger_seconds": 3.0})
    async with running_system(settings, ("submissions",)), Client(settings) as client:
        probe = ServiceHost(ServiceDefinition("probe", on_event), lingering)

        run = Store._run

        # The position is written on the driver's cursor, past SQLAlchemy's events.
        def database_goes_away(store: Store, name: str, params: Any, many: bool = False) -> Any:
            if (
                failed
                or store.session.get_bind() is not probe.engine
                or name not in ("update_position", "insert_position")
                or not transactions
            ):
                return run(store, name, params, many)
            last = transactions[-1][0]
            failed.append([seq for held, seq in transactions if held == last])
            raise sqlalchemy.exc.OperationalError(name, {}, Exception("connection lost"))

        monkeypatch.setattr(Store, "_run", database_goes_away)

        async with probe.running():
            # The first event reaches a consumer with nothing else to do; the next two come
            # while it lingers, and the commit of the three fails.
            for command in (define(), open_round(), register("phuong-vu-ninh")):
                assert (await client.command(command)).status == "accepted"
            # Within the linger twice and the retry, well short of the 30 s ack wait.
            await client.wait_until_folded(("probe",), 3, within=20)
    assert failed == [[1, 2, 3]]
    with Session(probe.engine) as session:
        kept = session.execute(
            select(state_table.c.key).where(state_table.c.kind == "probe")
        ).scalars()
        assert sorted(int(k) for k in kept) == [1, 2, 3]
