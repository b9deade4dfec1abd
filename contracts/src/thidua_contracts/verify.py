"""Verify the log against signed checkpoints: what an auditor runs, with this package alone.

Input: the message bodies in stream order (from a live stream or an export bundle), the signed
checkpoints, and the one thing the auditor trusts — the audit service's public key. The tree is
recomputed leaf by leaf; every checkpoint must carry a good signature and match the recomputed
root at its size. A mismatch alone says only which checkpoint interval changed; with the list
of leaf hashes the audit service recorded (authenticated by those same signed roots) the first
differing sequence is named, with why: changed body, missing sequence, reordered.

`python -m thidua_contracts.verify BUNDLE --key KEY` checks an export bundle offline.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from typing import Any

from .canonical import NotCanonicalError, parse_canonical
from .checkpoint import (
    Checkpoint,
    NoteError,
    SignedNote,
    VerifierKey,
    open_checkpoint,
    open_rotation,
)
from .merkle import (
    CompactTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)


class Kind(StrEnum):
    CHANGED_BODY = "changed-body"
    MISSING_SEQUENCE = "missing-sequence"
    REORDERED = "reordered"
    NON_CANONICAL = "non-canonical-body"
    BAD_SIGNATURE = "bad-signature"
    WRONG_ORIGIN = "wrong-origin"
    ROOT_MISMATCH = "root-mismatch"
    FORKED_CHECKPOINTS = "forked-checkpoints"
    BAD_PROOF = "bad-proof"
    # Provenance: an event the Merkle tree cannot object to (it was appended, then signed),
    # but whose own claims about where it came from do not hold.
    WRONG_CONTEXT = "wrong-context"
    DUPLICATE_ID = "duplicate-event-id"
    DANGLING_CAUSE = "dangling-cause"
    FALSE_INPUT = "false-input"
    RULES_CHANGED = "rules-changed"
    BAD_ROTATION = "bad-key-rotation"
    # An export bundle: events no signature vouches for, or not the events its manifest lists.
    UNSIGNED = "unsigned-events"
    MANIFEST_MISMATCH = "manifest-mismatch"


PROVENANCE = frozenset(
    {
        Kind.WRONG_CONTEXT,
        Kind.DUPLICATE_ID,
        Kind.DANGLING_CAUSE,
        Kind.FALSE_INPUT,
        Kind.RULES_CHANGED,
    }
)


@dataclass(frozen=True)
class Finding:
    kind: Kind
    sequence: int | None  # None: about a checkpoint or proof rather than a log position
    detail: str
    last: int | None = None  # a root mismatch names an interval sequence..last, not one event

    def line(self) -> str:
        where = f"sequence {self.sequence}" if self.sequence is not None else "checkpoints"
        return f"{where}: {self.kind.value}: {self.detail}"


@dataclass
class Report:
    size: int = 0
    checkpoints_verified: int = 0
    latest: Checkpoint | None = None
    pinpointed: bool = False  # an authenticated leaf list named exact sequences
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def signed_size(self) -> int:
        """How many events, from the first, the latest good checkpoint vouches for."""
        return min(self.latest.size, self.size) if self.latest else 0

    @property
    def unsigned(self) -> int:
        """Events after the latest good checkpoint: in a live log, those the audit service has
        not signed yet; nothing but the log itself vouches for them."""
        return self.size - self.signed_size

    @property
    def first(self) -> Finding | None:
        """The earliest log position that does not match; checkpoint-only problems after."""
        if not self.findings:
            return None
        exact = [f.sequence for f in self.findings if f.sequence is not None and f.last is None]
        # An interval gives way to an event named inside it (e.g. a gap in the sequences).
        candidates = [
            f for f in self.findings if f.last is None or not any(e <= f.last for e in exact)
        ]
        return min(
            candidates,
            key=lambda f: (f.sequence is None, f.sequence or 0, f.kind in PROVENANCE),
        )

    def tail(self) -> str:
        """What the summary says of the events past the latest checkpoint, if any."""
        if not self.unsigned:
            return ""
        first, last = self.signed_size + 1, self.size
        where = f"sequence {first}" if first == last else f"sequences {first}..{last}"
        return f"; {self.unsigned} after it ({where}) not yet covered by a signature"

    def summary(self) -> str:
        if self.ok:
            latest = self.latest.size if self.latest else 0
            return (
                f"ok: {self.size} events, {self.checkpoints_verified} signed checkpoints verified"
                f" (latest covers {latest}){self.tail()}"
            )
        first = self.first
        assert first is not None
        return f"FAILED at {first.line()}"


def verify_log(
    records: Iterable[tuple[int, bytes]],
    notes: Iterable[str],
    verifier: VerifierKey,
    *,
    origin: str | None = None,
    leaves: Sequence[bytes] | None = None,
) -> Report:
    """Recompute the tree over `records` (sequence, body) and check it against `notes`.

    `verifier` is the key the auditor trusts; key rotations recorded in the log are followed
    from it (see `key_schedule`), so each checkpoint must be signed by the key in force for
    its tree size."""
    notes = list(notes)
    walk = LogWalk(note_sizes(notes))
    for sequence, body in records:
        walk.add(sequence, body)
    return walk.report(notes, verifier, origin=origin, leaves=leaves)


def note_sizes(notes: Iterable[str]) -> set[int]:
    """The tree sizes the notes claim, read before any signature is checked: where a walk over
    the log keeps the root it reached."""
    return {_note_size(note) for note in notes} - {0}


class LogWalk:
    """The log read once, in stream order, keeping only what the checks need: each leaf hash,
    the root at every size a checkpoint names, the canonical and provenance findings, and the
    key rotations. Fed as the events arrive, so nothing else holds the log; `report` then checks
    the signed checkpoints against it (and may be asked again, e.g. with the leaves)."""

    def __init__(self, sizes: Iterable[int]) -> None:
        self.sizes = frozenset(sizes)
        self.tree = CompactTree()
        self.provenance = Provenance()
        self.hashes: list[bytes] = []
        self.non_canonical: list[int] = []
        self.roots: dict[int, bytes] = {}
        self.findings: list[Finding] = []
        self.rotations: list[tuple[int, bytes]] = []
        self.expected = 1

    def add(self, sequence: int, body: bytes) -> None:
        expected = self.expected
        if sequence > expected:
            self.findings.append(
                Finding(
                    Kind.MISSING_SEQUENCE,
                    expected,
                    f"sequences {expected}..{sequence - 1} are not in the log",
                )
            )
        elif sequence < expected:
            self.findings.append(
                Finding(Kind.REORDERED, sequence, f"comes after sequence {expected - 1}")
            )
        self.expected = max(expected, sequence + 1)
        try:
            value = parse_canonical(body)
        except NotCanonicalError as exc:
            self.non_canonical.append(len(self.hashes) + 1)
            self.findings.append(Finding(Kind.NON_CANONICAL, sequence, str(exc)))
        else:
            self.findings.extend(self.provenance.check(sequence, value))
        if _ROTATION_MARK in body:
            self.rotations.append((sequence, body))
        h = leaf_hash(body)
        self.hashes.append(h)
        self.tree.append(h)
        if self.tree.size in self.sizes:
            self.roots[self.tree.size] = self.tree.root()

    def report(
        self,
        notes: Iterable[str],
        verifier: VerifierKey,
        *,
        origin: str | None = None,
        leaves: Sequence[bytes] | None = None,
    ) -> Report:
        report = Report()
        schedule, rotation_findings = key_schedule(self.rotations, verifier, origin)
        report.findings.extend(rotation_findings)
        checkpoints = _open_checkpoints(notes, schedule, origin, report)
        report.findings.extend(self.findings)
        report.size = len(self.hashes)
        roots = dict(self.roots)
        for checkpoint in checkpoints:
            # A size the walk was not told of (a note read differently before its signature
            # was checked): its root from the leaves, as the walk would have kept it.
            if checkpoint.size not in roots and checkpoint.size <= report.size:
                roots[checkpoint.size] = root(self.hashes[: checkpoint.size])
        mismatches = _check_roots(checkpoints, roots, report)
        if mismatches and leaves is not None:
            _pinpoint(self.hashes, leaves, checkpoints, self.non_canonical, report)
        return report


def _open_checkpoints(
    notes: Iterable[str], schedule: KeySchedule, origin: str | None, report: Report
) -> list[Checkpoint]:
    by_size: dict[int, Checkpoint] = {}
    for index, note in enumerate(notes, start=1):
        try:
            checkpoint = schedule.open(note)
        except NoteError as exc:
            report.findings.append(
                Finding(Kind.BAD_SIGNATURE, None, f"checkpoint #{index} ({_size_of(note)}): {exc}")
            )
            continue
        if origin is not None and checkpoint.origin != origin:
            report.findings.append(
                Finding(
                    Kind.WRONG_ORIGIN,
                    None,
                    f"checkpoint #{index} is for {checkpoint.origin!r}, not {origin!r}",
                )
            )
            continue
        seen = by_size.get(checkpoint.size)
        if seen is not None and seen.root_hash != checkpoint.root_hash:
            # Two signed roots for one size: the signer itself showed two histories.
            report.findings.append(
                Finding(
                    Kind.FORKED_CHECKPOINTS,
                    None,
                    f"two signed roots for size {checkpoint.size}",
                )
            )
        by_size[checkpoint.size] = checkpoint
        report.checkpoints_verified += 1
    ordered = [by_size[s] for s in sorted(by_size)]
    report.latest = ordered[-1] if ordered else None
    return ordered


def _note_size(note: str) -> int:
    lines = note.split("\n")
    return int(lines[1]) if len(lines) > 1 and lines[1].isdigit() else 0


def _size_of(note: str) -> str:
    lines = note.split("\n")
    return f"size {lines[1]}" if len(lines) > 1 and lines[1].isdigit() else "unreadable"


def _check_roots(
    checkpoints: list[Checkpoint], roots: dict[int, bytes], report: Report
) -> list[Checkpoint]:
    """Each checkpoint against the recomputed root; the interval of the first that differs."""
    mismatches = []
    previous = 0
    for checkpoint in checkpoints:
        recomputed = roots.get(checkpoint.size)
        if checkpoint.size > report.size:
            mismatches.append(checkpoint)
            report.findings.append(
                Finding(
                    Kind.MISSING_SEQUENCE,
                    report.size + 1,
                    f"the checkpoint at size {checkpoint.size} covers sequences "
                    f"{report.size + 1}..{checkpoint.size}, which the log does not have",
                )
            )
            break
        if recomputed != checkpoint.root_hash:
            mismatches.append(checkpoint)
            report.findings.append(
                Finding(
                    Kind.ROOT_MISMATCH,
                    previous + 1,
                    f"the recomputed root at size {checkpoint.size} differs from the signed "
                    f"checkpoint; the first difference lies in sequences "
                    f"{previous + 1}..{checkpoint.size}",
                    last=checkpoint.size,
                )
            )
            break  # every later checkpoint differs too; the first interval is the news
        previous = checkpoint.size
    return mismatches


def _pinpoint(
    ours: list[bytes],
    claimed: Sequence[bytes],
    checkpoints: list[Checkpoint],
    non_canonical: list[int],
    report: Report,
) -> None:
    """Name the first differing sequence using leaf hashes authenticated by the signed roots."""
    covered = [c for c in checkpoints if c.size <= len(claimed)]
    if not covered or any(root(claimed[: c.size]) != c.root_hash for c in covered):
        return  # not authentic (or nothing to authenticate against): keep the interval only
    authentic = list(claimed[: covered[-1].size])
    index = next(
        (i for i, h in enumerate(authentic) if i >= len(ours) or ours[i] != h),
        None,
    )
    if index is None:
        return
    sequence = index + 1
    report.pinpointed = True
    report.findings = [
        f for f in report.findings if f.kind not in (Kind.ROOT_MISMATCH, Kind.MISSING_SEQUENCE)
    ]
    if sequence in non_canonical:
        return  # already named as a non-canonical body at this sequence
    if index >= len(ours):
        report.findings.append(
            Finding(Kind.MISSING_SEQUENCE, sequence, "the log ends before this signed sequence")
        )
        return
    mine, want = ours[index], authentic[index]
    later_ours = ours[index + 1 :]
    later_authentic = authentic[index + 1 :]
    if mine in later_authentic and want in later_ours:
        other = index + 1 + later_ours.index(want) + 1
        report.findings.append(
            Finding(
                Kind.REORDERED,
                sequence,
                f"the event signed at sequence {sequence} is at position {other}, and this "
                f"position holds the event signed at {index + 1 + later_authentic.index(mine) + 1}",
            )
        )
    elif mine in later_authentic:
        report.findings.append(
            Finding(
                Kind.MISSING_SEQUENCE,
                sequence,
                f"the event signed at sequence {sequence} is gone; the events after it moved up",
            )
        )
    else:
        report.findings.append(
            Finding(
                Kind.CHANGED_BODY,
                sequence,
                f"the body differs from the one signed (leaf {want.hex()[:16]}…, "
                f"found {mine.hex()[:16]}…)",
            )
        )


ROTATION_TYPE = "audit.SigningKeyRotated"
_ROTATION_MARK = ROTATION_TYPE.encode()


@dataclass(frozen=True)
class KeySchedule:
    """Which key signs checkpoints of which tree sizes: (first size, key), in order."""

    keys: tuple[tuple[int, VerifierKey], ...]

    def key_for(self, size: int) -> VerifierKey:
        return [key for start, key in self.keys if start <= size][-1]

    def open(self, note: str) -> Checkpoint:
        """The checkpoint, if signed by the key in force at its size; else NoteError."""
        checkpoint = Checkpoint.parse(SignedNote.parse(note).text)
        return open_checkpoint(note, self.key_for(checkpoint.size))

    def signed(self, notes: Iterable[str]) -> list[Checkpoint]:
        found = []
        for note in notes:
            try:
                found.append(self.open(note))
            except NoteError:
                continue
        return found


def key_schedule(
    records: Iterable[tuple[int, bytes]], trusted: VerifierKey, origin: str | None = None
) -> tuple[KeySchedule, list[Finding]]:
    """Follow the key rotations recorded in the log from the one key the auditor trusts.

    A rotation at sequence s says, signed by both keys, that checkpoints of size s and more are
    signed by the new key. Trusting the old key, the new one follows; trusting the new key, the
    statement it co-signed names the key before it — so any key of the chain will do. A
    rotation not signed by the key then in force is named and ignored."""
    findings: list[Finding] = []
    rotations: list[tuple[int, VerifierKey, VerifierKey]] = []
    for sequence, body in records:
        if _ROTATION_MARK not in body:
            continue
        try:
            envelope = json.loads(body)
        except ValueError:
            continue
        if not isinstance(envelope, dict) or envelope.get("type") != ROTATION_TYPE:
            continue
        payload = envelope.get("payload") or {}
        if origin is not None and payload.get("origin") != origin:
            continue  # another log's keys
        try:
            old = VerifierKey.parse(str(payload.get("old_key")))
            new = VerifierKey.parse(str(payload.get("new_key")))
            open_rotation(str(payload.get("statement")), str(payload.get("origin")), old, new)
        except NoteError as exc:
            findings.append(Finding(Kind.BAD_ROTATION, sequence, f"not a valid rotation: {exc}"))
            continue
        rotations.append((sequence, old, new))
    start = trusted
    for _sequence, old, new in reversed(rotations):
        if new == start:
            start = old
    keys = [(0, start)]
    for sequence, old, new in rotations:
        current = keys[-1][1]
        if old != current:
            findings.append(
                Finding(
                    Kind.BAD_ROTATION,
                    sequence,
                    f"rotation from key {old.key_id.hex()}, but {current.key_id.hex()} was "
                    "in force: not followed",
                )
            )
            continue
        keys.append((sequence, new))
    return KeySchedule(tuple(keys)), findings


class Provenance:
    """What each event says about its own origin, checked against the log before it.

    A writer that may append but is not the owning service (a stolen credential, a script)
    gets its event into the tree and the next checkpoint; what gives it away is a type on
    another context's subject, a reused id, a cause or input that is not what the log holds,
    or a rule pack whose content changed under the same id and version. A forgery that copies
    all of these faithfully is found only by re-deriving the decision.
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.rules: dict[tuple[str, str], tuple[str, int]] = {}

    def check(self, sequence: int, envelope: Any) -> list[Finding]:
        if not isinstance(envelope, dict):
            return []
        found = []
        event_id = str(envelope.get("event_id"))
        kind = str(envelope.get("type", ""))
        tokens = str(envelope.get("subject", "")).split(".")
        if len(tokens) < 3 or tokens[1] != "evt" or tokens[2] != kind.partition(".")[0]:
            found.append(
                Finding(
                    Kind.WRONG_CONTEXT, sequence, f"{kind} on subject {envelope.get('subject')}"
                )
            )
        if event_id in self.ids:
            found.append(
                Finding(
                    Kind.DUPLICATE_ID, sequence, f"event id used before at {self.ids[event_id]}"
                )
            )
        if envelope.get("actor") is None:
            cause = envelope.get("causation_id")
            if cause is not None and cause not in self.ids:
                found.append(
                    Finding(Kind.DANGLING_CAUSE, sequence, f"{kind}: cause {cause} is not earlier")
                )
            inputs = envelope.get("inputs")
            for ref in inputs if isinstance(inputs, list) else []:
                if not isinstance(ref, dict):
                    found.append(Finding(Kind.FALSE_INPUT, sequence, f"{kind} cites {ref!r}"))
                    continue
                held = self.ids.get(str(ref.get("event_id")))
                if held != ref.get("sequence"):
                    found.append(
                        Finding(
                            Kind.FALSE_INPUT,
                            sequence,
                            f"{kind} says it read {ref.get('event_id')} at {ref.get('sequence')}"
                            f", the log has it at {held}",
                        )
                    )
        rules = envelope.get("rules")
        if isinstance(rules, dict):
            key = (str(rules.get("id")), str(rules.get("version")))
            digest = str(rules.get("sha256"))
            first = self.rules.setdefault(key, (digest, sequence))
            if first[0] != digest:
                found.append(
                    Finding(
                        Kind.RULES_CHANGED,
                        sequence,
                        f"rules {key[0]} {key[1]} hash {digest[:12]}…, but {first[0][:12]}… "
                        f"at sequence {first[1]}: the content changed under the same version",
                    )
                )
        self.ids.setdefault(event_id, sequence)
        return found


