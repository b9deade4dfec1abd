"""What the auditor's commands read from a live server, and the export bundle they write.

An auditor may read the streams directly (they are the public record); the audit service is
asked only for what it alone has — its public key and the leaf hashes it recorded — and neither
is taken on trust: the key should come from the auditor's own copy, and the leaves count only
where they reproduce signed roots (`thidua_contracts.verify`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import product
from pathlib import Path
from typing import Any, cast

from nats.js import api as js_api
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from thidua_contracts.checkpoint import Checkpoint, NoteError, VerifierKey
from thidua_contracts.commands import AuditLeaves, AuditPublicKey
from thidua_contracts.envelope import Envelope
from thidua_contracts.events import (
    AwardIssued,
    DocumentRegistered,
    MovementAmended,
    MovementDefined,
)
from thidua_contracts.merkle import leaf_hash
from thidua_contracts.movement import MovementDefinition, RoundKind
from thidua_contracts.verify import (
    CHECKPOINTS_FILE,
    EVENTS_FILE,
    KEY_FILE,
    LEAVES_FILE,
    MANIFEST_FILE,
    PROOFS_FILE,
    KeySchedule,
    Kind,
    Report,
    event_line,
    key_schedule,
    make_proofs,
    note_sizes,
)

from .client import Client
from .clock import VIETNAM
from .db import Store, create_schema, make_engine
from .host import Context, ServiceDefinition, parse_payload
from .log import EventLog, StoredEvent
from .services import SERVICE_NAMES, load
from .settings import Settings
from .walker import BATCH, Walker, WalkerError


class AuditError(Exception):
    """Something the auditor has to be told in one line (no service, no such sequence…)."""


async def bodies(client: Client) -> list[tuple[int, bytes]]:
    return [item async for item in client.log().replay_raw()]


async def checkpoint_notes(client: Client) -> list[str]:
    """Every signed note in the checkpoint stream, oldest first."""
    settings = client.settings
    js = client.nc.jetstream()
    info = await js.stream_info(settings.checkpoints)
    last = int(info.state.last_seq)
    if int(info.state.messages) == 0:
        return []
    sub = await js.subscribe(
        f"{settings.subject_prefix}.checkpoint.>",
        stream=settings.checkpoints,
        ordered_consumer=True,
        deliver_policy=js_api.DeliverPolicy.ALL,
    )
    notes = []
    try:
        while True:
            msg = await sub.next_msg(timeout=settings.request_timeout_seconds)
            notes.append(msg.data.decode("utf-8", errors="replace"))
            if msg.metadata.sequence.stream >= last:
                return notes
    finally:
        await sub.unsubscribe()


async def service_key(client: Client) -> VerifierKey:
    reply = await client.query(AuditPublicKey())
    if reply.status != "ok":
        raise AuditError(f"the audit service did not give its key: {_why(reply.error)}")
    return VerifierKey.parse(reply.result["key"])


async def recorded_leaves(client: Client) -> list[bytes] | None:
    """The audit service's leaf hashes, page by page; None when it does not answer."""
    found: list[bytes] = []
    while True:
        reply = await client.query(AuditLeaves(start=len(found) + 1))
        if reply.status != "ok":
            return None
        page = [bytes.fromhex(h) for h in reply.result["leaves"]]
        found.extend(page)
        if not page or len(found) >= int(reply.result["size"]):
            return found


def _why(error: Any) -> str:
    return "no answer" if error is None else f"[{error.code.value}] {error.message_en}"


