"""`thidua audit …`: the auditor's tools; registered on the `audit` app defined in cli.py.

Each works against the live server (the streams, read directly, and the audit service for its
key and recorded leaves) or, with `--bundle DIR`, against an export bundle offline. The key an
auditor trusts is given with `--key` (or THIDUA_AUDIT_PUBLIC_KEY); without it the service's
own key is used, and the output says so.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from thidua_contracts.checkpoint import NoteError, VerifierKey
from thidua_contracts.commands import RotateAuditKey
from thidua_contracts.envelope import Actor, Envelope, Role
from thidua_contracts.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from thidua_contracts.verify import (
    KEY_FILE,
    KeySchedule,
    Report,
    key_schedule,
    read_checkpoints,
    read_events,
    read_key,
)
from thidua_contracts.verify import verify_bundle as verify_offline

from . import verify as live
from .cli import _run, _send, audit, fail
from .client import Client
from .clock import new_id
from .services import load, run_on_loop
from .settings import Settings

KeyOpt = Annotated[
    str | None,
    typer.Option(
        "--key",
        envvar="THIDUA_AUDIT_PUBLIC_KEY",
        help="the verifier key you trust (text, or a file holding it)",
    ),
]
# A rotation concerns the whole log, not one movement; the envelope still names a scope.
KEY_SCOPE = "log"

BundleOpt = Annotated[
    Path | None, typer.Option("--bundle", help="an export bundle directory (offline)")
]


def _trusted(key: str | None) -> VerifierKey | None:
    if key is None:
        return None
    text = read_key(key)
    # Empty (an unset variable, a missing file's "$(cat …)") is refused rather than read as no
    # key: that would quietly trust the service's or the bundle's own.
    if not text.strip():
        _usage("--key is empty: give the verifier key or a file holding it")
    try:
        return VerifierKey.parse(text)
    except NoteError as exc:
        _usage(f"--key: {exc}")


def _usage(message: str) -> NoReturn:
    typer.echo(f"lỗi / error: {message}", err=True)
    raise typer.Exit(2)


def _untrusted(source: str) -> None:
    typer.echo(f"note: using the {source}'s own public key; pass --key to trust your own", err=True)


def _bundle_key(bundle: Path, key: str | None) -> VerifierKey:
    trusted = _trusted(key)
    if trusted is not None:
        return trusted
    _untrusted("bundle")
    return VerifierKey.parse((bundle / KEY_FILE).read_text(encoding="utf-8"))


async def _live_key(client: Client, key: str | None) -> VerifierKey:
    trusted = _trusted(key)
    if trusted is not None:
        return trusted
    _untrusted("audit service")
    return await live.service_key(client)


async def _leaves_and_notes(
    client: Client, key: str | None
) -> tuple[list[bytes], list[str], KeySchedule]:
    verifier = await _live_key(client, key)
    events = await live.bodies(client)
    schedule, _ = key_schedule(events, verifier, verifier.name)
    return [leaf_hash(b) for _, b in events], await live.checkpoint_notes(client), schedule


def _offline(bundle: Path, key: str | None) -> tuple[list[bytes], list[str], KeySchedule]:
    if not bundle.is_dir():
        fail(f"no bundle at {bundle}")
    verifier = _bundle_key(bundle, key)
    events = list(read_events(bundle))
    schedule, _ = key_schedule(events, verifier, verifier.name)
    return [leaf_hash(b) for _, b in events], read_checkpoints(bundle), schedule


def _print_report(report: Report) -> None:
    typer.echo(report.summary())
    for finding in report.findings:
        typer.echo(f"  {finding.line()}")
    if not report.ok:
        raise typer.Exit(1)


@audit.command("key")
def key() -> None:
    """The audit service's public key (C2SP signed-note verifier key): keep your own copy."""
    try:
        typer.echo(_run(live.service_key).encode())
    except live.AuditError as exc:
        fail(str(exc))


@audit.command("verify")
def verify(
    bundle: BundleOpt = None,
    key: KeyOpt = None,
    allow_unsigned_tail: Annotated[
        bool,
        typer.Option(
            "--allow-unsigned-tail",
            help="with --bundle: accept events after the latest signed checkpoint as unverified",
        ),
    ] = False,
) -> None:
    """Recompute the Merkle tree and check every signed checkpoint; name the first bad sequence.

    Live, the newest events are legitimately not signed yet (the audit service signs every N
    events or T seconds): the summary counts them. In a bundle such events fail, since nothing
    tells them from events added to the file, unless --allow-unsigned-tail."""
    if bundle is not None:
        if not bundle.is_dir():
            fail(f"no bundle at {bundle}")
        report = verify_offline(
            bundle, _bundle_key(bundle, key), allow_unsigned_tail=allow_unsigned_tail
        )
        _print_report(report)
        return

    async def work(client: Client) -> Report:
        return await live.verify_live(client, await _live_key(client, key))

    try:
        report = _run(work)
    except live.AuditError as exc:
        fail(str(exc))
    _print_report(report)