def check_rule_files(
    records: Iterable[tuple[int, bytes]], files: dict[str, bytes]
) -> list[Finding]:
    """Decisions that cite a rule pack (by id) against the pack files an auditor holds.

    `files` maps a pack id to the exact bytes of its file; a decision recorded with another
    SHA-256 was judged by other content than the file now says (or the file was edited since).
    """
    found = []
    for sequence, body in records:
        try:
            envelope = json.loads(body)
        except ValueError:
            continue
        rules = envelope.get("rules") if isinstance(envelope, dict) else None
        if not isinstance(rules, dict) or rules.get("id") not in files:
            continue
        digest = hashlib.sha256(files[rules["id"]]).hexdigest()
        if rules.get("sha256") != digest:
            found.append(
                Finding(
                    Kind.RULES_CHANGED,
                    sequence,
                    f"{envelope.get('type')} applied {rules['id']} {rules.get('version')} with "
                    f"hash {str(rules.get('sha256'))[:12]}…; the file now hashes to {digest[:12]}…",
                )
            )
    return found


# --- export bundles -------------------------------------------------------------------------

EVENTS_FILE = "events.jsonl"
CHECKPOINTS_FILE = "checkpoints.jsonl"
KEY_FILE = "public-key.txt"
LEAVES_FILE = "leaves.txt"
PROOFS_FILE = "proofs.json"
MANIFEST_FILE = "manifest.json"