async def wait_for_checkpoint(client: Client, size: int, patience: float = 60) -> list[str]:
    """The checkpoint notes once one covers `size` events (the audit service signs on its
    own schedule: every N events, or T seconds after the log went quiet)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while True:
        notes = await checkpoint_notes(client)
        if max(note_sizes(notes), default=0) >= size:
            return notes
        if loop.time() > deadline:
            raise AuditError(f"no signed checkpoint covers {size} events after {patience:.0f} s")
        await asyncio.sleep(0.1)


async def verify_live(client: Client, verifier: VerifierKey) -> Report:
    # The notes first: every size they name is then within the log read after them, and the
    # walk keeps the root at each as it passes.
    notes = await checkpoint_notes(client)
    try:
        async with Walker(note_sizes(notes)) as walker:
            batch: list[tuple[int, bytes]] = []
            async for arrived in client.log().replay_batches():
                batch.extend(arrived)
                if len(batch) >= BATCH:
                    await walker.add(batch)
                    batch = []
            await walker.add(batch)
            report = await walker.report(notes, verifier)
            if any(f.kind in (Kind.ROOT_MISMATCH, Kind.MISSING_SEQUENCE) for f in report.findings):
                # Only a root that does not match needs the audit service's leaves (paged, one
                # query per page), to name the first sequence that differs.
                leaves = await recorded_leaves(client)
                if leaves is not None:
                    report = await walker.report(notes, verifier, leaves=leaves)
    except WalkerError as exc:
        raise AuditError(str(exc)) from exc
    return report


def latest_checkpoint(notes: Sequence[str], schedule: KeySchedule) -> tuple[Checkpoint, str]:
    best: tuple[Checkpoint, str] | None = None
    for note in notes:
        try:
            checkpoint = schedule.open(note)
        except NoteError:
            continue
        if best is None or checkpoint.size > best[0].size:
            best = (checkpoint, note)
    if best is None:
        raise AuditError("no checkpoint signed by this key (or a key it rotated to)")
    return best


@dataclass
class Snapshot:
    """Everything a bundle holds, as read from the server."""

    stream: str
    events: list[tuple[int, bytes]]
    notes: list[str]
    leaves: list[bytes]


async def snapshot(client: Client) -> Snapshot:
    events = await bodies(client)
    notes = await checkpoint_notes(client)
    leaves = await recorded_leaves(client)
    if leaves is None:  # no audit service: the bundle's own leaves, still checked on reading
        leaves = [leaf_hash(body) for _, body in events]
    return Snapshot(client.settings.stream, events, notes, leaves)


def write_bundle(
    directory: Path, taken: Snapshot, verifier: VerifierKey, *, include_unsigned: bool = False
) -> dict[str, Any]:
    """Write a bundle that `thidua audit verify --bundle` and the contracts package check
    offline: events (JSON Lines, exact bodies), signed checkpoints, the public key, the
    recorded leaf hashes, and proofs — consistency between consecutive checkpoints, and the
    inclusion of every award and registered document in the latest checkpoint.

    Events after the latest checkpoint signed by `verifier` (or a key it rotated to) are left
    out unless `include_unsigned`: in a bundle nothing could tell them from events added to the
    file later, so its verification refuses them (the manifest counts those left out)."""
    schedule, _ = key_schedule(taken.events, verifier, verifier.name)
    signed = [c.size for c in schedule.signed(taken.notes)]
    latest = max(signed, default=0)
    events = taken.events if include_unsigned else [e for e in taken.events if e[0] <= latest]
    notes, leaves = taken.notes, taken.leaves[: len(events)]
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / EVENTS_FILE).open("w", encoding="utf-8") as out:
        for sequence, body in events:
            out.write(event_line(sequence, body) + "\n")
    with (directory / CHECKPOINTS_FILE).open("w", encoding="utf-8") as out:
        for note in notes:
            out.write(json.dumps({"note": note}, ensure_ascii=False) + "\n")
    (directory / KEY_FILE).write_text(verifier.encode() + "\n", encoding="utf-8")
    (directory / LEAVES_FILE).write_text("".join(h.hex() + "\n" for h in leaves))
    notable = [seq for seq, body in events if _notable(body)]
    proofs = make_proofs(leaves, signed, notable)
    (directory / PROOFS_FILE).write_text(json.dumps(proofs, indent=1), encoding="utf-8")
    manifest = {
        "origin": verifier.name,
        "stream": taken.stream,
        "events": len(events),
        "checkpoints": len(notes),
        "latest_checkpoint": latest,
        "unsigned_left_out": len(taken.events) - len(events),
        "exported_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    (directory / MANIFEST_FILE).write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    return manifest


def _notable(body: bytes) -> bool:
    try:
        kind = json.loads(body).get("type")
    except (ValueError, AttributeError):
        return False
    return kind in (AwardIssued.TYPE, DocumentRegistered.TYPE)


def check_document(path: Path, events: Sequence[tuple[int, bytes]]) -> dict[str, Any]:
    """Find the registration of a generated document by its SHA-256 and compare its name."""
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    named: list[dict[str, Any]] = []
    for sequence, body in events:
        try:
            envelope = Envelope.from_bytes(body)
        except ValueError:
            continue
        if envelope.type != DocumentRegistered.TYPE:
            continue
        payload = envelope.payload
        entry = {"sequence": sequence, **payload}
        if payload.get("sha256") == digest:
            return {
                "ok": True,
                "sha256": digest,
                "registration": entry,
                "name_matches": payload.get("file_name") == path.name,
            }
        if payload.get("file_name") == path.name:
            named.append(entry)
    return {"ok": False, "sha256": digest, "registrations_with_this_name": named}


# --- re-derivation -------------------------------------------------------------------------

RECOMPUTING = ("scoring", "nominations", "reporting")


@dataclass(frozen=True)
class Rederived:
    """One disagreement between the log and the decisions its services make again."""

    service: str
    kind: str  # "differs" | "not-in-log" | "not-derived" | "failed"
    sequence: int | None
    detail: str
    recorded: str | None = None  # the body in the log, exactly
    derived: str | None = None  # the body the service's deciders make again

    def line(self) -> str:
        where = f"sequence {self.sequence}" if self.sequence is not None else "(not in the log)"
        return f"{where}: {self.kind}: {self.service}: {self.detail}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "kind": self.kind,
            "service": self.service,
            "detail": self.detail,
            "recorded": None if self.recorded is None else json.loads(self.recorded),
            "derived": None if self.derived is None else json.loads(self.derived),
        }


class _ReplayLog(EventLog):
    """The log as a service sees it on replay: appends are compared, never written.

    A decision made again is matched with the recorded event of the same id (ids of computed
    decisions are deterministic); the recorded copy is what the service goes on folding, as
    it would in production, so one difference does not cascade into every later decision.
    """

    def __init__(self, settings: Settings, service: str, records: Sequence[tuple[int, bytes]]):
        super().__init__(cast(Any, None), settings)
        self.service = service
        self.bodies = dict(records)
        self.index: dict[str, int] = {}
        self.by_subject: dict[str, list[int]] = {}
        for sequence, body in records:
            try:
                envelope = json.loads(body)
                self.index.setdefault(str(envelope["event_id"]), sequence)
                self.by_subject.setdefault(str(envelope["subject"]), []).append(sequence)
            except (ValueError, KeyError, TypeError):
                continue
        self.position = 0
        self.derived: set[int] = set()
        self.findings: list[Rederived] = []
        self._unrecorded = max(self.bodies, default=0)

    async def append(self, events: Sequence[Envelope], expected_last_seq: int) -> list[StoredEvent]:
        stored = []
        for event in events:
            body = event.to_bytes()
            sequence = self.index.get(event.event_id)
            if sequence is None:
                self._unrecorded += 1
                self.findings.append(
                    Rederived(
                        self.service,
                        "not-in-log",
                        None,
                        f"{event.type} {event.event_id} on {event.subject} follows from the log "
                        f"(after sequence {self.position}) but was never recorded",
                        derived=body.decode(),
                    )
                )
                stored.append(StoredEvent(self._unrecorded, Envelope.from_bytes(body)))
                continue
            self.derived.add(sequence)
            recorded = self.bodies[sequence]
            if recorded != body:
                self.findings.append(
                    Rederived(
                        self.service,
                        "differs",
                        sequence,
                        _difference(recorded, body),
                        recorded=recorded.decode("utf-8", errors="replace"),
                        derived=body.decode(),
                    )
                )
            stored.append(StoredEvent(sequence, Envelope.model_validate_json(recorded)))
        return stored

    def fault_point(self, name: str) -> None:
        return None

    async def last_subject_sequence(self, subject: str) -> int:
        seen = [s for s in self.by_subject.get(subject, []) if s <= self.position]
        return max(seen, default=0)


def _difference(recorded: bytes, again: bytes) -> str:
    """Every field that differs, as `payload.prize_vnd: recorded 450000, derived again 4500000`."""
    try:
        old, new = json.loads(recorded), json.loads(again)
    except ValueError:
        return "recorded body is not JSON"
    changes = list(_changes("", old, new))
    if not changes:
        return "same content, other bytes (not canonical)"
    kind = new.get("type", "?") if isinstance(new, dict) else "?"
    shown = "; ".join(
        f"{path}: recorded {_short(a)}, derived again {_short(b)}" for path, a, b in changes[:6]
    )
    more = f"; and {len(changes) - 6} more" if len(changes) > 6 else ""
    return f"{kind}: {shown}{more}"


def _changes(path: str, old: Any, new: Any) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            yield from _changes(f"{path}.{key}" if path else key, old.get(key), new.get(key))
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from _changes(f"{path}[{index}]", a, b)
    elif old != new:
        yield path, old, new


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


# Every service whose consumer decides; audit's follows the live stream to sign checkpoints.
DECIDING = tuple(name for name in SERVICE_NAMES if name != "audit")


@dataclass
class Folded:
    """One service's state rebuilt from the log in a scratch database."""

    definition: ServiceDefinition
    database: Path
    log: _ReplayLog


