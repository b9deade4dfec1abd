"""Export bundles end at the latest signed checkpoint; `thidua audit verify --bundle` refuses an
unsigned tail unless told to accept it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thidua_contracts.canonical import canonical_bytes
from thidua_contracts.checkpoint import Checkpoint, SignerKey, sign_checkpoint
from thidua_contracts.merkle import CompactTree, leaf_hash
from thidua_contracts.verify import EVENTS_FILE, MANIFEST_FILE, Kind, event_line, verify_bundle
from thidua_kit.cli import app
from thidua_kit.verify import Snapshot, write_bundle

ORIGIN = "thidua/TEST"
SIGNER = SignerKey.generate(ORIGIN)


def _body(i: int) -> bytes:
    return canonical_bytes(
        {
            "event_id": f"id-{i}",
            "type": "submissions.Happened",
            "subject": "t.evt.submissions.thing",
            "actor": {"id": "van-thu"},
            "causation_id": None,
            "inputs": [],
            "rules": None,
            "payload": {"n": i},
        }
    )


def _snapshot(size: int, signed: int) -> Snapshot:
    """A log of `size` events whose checkpoints cover the first `signed` (every 4 events)."""
    events = [(i, _body(i)) for i in range(1, size + 1)]
    tree, notes = CompactTree(), []
    for _, body in events[:signed]:
        tree.append(leaf_hash(body))
        if tree.size % 4 == 0 or tree.size == signed:
            notes.append(sign_checkpoint(Checkpoint(ORIGIN, tree.size, tree.root()), SIGNER))
    return Snapshot("TEST", events, notes, [leaf_hash(b) for _, b in events])


def test_an_export_leaves_out_the_events_no_checkpoint_covers_yet(tmp_path: Path) -> None:
    # A live log's newest events wait for the audit service's next checkpoint.
    manifest = write_bundle(tmp_path, _snapshot(13, 10), SIGNER.public())

    assert (manifest["events"], manifest["latest_checkpoint"]) == (10, 10)
    assert manifest["unsigned_left_out"] == 3
    report = verify_bundle(tmp_path, SIGNER.public())
    assert report.ok, report.findings
    assert report.summary() == "ok: 10 events, 3 signed checkpoints verified (latest covers 10)"


def test_an_export_with_its_unsigned_tail_verifies_only_when_the_auditor_allows_it(
    tmp_path: Path,
) -> None:
    manifest = write_bundle(tmp_path, _snapshot(13, 10), SIGNER.public(), include_unsigned=True)

    assert (manifest["events"], manifest["unsigned_left_out"]) == (13, 0)
    refused = verify_bundle(tmp_path, SIGNER.public())
    assert [(f.kind, f.sequence) for f in refused.findings] == [(Kind.UNSIGNED, 11)]
    assert verify_bundle(tmp_path, SIGNER.public(), allow_unsigned_tail=True).ok


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "trusted.pub"
    path.write_text(SIGNER.public().encode() + "\n", encoding="utf-8")
    return path


def test_the_cli_refuses_a_forged_event_after_the_latest_checkpoint(
    tmp_path: Path, key_file: Path
) -> None:
    bundle = tmp_path / "bundle"
    write_bundle(bundle, _snapshot(12, 12), SIGNER.public())
    with (bundle / EVENTS_FILE).open("a", encoding="utf-8") as out:
        out.write(event_line(13, _body(13)) + "\n")
    manifest = json.loads((bundle / MANIFEST_FILE).read_text(encoding="utf-8"))
    (bundle / MANIFEST_FILE).write_text(json.dumps({**manifest, "events": 13}), encoding="utf-8")
    runner = CliRunner()
    args = ["audit", "verify", "--bundle", str(bundle), "--key", str(key_file)]

    refused = runner.invoke(app, args)
    allowed = runner.invoke(app, [*args, "--allow-unsigned-tail"])

    assert refused.exit_code == 1, refused.output
    assert "FAILED at sequence 13: unsigned-events" in refused.output
    assert allowed.exit_code == 0, allowed.output
    assert "1 after it (sequence 13) not yet covered by a signature" in allowed.output


@pytest.mark.parametrize("given", ["", "missing-file-contents"])
def test_the_cli_refuses_an_empty_key(given: str, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    write_bundle(bundle, _snapshot(8, 8), SIGNER.public())
    if given:
        given = str(tmp_path / "empty.pub")
        Path(given).write_text("\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["audit", "verify", "--bundle", str(bundle), "--key", given])

    assert result.exit_code == 2, result.output
    assert "--key is empty" in result.output
    assert "ok:" not in result.output