def event_line(sequence: int, body: bytes) -> str:
    """One JSON Lines record that keeps the exact body bytes (as text, else base64)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return json.dumps({"sequence": sequence, "body_base64": base64.b64encode(body).decode()})
    return json.dumps({"sequence": sequence, "body": text}, ensure_ascii=False)


def read_events(bundle: Path) -> Iterator[tuple[int, bytes]]:
    with (bundle / EVENTS_FILE).open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            body = (
                record["body"].encode("utf-8")
                if "body" in record
                else base64.b64decode(record["body_base64"])
            )
            yield int(record["sequence"]), body


def read_checkpoints(bundle: Path) -> list[str]:
    path = bundle / CHECKPOINTS_FILE
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [str(json.loads(line)["note"]) for line in lines if line.strip()]


def read_leaves(bundle: Path) -> list[bytes] | None:
    path = bundle / LEAVES_FILE
    if not path.exists():
        return None
    return [bytes.fromhex(line) for line in path.read_text().split()]


def make_proofs(
    leaves: Sequence[bytes], checkpoint_sizes: Sequence[int], sequences: Iterable[int]
) -> dict[str, Any]:
    """Consistency proofs between consecutive checkpoints, and inclusion proofs of the named
    sequences in the latest one: each checks with nothing but two roots or one root."""
    sizes = sorted(s for s in set(checkpoint_sizes) if s <= len(leaves))
    consistency = [
        {"old": a, "new": b, "proof": [h.hex() for h in consistency_proof(a, leaves[:b])]}
        for a, b in pairwise(sizes)
    ]
    inclusion = []
    if sizes:
        size = sizes[-1]
        for sequence in sorted(set(sequences)):
            if 1 <= sequence <= size:
                inclusion.append(
                    {
                        "sequence": sequence,
                        "size": size,
                        "leaf_hash": leaves[sequence - 1].hex(),
                        "proof": [h.hex() for h in inclusion_proof(sequence - 1, leaves[:size])],
                    }
                )
    return {"consistency": consistency, "inclusion": inclusion}


def check_proofs(proofs: dict[str, Any], checkpoints: Sequence[Checkpoint]) -> list[Finding]:
    """Check a bundle's proofs against the signed roots only (no events needed)."""
    by_size = {c.size: c.root_hash for c in checkpoints}
    findings = []
    for item in proofs.get("consistency", []):
        old, new = int(item["old"]), int(item["new"])
        path = [bytes.fromhex(h) for h in item["proof"]]
        if old not in by_size or new not in by_size:
            findings.append(Finding(Kind.BAD_PROOF, None, f"no checkpoint for {old} or {new}"))
        elif not verify_consistency(old, new, by_size[old], by_size[new], path):
            findings.append(
                Finding(Kind.BAD_PROOF, None, f"checkpoints {old} and {new} are not consistent")
            )
    for item in proofs.get("inclusion", []):
        sequence, size = int(item["sequence"]), int(item["size"])
        path = [bytes.fromhex(h) for h in item["proof"]]
        leaf = bytes.fromhex(item["leaf_hash"])
        if size not in by_size or not verify_inclusion(
            sequence - 1, size, leaf, path, by_size[size]
        ):
            findings.append(
                Finding(Kind.BAD_PROOF, sequence, f"not included in the checkpoint at {size}")
            )
    return findings