async def fold_services(
    records: Sequence[tuple[int, bytes]],
    settings: Settings,
    folder: Path,
    *,
    upto: int | None = None,
    definitions: dict[str, ServiceDefinition] | None = None,
) -> tuple[Settings, dict[str, Folded]]:
    """Each deciding service, with its own code, folds the log up to `upto` into a fresh SQLite
    database under `folder`. Decisions it makes again are matched with the recorded ones (see
    `_ReplayLog`), so its state is the one it had then, whatever was appended since.

    Returns the settings the services ran with (the log's own subject prefix) and their state."""
    definitions = definitions or {}
    # Subjects are part of the bytes: decide again under the prefix the log was written with.
    prefix = _prefix(records) or settings.subject_prefix
    local = settings.model_copy(
        update={"data_dir": folder, "out_dir": folder / "out", "subject_prefix": prefix}
    )
    folded: dict[str, Folded] = {}
    for name in DECIDING:
        definition = definitions.get(name) or load(name, local)
        log = _ReplayLog(local, name, records)
        database = folder / f"{name}.db"
        engine = make_engine(f"sqlite:///{database}")
        create_schema(engine, *([definition.metadata] if definition.metadata else []))
        try:
            await _replay(definition, log, engine, records, local, upto)
        finally:
            engine.dispose()
        folded[name] = Folded(definition, database, log)
    return local, folded


