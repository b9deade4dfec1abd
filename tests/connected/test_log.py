"""The log client against a real nats-server: provisioning, dedup, expected sequences, replay."""

from __future__ import annotations

import asyncio

import nats
import pytest
from nats.aio.msg import Msg
from nats.errors import ConnectionClosedError
from nats.js import api as js_api
from nats.js.errors import APIError

from thidua_contracts.envelope import Envelope
from thidua_kit import log as log_module
from thidua_kit.client import Client
from thidua_kit.log import MSG_ID_HEADER, ConflictError, EventLog, StoredEvent
from thidua_kit.settings import Settings

from .helpers import registered_event

pytestmark = pytest.mark.connected


async def written_past_the_log(
    client: Client, settings: Settings, event: Envelope, message_id: str
) -> None:
    """`event` stored as EventLog.append never would: under another message id."""
    await client.nc.jetstream().publish(
        event.subject, event.to_bytes(), stream=settings.stream, headers={MSG_ID_HEADER: message_id}
    )


async def provisioned(client: Client) -> EventLog:
    log = client.log()
    await log.provision()
    return log


async def test_provision_is_idempotent_and_the_streams_refuse_purge_and_delete(
    settings: Settings,
) -> None:
    async with Client(settings) as client:
        first = await client.log().provision()
        second = await client.log().provision()
        assert first == [f"{settings.stream}: created", f"{settings.checkpoints}: created"]
        assert all("reused" in line for line in second)
        await client.log().append([registered_event(settings, "phuong-vu-ninh")], 0)
        js = client.nc.jetstream()
        info = await js.stream_info(settings.stream)
        assert info.config.deny_delete and info.config.deny_purge
        with pytest.raises(APIError):
            await js.purge_stream(settings.stream)
        with pytest.raises(APIError):
            await js.delete_msg(settings.stream, 1)
        assert (await js.stream_info(settings.stream)).state.messages == 1


async def test_the_same_event_id_is_stored_once_and_a_retry_gets_the_stored_original(
    settings: Settings,
) -> None:
    async with Client(settings) as client:
        log = await provisioned(client)
        original = registered_event(settings, "phuong-vu-ninh")
        # A retry after a crash decides again at another time: same id, different body.
        retry = original.model_copy(update={"occurred_at": "2022-12-01T09:05:00+07:00"})
        first = await log.append([original], 0)
        again = await log.append([retry], 0)
        assert again[0].sequence == first[0].sequence == 1
        assert again[0].envelope == original
        assert await log.last_sequence() == 1


async def test_a_stale_expected_sequence_is_a_conflict_and_appends_nothing(
    settings: Settings,
) -> None:
    async with Client(settings) as client:
        log = await provisioned(client)
        await log.append([registered_event(settings, "phuong-vu-ninh")], 0)
        with pytest.raises(ConflictError):
            await log.append([registered_event(settings, "phuong-vu-ninh")], 0)
        stored = await log.append([registered_event(settings, "phuong-vu-ninh")], 1)
        assert stored[0].sequence == 2
        assert await log.last_sequence() == 2


async def test_two_writers_racing_on_one_aggregate_exactly_one_wins(settings: Settings) -> None:
    async with Client(settings) as client:
        log = await provisioned(client)
        results = await asyncio.gather(
            *(log.append([registered_event(settings, "phuong-vu-ninh")], 0) for _ in range(5)),
            return_exceptions=True,
        )
        assert sum(isinstance(r, list) for r in results) == 1
        assert sum(isinstance(r, ConflictError) for r in results) == 4
        assert await log.last_sequence() == 1


async def test_a_decision_made_again_after_the_duplicate_window_finds_itself(
    settings: Settings,
) -> None:
    async with Client(settings) as client:
        log = await provisioned(client)
        decided = registered_event(settings, "phuong-vu-ninh")
        # As if the dedup entry had expired: the server no longer knows this Nats-Msg-Id.
        await written_past_the_log(client, settings, decided, "expired-" + decided.event_id)
        scans: list[str] = []
        find = log.find_on_subject

        async def counted(subject: str, event_id: str) -> StoredEvent | None:
            scans.append(subject)
            return await find(subject, event_id)

        log.find_on_subject = counted  # type: ignore[method-assign]
        again = await log.append([decided], 0)
        assert again[0].sequence == 1
        assert again[0].envelope == decided
        assert await log.last_sequence() == 1
        assert scans == []  # the event right after the expected one: no consumer over the subject


async def test_a_decision_made_again_behind_another_event_of_its_aggregate_finds_itself(
    settings: Settings,
) -> None:
    async with Client(settings) as client:
        log = await provisioned(client)
        other = registered_event(settings, "phuong-vu-ninh")
        decided = registered_event(settings, "phuong-vu-ninh")
        for item in (other, decided):  # both past the duplicate window
            await written_past_the_log(client, settings, item, "expired-" + item.event_id)
        again = await log.append([decided], 0)
        assert again[0].sequence == 2 and again[0].envelope == decided
        with pytest.raises(ConflictError):  # a new decision on a stale sequence stays a conflict
            await log.append([registered_event(settings, "phuong-vu-ninh")], 0)
        assert await log.last_sequence() == 2