def verify_bundle(
    bundle: Path, verifier: VerifierKey, *, allow_unsigned_tail: bool = False
) -> Report:
    """An export bundle, offline: events against checkpoints, then the bundle's proofs.

    A bundle is a closed record, unlike a live log: an event after its latest signed checkpoint
    could have been added by anyone who handled the files, so it is a finding unless the
    auditor accepts such a tail as unverified (`allow_unsigned_tail`). The event count in the
    manifest must match too, so that a bundle with events added or taken away says so even where
    the signatures alone could not (the manifest itself is not signed)."""
    manifest = json.loads((bundle / MANIFEST_FILE).read_text(encoding="utf-8"))
    events = list(read_events(bundle))
    report = verify_log(
        events,
        read_checkpoints(bundle),
        verifier,
        origin=manifest.get("origin"),
        leaves=read_leaves(bundle),
    )
    proofs_path = bundle / PROOFS_FILE
    if proofs_path.exists():
        schedule, _ = key_schedule(events, verifier, manifest.get("origin"))
        signed = schedule.signed(read_checkpoints(bundle))
        proofs = json.loads(proofs_path.read_text(encoding="utf-8"))
        report.findings.extend(check_proofs(proofs, signed))
    report.findings.extend(_check_manifest(manifest, report))
    if report.unsigned and not allow_unsigned_tail:
        detail = (
            f"{report.unsigned} events after the latest signed checkpoint (size "
            f"{report.signed_size}): no signature vouches for them"
            if report.latest
            else f"no checkpoint signed by this key (or one it rotated to) vouches for any of "
            f"the {report.unsigned} events"
        )
        report.findings.append(Finding(Kind.UNSIGNED, report.signed_size + 1, detail))
    return report