async def rederive(
    records: Sequence[tuple[int, bytes]],
    settings: Settings,
    definitions: dict[str, ServiceDefinition] | None = None,
) -> tuple[int, list[Rederived]]:
    """Replay each deciding service over the log in scratch storage and compare, byte for
    byte, every decision it makes with what the log recorded; also name recorded decisions
    that no service derives (an append by someone who is not the owning service).

    Generic over event types: whatever a service decides on its consumer path is covered,
    including decisions added after this was written.

    Returns how many recorded decisions were derived again, and the disagreements."""
    findings: list[Rederived] = []
    derived = 0
    with tempfile.TemporaryDirectory(prefix="thidua-rederive-") as scratch:
        _local, folded = await fold_services(
            records, settings, Path(scratch), definitions=definitions
        )
        for name, state in folded.items():
            findings.extend(state.log.findings)
            derived += len(state.log.derived)
            findings.extend(_underived(name, state.log, records))
        findings.extend(_unowned(records, set(folded)))
    findings.sort(key=lambda f: (f.sequence is None, f.sequence or 0))
    return derived, findings


def _unowned(records: Sequence[tuple[int, bytes]], services: set[str]) -> list[Rederived]:
    """A computed decision on a subject no deciding service owns: nobody here can have made it."""
    found = []
    for sequence, body in records:
        try:
            envelope = json.loads(body)
        except ValueError:
            continue
        if not isinstance(envelope, dict) or envelope.get("actor") is not None:
            continue
        subject = str(envelope.get("subject", "")).split(".")
        owner = subject[2] if len(subject) > 2 else ""
        if owner not in services:
            found.append(
                Rederived(
                    owner or "?",
                    "not-derived",
                    sequence,
                    f"{envelope.get('type')} {envelope.get('event_id')} is recorded as a "
                    f"decision of {owner or 'no service'}, which makes no decisions",
                    recorded=body.decode("utf-8", errors="replace"),
                )
            )
    return found