async def test_a_slow_reader_gets_every_event_in_order_past_the_replay_buffer(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Delivery waits while the reader is `REPLAY_BUFFER` events behind, then goes on: nothing
    is dropped, repeated or reordered, and no more than that many wait at once."""
    monkeypatch.setattr(log_module, "REPLAY_BUFFER", 4)
    async with Client(settings) as client:
        log = await provisioned(client)
        stored = await log.append(
            [registered_event(settings, "phuong-vu-ninh") for _ in range(40)], 0
        )
        assert [s.sequence for s in stored] == list(range(1, 41))
        read = []
        async for seq, body in log.replay_raw(3, 38):
            read.append(seq)
            assert Envelope.from_bytes(body) == stored[seq - 1].envelope
            for _ in range(3):  # slower than delivery: the callback fills the buffer meanwhile
                await asyncio.sleep(0.001)
        assert read == list(range(3, 39))


async def test_a_replay_past_the_end_of_the_log_stops_with_a_clear_error(
    settings: Settings,
) -> None:
    async with Client(settings.model_copy(update={"request_timeout_seconds": 0.5})) as client:
        log = await provisioned(client)
        await log.append([registered_event(settings, "phuong-vu-ninh")], 0)
        read = []
        with pytest.raises(TimeoutError, match="replay stalled before sequence 3"):
            async for seq, _ in log.replay_raw(1, 3):
                read.append(seq)
        assert read == [1]


async def test_replay_and_read_subject_return_events_in_stream_order(settings: Settings) -> None:
    async with Client(settings) as client:
        log = await provisioned(client)
        last = {"phuong-vu-ninh": 0, "phuong-kinh-bac": 0}
        for i in range(12):
            key = "phuong-vu-ninh" if i % 3 else "phuong-kinh-bac"
            stored = await log.append([registered_event(settings, key)], last[key])
            last[key] = stored[0].sequence
        replayed = [seq async for seq, _ in log.replay_raw()]
        assert replayed == list(range(1, 13))
        middle = [seq async for seq, _ in log.replay_raw(4, 7)]
        assert middle == [4, 5, 6, 7]
        one = await log.read_subject(registered_event(settings, "phuong-kinh-bac").subject)
        assert [s.sequence for s in one] == [1, 4, 7, 10]
        assert await log.read_subject(registered_event(settings, "phuong-dai-phuc").subject) == []


async def fetched(client: Client, settings: Settings, count: int) -> list[Msg]:
    """The log's first `count` messages as a consumer receives them."""
    js = client.nc.jetstream()
    await js.add_consumer(
        settings.stream,
        js_api.ConsumerConfig(durable_name="in-hand", ack_policy=js_api.AckPolicy.EXPLICIT),
    )
    sub = await js.pull_subscribe_bind(durable="in-hand", stream=settings.stream)
    messages = await sub.fetch(batch=count, timeout=5)
    assert len(messages) == count
    return messages


async def test_a_decision_made_again_while_its_batch_is_in_hand_is_found_without_asking(
    settings: Settings,
) -> None:
    """A consumer folding a batch that holds the decision it makes again (a rebuild) gets the
    stored copy from the batch: the answer the log would give, with no round trip. The log is
    out of reach here, so any question to it would fail."""
    async with Client(settings) as client:
        log = await provisioned(client)
        decided = registered_event(settings, "phuong-vu-ninh")
        first = await log.append([decided, registered_event(settings, "phuong-vu-ninh")], 0)
        messages = await fetched(client, settings, 2)
        again = decided.model_copy(update={"occurred_at": "2022-12-01T09:05:00+07:00"})
        unreachable = await nats.connect(settings.nats_url)
        cut_off = EventLog(unreachable.jetstream(), settings)
        await unreachable.close()
        with cut_off.holding(messages):
            assert await cut_off.append([again], 0) == [first[0]]
            assert await cut_off.append_at_end([again]) == [first[0]]
            assert cut_off.in_log(again) == first[0]
            with pytest.raises(ConnectionClosedError):  # not in hand: the log is asked
                await cut_off.append(
                    [registered_event(settings, "phuong-vu-ninh")], first[1].sequence
                )
        assert cut_off.in_log(again) is None  # the batch is no longer in hand
        assert await log.last_sequence() == 2


async def test_a_message_in_hand_is_trusted_only_for_its_own_event_and_subject(
    settings: Settings,
) -> None:
    async with Client(settings) as client:
        log = await provisioned(client)
        decided = registered_event(settings, "phuong-vu-ninh")
        # Written by someone else under the decision's message id: another event's body.
        other = registered_event(settings, "phuong-vu-ninh")
        await written_past_the_log(client, settings, other, decided.event_id)
        elsewhere = registered_event(settings, "phuong-kinh-bac")
        await log.append([elsewhere], 0)
        messages = await fetched(client, settings, 2)
        moved = elsewhere.model_copy(update={"subject": decided.subject})
        with log.holding(messages):
            assert log.in_log(decided) is None
            assert log.in_log(moved) is None
            assert log.in_log(elsewhere) == StoredEvent(2, elsewhere)