def _gather(bundle: Path | None, key: str | None) -> tuple[list[bytes], list[str], KeySchedule]:
    if bundle is not None:
        return _offline(bundle, key)
    return _run(lambda client: _leaves_and_notes(client, key))


@audit.command("prove")
def prove(
    sequence: int,
    bundle: BundleOpt = None,
    key: KeyOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Inclusion proof of one sequence in the latest signed checkpoint, checked before printing."""
    leaves, notes, schedule = _gather(bundle, key)
    try:
        checkpoint, note = live.latest_checkpoint(notes, schedule)
    except live.AuditError as exc:
        fail(str(exc))
    if not 1 <= sequence <= checkpoint.size:
        fail(f"sequence {sequence} is not in the latest checkpoint (size {checkpoint.size})")
    if len(leaves) < checkpoint.size:
        fail(f"the log has {len(leaves)} events, fewer than the checkpoint's {checkpoint.size}")
    proof = inclusion_proof(sequence - 1, leaves[: checkpoint.size])
    leaf = leaves[sequence - 1]
    ok = verify_inclusion(sequence - 1, checkpoint.size, leaf, proof, checkpoint.root_hash)
    result: dict[str, Any] = {
        "sequence": sequence,
        "size": checkpoint.size,
        "leaf_hash": leaf.hex(),
        "proof": [h.hex() for h in proof],
        "checkpoint": note,
        "verified": ok,
    }
    if as_json:
        typer.echo(json.dumps(result, indent=1, ensure_ascii=False))
    else:
        typer.echo(f"sequence {sequence} in checkpoint {checkpoint.origin} size {checkpoint.size}")
        typer.echo(f"leaf {leaf.hex()}")
        for index, h in enumerate(proof):
            typer.echo(f"  {index}: {h.hex()}")
        typer.echo("verified" if ok else "DOES NOT VERIFY against the signed root")
    if not ok:
        raise typer.Exit(1)


@audit.command("consistency")
def consistency(
    old: int,
    new: int,
    bundle: BundleOpt = None,
    key: KeyOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Consistency proof between two signed checkpoints (tree sizes OLD <= NEW)."""
    leaves, notes, schedule = _gather(bundle, key)
    signed = {checkpoint.size: checkpoint for checkpoint in schedule.signed(notes)}
    missing = [size for size in (old, new) if size not in signed]
    if missing:
        known = ", ".join(str(s) for s in sorted(signed)) or "none"
        fail(f"no signed checkpoint of size {missing[0]} (signed sizes: {known})")
    if not old <= new <= len(leaves):
        fail(f"need {old} <= {new} <= {len(leaves)} (the log's size)")
    proof = consistency_proof(old, leaves[:new])
    ok = verify_consistency(old, new, signed[old].root_hash, signed[new].root_hash, proof)
    if as_json:
        result = {"old": old, "new": new, "proof": [h.hex() for h in proof], "verified": ok}
        typer.echo(json.dumps(result, indent=1))
    else:
        typer.echo(f"consistency {old} → {new}: {len(proof)} hashes")
        for index, h in enumerate(proof):
            typer.echo(f"  {index}: {h.hex()}")
        typer.echo("verified" if ok else "NOT CONSISTENT with the signed roots")
    if not ok:
        raise typer.Exit(1)


@audit.command("export")
def export(
    directory: Path,
    key: KeyOpt = None,
    wait: Annotated[
        float,
        typer.Option(
            help="seconds to wait for a checkpoint that covers the log as it stands (0: none)"
        ),
    ] = 60,
    include_unsigned: Annotated[
        bool,
        typer.Option(
            "--include-unsigned",
            help="also write the events after the latest signed checkpoint (verify then needs "
            "--allow-unsigned-tail)",
        ),
    ] = False,
) -> None:
    """Write an export bundle: events, checkpoints, public key, leaf hashes and proofs.

    The bundle ends at the latest signed checkpoint: the export first waits for the audit
    service to sign the log as it stands, and events appended meanwhile are left for the next
    export."""

    async def work(client: Client) -> tuple[live.Snapshot, VerifierKey]:
        last = await client.log().last_sequence()
        if last and wait > 0:
            try:
                await live.wait_for_checkpoint(client, last, patience=wait)
            except live.AuditError as exc:
                typer.echo(f"note: {exc}; exporting up to the latest signed one", err=True)
        return await live.snapshot(client), await _live_key(client, key)

    taken, verifier = _run(work)
    manifest = live.write_bundle(directory, taken, verifier, include_unsigned=include_unsigned)
    typer.echo(
        f"exported {manifest['events']} events and {manifest['checkpoints']} checkpoints "
        f"(latest covers {manifest['latest_checkpoint']}) to {directory}"
    )
    if manifest["unsigned_left_out"]:
        typer.echo(
            f"note: {manifest['unsigned_left_out']} later events are not signed yet and were "
            "left out (--include-unsigned writes them)",
            err=True,
        )
    elif manifest["events"] > manifest["latest_checkpoint"]:
        unsigned = manifest["events"] - manifest["latest_checkpoint"]
        typer.echo(
            f"note: the last {unsigned} events are not signed: verify needs --allow-unsigned-tail",
            err=True,
        )


@audit.command("verify-document")
def verify_document(path: Path, bundle: BundleOpt = None) -> None:
    """Check a generated document against its registration (SHA-256) in the log."""
    if not path.is_file():
        fail(f"no file {path}")
    events = list(read_events(bundle)) if bundle is not None else _run(live.bodies)
    result = live.check_document(path, events)
    if result["ok"]:
        reg = result["registration"]
        typer.echo(
            f"ok: {path.name} is {reg['doc_type']} {reg.get('number') or ''}, registered at "
            f"sequence {reg['sequence']} (sha256 {result['sha256']}), built from sequence "
            f"{reg['built_from_sequence']}"
        )
        if not result["name_matches"]:
            typer.echo(f"note: registered under the name {reg['file_name']}")
        return
    typer.echo(f"NOT REGISTERED: no document in the log has sha256 {result['sha256']}")
    for reg in result["registrations_with_this_name"]:
        typer.echo(
            f"  {reg['file_name']} was registered at sequence {reg['sequence']} with sha256 "
            f"{reg['sha256']}: the file was changed after it was generated"
        )
    raise typer.Exit(1)


@audit.command("rederive")
def rederive(
    bundle: BundleOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="every disagreement with both bodies, as JSON")
    ] = False,
) -> None:
    """Make every computed decision again from the log (each deciding service's own code, with
    the rule packs installed here) and compare it byte for byte with what was recorded."""
    records = _records(bundle)
    try:
        derived, findings = run_on_loop(live.rederive(records, Settings()))
    except LookupError as exc:  # a deciding service is not installed on this machine
        fail(str(exc))
    if as_json:
        result = {"derived": derived, "disagreements": [f.as_dict() for f in findings]}
        typer.echo(json.dumps(result, ensure_ascii=False, indent=1))
    elif not findings:
        typer.echo(f"ok: {derived} recorded decisions derived again, byte for byte")
    else:
        typer.echo(f"FAILED: {len(findings)} disagreements ({derived} decisions derived again)")
        for finding in findings:
            typer.echo(f"  {finding.line()}")
    if findings:
        raise typer.Exit(1)