def _prefix(records: Sequence[tuple[int, bytes]]) -> str | None:
    for _sequence, body in records:
        try:
            return str(json.loads(body)["subject"]).split(".")[0]
        except (ValueError, KeyError, TypeError):
            continue
    return None


async def _replay(
    definition: ServiceDefinition,
    log: _ReplayLog,
    engine: Engine,
    records: Sequence[tuple[int, bytes]],
    settings: Settings,
    upto: int | None = None,
) -> None:
    with Session(engine) as session, session.begin():
        store = Store(session)
        for sequence, body in records:
            if upto is not None and sequence > upto:
                break
            try:
                envelope = Envelope.from_bytes(body)
                payload = parse_payload(envelope)
            except Exception:  # the service would park it; `verify` names it
                continue
            log.position = sequence
            # Time comes from the event itself: a decision must not depend on when it is re-run.
            ctx = Context(
                definition.name, store, log, settings, envelope.occurred_at, definition.extra
            )
            try:
                with session.begin_nested():
                    await definition.on_event(StoredEvent(sequence, envelope), payload, ctx)
            except Exception as exc:
                log.findings.append(
                    Rederived(
                        definition.name, "failed", sequence, f"{type(exc).__name__}: {exc}"[:300]
                    )
                )


def _underived(
    service: str, log: _ReplayLog, records: Sequence[tuple[int, bytes]]
) -> list[Rederived]:
    found = []
    for sequence, body in records:
        try:
            envelope = json.loads(body)
        except ValueError:
            continue
        subject = str(envelope.get("subject", "")).split(".")
        owned = len(subject) > 2 and subject[2] == service
        if owned and envelope.get("actor") is None and sequence not in log.derived:
            found.append(
                Rederived(
                    service,
                    "not-derived",
                    sequence,
                    f"{envelope.get('type')} {envelope.get('event_id')} is recorded as a "
                    f"decision of {service}, but nothing in the log before it leads to it",
                    recorded=body.decode("utf-8", errors="replace"),
                )
            )
    return found


# --- replay as of a time or sequence ---------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_moment(text: str) -> datetime:
    """`2022-07-31`, `31/7/2022` (the end of that day), or an ISO date-time; Vietnam's time
    (+07:00) unless the text names another offset."""
    text = text.strip()
    found = _DMY.match(text)
    try:
        if found:
            day = date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
        elif len(text) == 10:
            day = date.fromisoformat(text)
        else:
            moment = datetime.fromisoformat(text)
            return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)
    except ValueError as exc:
        raise AuditError(f"--as-of {text!r}: not a sequence, a date or a date-time") from exc
    return datetime.combine(day, time.max, VIETNAM)


def as_of_sequence(text: str, records: Sequence[tuple[int, bytes]]) -> tuple[int, str]:
    """The last sequence of the log as it stood at `text` (a sequence, a date or a time), and
    how that was read. By time: the longest stretch of the log whose events had all occurred
    by then (`occurred_at`: when the act was accepted; a decision carries its cause's time)."""
    last = records[-1][0] if records else 0
    if text.strip().isdigit():
        sequence = int(text)
        if not 0 <= sequence <= last:
            raise AuditError(f"--as-of {sequence}: the log has sequences 1..{last}")
        return sequence, f"sequence {sequence}"
    moment = parse_moment(text)
    cutoff = 0
    for sequence, body in records:
        try:
            occurred = datetime.fromisoformat(str(json.loads(body)["occurred_at"]))
        except (ValueError, KeyError, TypeError):
            break
        if occurred > moment:
            break
        cutoff = sequence
    return cutoff, f"{moment.isoformat(timespec='seconds')} (sequence {cutoff})"