def _check_manifest(manifest: Any, report: Report) -> list[Finding]:
    listed = manifest.get("events") if isinstance(manifest, dict) else None
    if isinstance(listed, bool) or not isinstance(listed, int):
        return [
            Finding(
                Kind.MANIFEST_MISMATCH,
                report.signed_size + 1 if report.unsigned else None,
                f"{MANIFEST_FILE} gives no event count, so what the bundle should hold is unknown",
            )
        ]
    if listed == report.size:
        return []
    if listed < report.size:
        # Events past the count were added after export; name the first no signature covers.
        first = report.signed_size + 1 if report.unsigned else listed + 1
        what = f"{report.size - listed} more"
    else:
        first = report.size + 1
        what = f"{listed - report.size} fewer"
    return [
        Finding(
            Kind.MANIFEST_MISMATCH,
            first,
            f"{MANIFEST_FILE} lists {listed} events, the bundle holds {report.size} ({what})",
        )
    ]


def read_key(given: str) -> str:
    """The verifier key an auditor passed: a file holding it, or the key text itself."""
    path = Path(given)
    try:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    except OSError:  # a key text too long or odd to be a file name
        pass
    return given


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m thidua_contracts.verify",
        description="Verify a Thi đua export bundle offline against a trusted public key.",
    )
    parser.add_argument("bundle", type=Path)
    parser.add_argument(
        "--key",
        help="the verifier key you trust: its text, or a file holding it (default: the "
        "bundle's own, which proves nothing)",
    )
    parser.add_argument(
        "--allow-unsigned-tail",
        action="store_true",
        help="accept events after the latest signed checkpoint, reported as unverified",
    )
    args = parser.parse_args(argv)
    if not args.bundle.is_dir():
        print(f"error: no bundle at {args.bundle}", file=sys.stderr)
        return 2
    source = "--key" if args.key is not None else str(args.bundle / KEY_FILE)
    if args.key is None:
        print("note: using the bundle's own public key; pass --key to trust your own copy")
        try:
            key_text = (args.bundle / KEY_FILE).read_text(encoding="utf-8")
        except OSError as exc:
            print(f"error: {source}: {exc.strerror}", file=sys.stderr)
            return 2
    else:
        # An empty --key (say, "$(cat key.txt)" of a missing file) must not quietly fall back
        # on the bundle's key: that would check the bundle against itself.
        key_text = read_key(args.key)
        if not key_text.strip():
            print(
                "error: --key is empty: give the verifier key or a file holding it", file=sys.stderr
            )
            return 2
    try:
        verifier = VerifierKey.parse(key_text)
    except NoteError as exc:
        print(f"error: {source}: {exc}", file=sys.stderr)
        return 2
    report = verify_bundle(args.bundle, verifier, allow_unsigned_tail=args.allow_unsigned_tail)
    print(report.summary())
    for finding in report.findings:
        print(f"  {finding.line()}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
