"""What the auditor's commands read from a live server, and the export bundle they write.

An auditor may read the streams directly (they are the public record); the audit service is
asked only for what it alone has — its public key and the leaf hashes it recorded — and neither
is taken on trust: the key should come from the auditor's own copy, and the leaves count only
where they reproduce signed roots (`thidua_contracts.verify`).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from nats.js import api as js_api
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from thidua_contracts.checkpoint import Checkpoint, NoteError, VerifierKey, open_checkpoint
from thidua_contracts.commands import AuditLeaves, AuditPublicKey
from thidua_contracts.envelope import Envelope
from thidua_contracts.events import AwardIssued, DocumentRegistered
from thidua_contracts.merkle import leaf_hash
from thidua_contracts.verify import (
    CHECKPOINTS_FILE,
    EVENTS_FILE,
    KEY_FILE,
    LEAVES_FILE,
    MANIFEST_FILE,
    PROOFS_FILE,
    Report,
    event_line,
    make_proofs,
    verify_log,
)

from .client import Client
from .db import Store, create_schema, make_engine
from .host import Context, ServiceDefinition, parse_payload
from .log import EventLog, StoredEvent
from .services import load
from .settings import Settings


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


async def verify_live(client: Client, verifier: VerifierKey) -> Report:
    return verify_log(
        await bodies(client),
        await checkpoint_notes(client),
        verifier,
        leaves=await recorded_leaves(client),
    )


def latest_checkpoint(notes: Sequence[str], verifier: VerifierKey) -> tuple[Checkpoint, str]:
    best: tuple[Checkpoint, str] | None = None
    for note in notes:
        try:
            checkpoint = open_checkpoint(note, verifier)
        except NoteError:
            continue
        if best is None or checkpoint.size > best[0].size:
            best = (checkpoint, note)
    if best is None:
        raise AuditError("no checkpoint signed by this key")
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


def write_bundle(directory: Path, taken: Snapshot, verifier: VerifierKey) -> dict[str, Any]:
    """Write a bundle that `thidua audit verify --bundle` and the contracts package check
    offline: events (JSON Lines, exact bodies), signed checkpoints, the public key, the
    recorded leaf hashes, and proofs — consistency between consecutive checkpoints, and the
    inclusion of every award and registered document in the latest checkpoint."""
    events, notes, leaves = taken.events, taken.notes, taken.leaves
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / EVENTS_FILE).open("w", encoding="utf-8") as out:
        for sequence, body in events:
            out.write(event_line(sequence, body) + "\n")
    with (directory / CHECKPOINTS_FILE).open("w", encoding="utf-8") as out:
        for note in notes:
            out.write(json.dumps({"note": note}, ensure_ascii=False) + "\n")
    (directory / KEY_FILE).write_text(verifier.encode() + "\n", encoding="utf-8")
    (directory / LEAVES_FILE).write_text("".join(h.hex() + "\n" for h in leaves))
    signed = []
    for note in notes:
        try:
            signed.append(open_checkpoint(note, verifier).size)
        except NoteError:
            continue
    notable = [seq for seq, body in events if _notable(body)]
    proofs = make_proofs(leaves, signed, notable)
    (directory / PROOFS_FILE).write_text(json.dumps(proofs, indent=1), encoding="utf-8")
    manifest = {
        "origin": verifier.name,
        "stream": taken.stream,
        "events": len(events),
        "checkpoints": len(notes),
        "latest_checkpoint": max(signed, default=0),
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

    def line(self) -> str:
        where = f"sequence {self.sequence}" if self.sequence is not None else "(not in the log)"
        return f"{where}: {self.kind}: {self.service}: {self.detail}"


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
                    )
                )
                stored.append(StoredEvent(self._unrecorded, Envelope.from_bytes(body)))
                continue
            self.derived.add(sequence)
            recorded = self.bodies[sequence]
            if recorded != body:
                self.findings.append(
                    Rederived(self.service, "differs", sequence, _difference(recorded, body))
                )
            stored.append(StoredEvent(sequence, Envelope.model_validate_json(recorded)))
        return stored

    def fault_point(self, name: str) -> None:
        return None

    async def last_subject_sequence(self, subject: str) -> int:
        seen = [s for s in self.by_subject.get(subject, []) if s <= self.position]
        return max(seen, default=0)


def _difference(recorded: bytes, again: bytes) -> str:
    """The first field that differs, as `payload.prize_vnd: 450000 → 4500000`."""
    try:
        old, new = json.loads(recorded), json.loads(again)
    except ValueError:
        return "recorded body is not JSON"
    path = ""
    while isinstance(old, dict) and isinstance(new, dict):
        keys = sorted(set(old) | set(new))
        key = next((k for k in keys if old.get(k) != new.get(k)), None)
        if key is None:
            return "same content, other bytes (not canonical)"
        path, old, new = f"{path}.{key}" if path else key, old.get(key), new.get(key)
    kind = json.loads(again).get("type", "?")
    return f"{kind}: {path}: recorded {_short(old)}, derived again {_short(new)}"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


async def rederive(
    records: Sequence[tuple[int, bytes]],
    settings: Settings,
    definitions: dict[str, ServiceDefinition] | None = None,
) -> tuple[int, list[Rederived]]:
    """Replay each deciding service over the log in scratch storage and compare, byte for
    byte, every decision it makes with what the log recorded; also name recorded decisions
    that no service derives (an append by someone who is not the owning service).

    Returns how many recorded decisions were derived again, and the disagreements."""
    definitions = definitions or {}
    findings: list[Rederived] = []
    derived = 0
    with tempfile.TemporaryDirectory(prefix="thidua-rederive-") as scratch:
        folder = Path(scratch)
        # Subjects are part of the bytes: decide again under the prefix the log was written with.
        prefix = _prefix(records) or settings.subject_prefix
        local = settings.model_copy(
            update={"data_dir": folder, "out_dir": folder / "out", "subject_prefix": prefix}
        )
        for name in RECOMPUTING:
            definition = definitions.get(name) or load(name, local)
            log = _ReplayLog(local, name, records)
            engine = make_engine(f"sqlite:///{folder / name}.db")
            create_schema(engine, *([definition.metadata] if definition.metadata else []))
            try:
                await _replay(definition, log, engine, records, local)
            finally:
                engine.dispose()
            findings.extend(log.findings)
            derived += len(log.derived)
            findings.extend(_underived(name, log, records))
    findings.sort(key=lambda f: (f.sequence is None, f.sequence or 0))
    return derived, findings


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
) -> None:
    with Session(engine) as session, session.begin():
        store = Store(session)
        for sequence, body in records:
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
                )
            )
    return found