@dataclass
class Replayed:
    """Every service's state as it was at one sequence, and its answers to its own queries."""

    sequence: int
    described: str
    answers: dict[str, dict[str, list[dict[str, Any]]]]  # service → query → answers
    failed: list[Rederived]

    def rankings(self) -> list[str]:
        lines = []
        for answer in self.answers.get("scoring", {}).get("ranking", []):
            ranked, params = answer["answer"], answer["params"]
            rows = ", ".join(f"{r['rank']}. {r['unit_id']} {r['total']}" for r in ranked["rows"])
            leader = ranked.get("leader_unit_id") or "none"
            lines.append(
                f"ranking {params['block_id']} {params['round']} (#{ranked['sequence']}): "
                f"{rows}; leading: {leader}"
            )
        return lines

    def render(self) -> str:
        """Short: how much each service holds then, and the block rankings in full."""
        lines = [f"state as of {self.described}, rebuilt from the log in fresh databases"]
        for service, queries in self.answers.items():
            counts = ", ".join(f"{name} {len(answers)}" for name, answers in queries.items())
            lines.append(f"  {service}: {counts or 'nothing yet'}")
        lines.extend(f"  {line}" for line in self.rankings())
        lines.extend(f"  {failure.line()}" for failure in self.failed)
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.described,
            "sequence": self.sequence,
            "services": self.answers,
            "failed": [f.as_dict() for f in self.failed],
        }


async def replay(
    records: Sequence[tuple[int, bytes]],
    settings: Settings,
    upto: int,
    folder: Path,
    described: str = "",
) -> Replayed:
    """Fold the log up to `upto` into fresh databases under `folder` (kept for the auditor's
    own queries; it must exist), then ask each service's own queries of that state."""
    local, folded = await fold_services(records, settings, folder, upto=upto)
    movements = _movements([(s, b) for s, b in records if s <= upto])
    answers: dict[str, dict[str, list[dict[str, Any]]]] = {}
    failed: list[Rederived] = []
    for name, state in folded.items():
        failed.extend(f for f in state.log.findings if f.kind == "failed")
        engine = make_engine(f"sqlite:///{state.database}")
        try:
            with Session(engine) as session:
                answers[name] = _ask_all(state.definition, Store(session), local, movements)
        finally:
            engine.dispose()
    return Replayed(upto, described or f"sequence {upto}", answers, failed)


def _movements(records: Sequence[tuple[int, bytes]]) -> dict[str, MovementDefinition]:
    """Each movement's latest definition in these records: what the queries are asked about."""
    found: dict[str, MovementDefinition] = {}
    for _sequence, body in records:
        try:
            envelope = json.loads(body)
            if envelope.get("type") in (MovementDefined.TYPE, MovementAmended.TYPE):
                definition = MovementDefinition.model_validate(envelope["payload"]["definition"])
                found[definition.movement_id] = definition
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
    return found


def _ask_all(
    definition: ServiceDefinition,
    store: Store,
    settings: Settings,
    movements: dict[str, MovementDefinition],
) -> dict[str, list[dict[str, Any]]]:
    """Every query the service answers, with every value its required fields can take that the
    movements name (blocks, units, rounds); answers that are empty are left out."""
    result: dict[str, list[dict[str, Any]]] = {}
    for name, (model, handler) in sorted(definition.queries.items()):
        required = [f for f, info in model.model_fields.items() if info.is_required()]
        answers = []
        for movement in movements.values():
            choices: dict[str, list[Any]] = {
                "movement_id": [movement.movement_id],
                "block_id": [b.block_id for b in movement.blocks],
                "unit_id": [u.unit_id for u in movement.units],
                "round": [r.value for r in RoundKind],
            }
            if any(field_name not in choices for field_name in required):
                break  # asks for something no movement names (an award id…): not enumerable
            for values in product(*(choices[f] for f in required)):
                params = dict(zip(required, values, strict=True))
                try:
                    answer = handler(model.model_validate(params), store, settings)
                except Exception:  # a rejection: no answer for these values
                    continue
                if answer in (None, [], {}):
                    continue
                plain = json.loads(json.dumps(answer, default=str))
                answers.append({"params": params, "answer": plain})
        if answers:
            result[name] = answers
    return result