def _records(bundle: Path | None) -> list[tuple[int, bytes]]:
    if bundle is not None:
        if not bundle.is_dir():
            fail(f"no bundle at {bundle}")
        return list(read_events(bundle))
    return _run(live.bodies)


@audit.command("replay")
def replay(
    as_of: Annotated[
        str,
        typer.Option(
            "--as-of",
            help="a sequence, a date (2022-07-31 or 31/7/2022: the end of that day) or an ISO "
            "date-time; +07:00 unless given",
        ),
    ],
    bundle: BundleOpt = None,
    keep: Annotated[
        Path | None, typer.Option("--keep", help="keep the rebuilt databases in this directory")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print every answer as JSON")] = False,
) -> None:
    """Every service's state as it was at a time or sequence: the log up to then folded by each
    service's own code into fresh databases, and each service's queries answered there."""
    records = _records(bundle)
    settings = Settings()
    try:
        upto, described = live.as_of_sequence(as_of, records)
    except live.AuditError as exc:
        fail(str(exc))

    def work(folder: Path) -> live.Replayed:
        try:
            return run_on_loop(live.replay(records, settings, upto, folder, described))
        except LookupError as exc:  # a deciding service is not installed on this machine
            fail(str(exc))

    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        result = work(keep)
    else:
        with tempfile.TemporaryDirectory(prefix="thidua-replay-") as scratch:
            result = work(Path(scratch))
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
    else:
        typer.echo(result.render())
    if keep is not None and not as_json:
        typer.echo(f"databases: {keep}/<service>.db")


@audit.command("rotate-key")
def rotate_key(
    reason: Annotated[str | None, typer.Option(help="why, for the record")] = None,
    actor: Annotated[str, typer.Option(help="the operator's id")] = "van-hanh",
) -> None:
    """A new checkpoint key, recorded in the log with a statement signed by the old and the
    new key; checkpoints from that sequence on are signed by the new key."""
    _send(
        lambda: RotateAuditKey(
            command_id=new_id(),
            actor=Actor(id=actor, role=Role.SYSTEM),
            movement_id=KEY_SCOPE,
            reason=reason,
        )
    )


def explain_offline(bundle: Path, award_id: str) -> dict[str, Any]:
    """`explain` from an export bundle, with the audit service's own chain code run locally."""
    envelopes = []
    for sequence, body in _records(bundle):
        try:
            envelopes.append((sequence, Envelope.from_bytes(body)))
        except ValueError:
            continue  # `verify` names it; it cannot be part of a chain
    try:
        explain_log = load("audit", Settings()).extra["explain_log"]
    except LookupError as exc:
        fail(str(exc))
    result: dict[str, Any] | None = explain_log(award_id, envelopes)
    if result is None:
        fail(f"no award {award_id} in the bundle")
    return result
