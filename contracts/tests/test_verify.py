"""Verification of a log against signed checkpoints, and of export bundles, offline."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from thidua_contracts.canonical import canonical_bytes
from thidua_contracts.checkpoint import Checkpoint, SignerKey, sign_checkpoint, sign_rotation
from thidua_contracts.merkle import CompactTree, leaf_hash
from thidua_contracts.verify import (
    CHECKPOINTS_FILE,
    EVENTS_FILE,
    KEY_FILE,
    LEAVES_FILE,
    MANIFEST_FILE,
    PROOFS_FILE,
    Kind,
    LogWalk,
    Report,
    check_rule_files,
    event_line,
    key_schedule,
    main,
    make_proofs,
    note_sizes,
    verify_bundle,
    verify_log,
)

ORIGIN = "thidua/TEST"
SIGNER = SignerKey.generate(ORIGIN)


def human_act(i: int, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": f"id-{i}",
        "type": "submissions.Happened",
        "subject": "t.evt.submissions.thing",
        "actor": {"id": "van-thu"},
        "causation_id": None,
        "inputs": [],
        "rules": None,
        "payload": {"n": i, "text": f"việc {i}"},
        **fields,
    }


def bodies(n: int = 20) -> list[bytes]:
    return [canonical_bytes(human_act(i)) for i in range(n)]


def notes_for(log: list[bytes], every: int = 5, signer: SignerKey = SIGNER) -> list[str]:
    tree, notes = CompactTree(), []
    for body in log:
        tree.append(leaf_hash(body))
        if tree.size % every == 0 or tree.size == len(log):
            notes.append(sign_checkpoint(Checkpoint(ORIGIN, tree.size, tree.root()), signer))
    return notes


def numbered(log: list[bytes]) -> list[tuple[int, bytes]]:
    return list(enumerate(log, start=1))


LOG = bodies()
NOTES = notes_for(LOG)
LEAVES = [leaf_hash(b) for b in LOG]


def test_a_clean_log_verifies() -> None:
    report = verify_log(numbered(LOG), NOTES, SIGNER.public(), origin=ORIGIN, leaves=LEAVES)
    assert report.ok, report.findings
    assert (report.size, report.checkpoints_verified) == (20, 4)
    assert report.summary().startswith("ok: 20 events, 4 signed checkpoints")


def test_a_changed_body_is_named_exactly_with_the_signed_leaves() -> None:
    log = list(LOG)
    log[11] = canonical_bytes(human_act(11, payload={"n": 999, "text": "việc 11"}))
    report = verify_log(numbered(log), NOTES, SIGNER.public(), leaves=LEAVES)
    assert report.first is not None
    assert (report.first.kind, report.first.sequence) == (Kind.CHANGED_BODY, 12)
    assert report.pinpointed
    # Without the leaf list the signed roots still show which interval changed.
    coarse = verify_log(numbered(log), NOTES, SIGNER.public())
    assert coarse.first is not None
    assert (coarse.first.kind, coarse.first.sequence) == (Kind.ROOT_MISMATCH, 11)
    assert "11..15" in coarse.first.detail


def test_a_removed_event_is_named_whether_or_not_the_sequences_were_renumbered() -> None:
    renumbered = numbered(LOG[:6] + LOG[7:])
    report = verify_log(renumbered, NOTES, SIGNER.public(), leaves=LEAVES)
    assert report.first is not None
    assert (report.first.kind, report.first.sequence) == (Kind.MISSING_SEQUENCE, 7)
    with_gap = [item for item in numbered(LOG) if item[0] != 7]
    report = verify_log(with_gap, NOTES, SIGNER.public())
    assert report.first is not None
    assert (report.first.kind, report.first.sequence) == (Kind.MISSING_SEQUENCE, 7)


def test_two_swapped_events_are_named_as_reordered() -> None:
    log = list(LOG)
    log[3], log[4] = log[4], log[3]
    report = verify_log(numbered(log), NOTES, SIGNER.public(), leaves=LEAVES)
    assert report.first is not None
    assert (report.first.kind, report.first.sequence) == (Kind.REORDERED, 4)


def test_a_non_canonical_body_is_named_as_such() -> None:
    log = list(LOG)
    log[8] = json.dumps(json.loads(log[8]), indent=1).encode()
    report = verify_log(numbered(log), NOTES, SIGNER.public(), leaves=LEAVES)
    assert report.first is not None
    assert (report.first.kind, report.first.sequence) == (Kind.NON_CANONICAL, 9)


def test_a_checkpoint_resigned_with_another_key_is_refused() -> None:
    other = SignerKey.generate(ORIGIN)
    notes = [*NOTES[:-1], notes_for(LOG, signer=other)[-1]]
    report = verify_log(numbered(LOG), notes, SIGNER.public())
    assert [f.kind for f in report.findings] == [Kind.BAD_SIGNATURE]
    assert "size 20" in report.findings[0].detail


def test_a_log_shorter_than_its_checkpoints_is_named() -> None:
    report = verify_log(numbered(LOG[:17]), NOTES, SIGNER.public(), leaves=LEAVES)
    assert report.first is not None
    assert (report.first.kind, report.first.sequence) == (Kind.MISSING_SEQUENCE, 18)


def _lines(report: Report) -> list[str]:
    return [f.line() for f in report.findings]


def test_a_walk_fed_as_the_log_arrives_reports_as_verify_log_and_can_be_asked_again() -> None:
    log = list(LOG)
    log[11] = canonical_bytes(human_act(11, payload={"n": 999, "text": "việc 11"}))
    walk = LogWalk(note_sizes(NOTES))
    for record in numbered(log):
        walk.add(*record)
    coarse = walk.report(NOTES, SIGNER.public())
    exact = walk.report(NOTES, SIGNER.public(), leaves=LEAVES)
    assert coarse.first is not None and coarse.first.kind == Kind.ROOT_MISMATCH
    assert _lines(coarse) == _lines(verify_log(numbered(log), NOTES, SIGNER.public()))
    assert exact.pinpointed and exact.first is not None
    assert (exact.first.kind, exact.first.sequence) == (Kind.CHANGED_BODY, 12)
    assert _lines(exact) == _lines(verify_log(numbered(log), NOTES, SIGNER.public(), leaves=LEAVES))


def test_a_walk_not_told_a_checkpoint_size_still_checks_that_checkpoint() -> None:
    walk = LogWalk(set())
    for record in numbered(LOG):
        walk.add(*record)
    assert walk.report(NOTES, SIGNER.public()).ok
    other = list(LOG)
    other[2] = canonical_bytes(human_act(2, payload={"n": 0, "text": "đổi"}))
    changed = LogWalk({20})
    for record in numbered(other):
        changed.add(*record)
    report = changed.report(NOTES, SIGNER.public())
    assert report.first is not None
    assert (report.first.kind, report.first.sequence) == (Kind.ROOT_MISMATCH, 1)
    assert "1..5" in report.first.detail


def test_the_sizes_a_walk_keeps_roots_at_are_read_from_the_notes_unsigned() -> None:
    assert note_sizes([*NOTES, "garbage", "thidua/TEST\nnot a size\n"]) == {5, 10, 15, 20}


def test_a_decision_citing_something_that_is_not_a_reference_is_named_not_a_crash() -> None:
    forged = human_act(20, actor=None, inputs=[7, {"event_id": "id-3", "sequence": 4}])
    report = verify_log(numbered([*LOG, canonical_bytes(forged)]), NOTES, SIGNER.public())
    # The true reference beside it (id-3 is at sequence 4) is not named.
    assert [(f.kind, f.sequence) for f in report.findings] == [(Kind.FALSE_INPUT, 21)]
    assert "cites 7" in report.findings[0].detail


def _bundle(
    tmp_path: Path, log: list[bytes], notes: list[str] = NOTES, listed: int | None = None
) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / EVENTS_FILE).write_text(
        "".join(event_line(i, b) + "\n" for i, b in numbered(log)), encoding="utf-8"
    )
    (tmp_path / CHECKPOINTS_FILE).write_text(
        "".join(json.dumps({"note": n}) + "\n" for n in notes), encoding="utf-8"
    )
    (tmp_path / KEY_FILE).write_text(SIGNER.public().encode() + "\n", encoding="utf-8")
    (tmp_path / LEAVES_FILE).write_text("".join(h.hex() + "\n" for h in LEAVES))
    proofs = make_proofs(LEAVES, [5, 10, 15, 20], [3, 20])
    (tmp_path / PROOFS_FILE).write_text(json.dumps(proofs), encoding="utf-8")
    manifest = {"origin": ORIGIN, "events": len(log) if listed is None else listed}
    (tmp_path / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    return tmp_path


def _append(bundle: Path, sequence: int, body: bytes) -> None:
    with (bundle / EVENTS_FILE).open("a", encoding="utf-8") as out:
        out.write(event_line(sequence, body) + "\n")


def _manifest(bundle: Path, **changes: Any) -> None:
    manifest = json.loads((bundle / MANIFEST_FILE).read_text(encoding="utf-8"))
    (bundle / MANIFEST_FILE).write_text(json.dumps({**manifest, **changes}), encoding="utf-8")


FORGED = canonical_bytes(human_act(20, event_id="forged"))


def test_an_event_appended_after_the_latest_checkpoint_fails_the_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = _bundle(tmp_path, LOG)
    _append(bundle, 21, FORGED)

    assert main([str(bundle), "--key", SIGNER.public().encode()]) == 1
    report = verify_bundle(bundle, SIGNER.public())
    assert [(f.kind, f.sequence) for f in report.findings] == [
        (Kind.MANIFEST_MISMATCH, 21),
        (Kind.UNSIGNED, 21),
    ]
    out = capsys.readouterr().out
    assert "FAILED at sequence 21: manifest-mismatch" in out
    assert "lists 20 events, the bundle holds 21" in out


def test_an_unsigned_tail_fails_even_when_the_manifest_was_made_to_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = _bundle(tmp_path, LOG)
    _append(bundle, 21, FORGED)
    _append(bundle, 22, canonical_bytes(human_act(21, event_id="forged-2")))
    _manifest(bundle, events=22)  # the manifest is not signed: anyone can edit it

    assert main([str(bundle), "--key", SIGNER.public().encode()]) == 1
    report = verify_bundle(bundle, SIGNER.public())
    assert [(f.kind, f.sequence) for f in report.findings] == [(Kind.UNSIGNED, 21)]
    assert "2 events after the latest signed checkpoint (size 20)" in report.findings[0].detail
    capsys.readouterr()

    # An auditor may take the tail as unverified, and is told exactly which events it is.
    key = SIGNER.public().encode()
    assert main([str(bundle), "--key", key, "--allow-unsigned-tail"]) == 0
    out = capsys.readouterr().out
    assert "ok: 22 events, 4 signed checkpoints verified (latest covers 20)" in out
    assert "2 after it (sequences 21..22) not yet covered by a signature" in out


def test_a_bundle_with_no_checkpoint_vouches_for_nothing(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, LOG[:3], notes=[])
    (bundle / PROOFS_FILE).unlink()

    report = verify_bundle(bundle, SIGNER.public())

    assert [(f.kind, f.sequence) for f in report.findings] == [(Kind.UNSIGNED, 1)]
    assert verify_bundle(bundle, SIGNER.public(), allow_unsigned_tail=True).ok


def test_a_bundle_holding_fewer_events_than_its_manifest_lists_fails(tmp_path: Path) -> None:
    # Every event it holds is signed (checkpoints 5..15): only the manifest tells of the rest.
    bundle = _bundle(tmp_path, LOG[:15], notes=NOTES[:3], listed=20)
    (bundle / PROOFS_FILE).unlink()

    report = verify_bundle(bundle, SIGNER.public())

    assert [(f.kind, f.sequence) for f in report.findings] == [(Kind.MANIFEST_MISMATCH, 16)]
    assert "lists 20 events, the bundle holds 15 (5 fewer)" in report.findings[0].detail


def test_a_manifest_without_an_event_count_fails(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, LOG)
    _manifest(bundle, events=None)

    report = verify_bundle(bundle, SIGNER.public())

    assert [f.kind for f in report.findings] == [Kind.MANIFEST_MISMATCH]


def test_a_live_log_reports_its_unsigned_newest_events_without_failing() -> None:
    # The audit service signs every N events or T seconds: the newest are not signed yet.
    report = verify_log(numbered([*LOG, FORGED]), NOTES, SIGNER.public())

    assert report.ok
    assert (report.unsigned, report.signed_size) == (1, 20)
    assert report.summary() == (
        "ok: 21 events, 4 signed checkpoints verified (latest covers 20); "
        "1 after it (sequence 21) not yet covered by a signature"
    )
    assert (
        verify_log(numbered(LOG), NOTES, SIGNER.public()).summary().endswith("(latest covers 20)")
    )


def test_a_bundle_verifies_offline_and_a_changed_line_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = _bundle(tmp_path / "ok", LOG)
    assert verify_bundle(bundle, SIGNER.public()).ok
    assert main([str(bundle), "--key", SIGNER.public().encode()]) == 0

    edited = _bundle(tmp_path / "edited", LOG)
    text = (edited / EVENTS_FILE).read_text(encoding="utf-8")
    (edited / EVENTS_FILE).write_text(text.replace("việc 13", "việc 31"), encoding="utf-8")
    assert main([str(edited), "--key", SIGNER.public().encode()]) == 1
    out = capsys.readouterr().out
    assert "FAILED at sequence 14: changed-body" in out


def test_forged_proofs_in_a_bundle_are_refused(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, LOG)
    proofs = json.loads((bundle / PROOFS_FILE).read_text())
    proofs["inclusion"][0]["leaf_hash"] = leaf_hash(b"forged").hex()
    (bundle / PROOFS_FILE).write_text(json.dumps(proofs))
    report = verify_bundle(bundle, SIGNER.public())
    assert [(f.kind, f.sequence) for f in report.findings] == [(Kind.BAD_PROOF, 3)]


def computed(i: int, cause: str, inputs: list[dict[str, Any]], sha: str = "a" * 64) -> bytes:
    return canonical_bytes(
        human_act(
            i,
            type="nominations.AwardIssued",
            subject="t.evt.nominations.award.x",
            actor=None,
            causation_id=cause,
            inputs=inputs,
            rules={"id": "vn-2017", "version": "1", "sha256": sha},
        )
    )


@pytest.mark.parametrize(
    ("forged", "kind"),
    [
        (canonical_bytes(human_act(5, subject="t.evt.scoring.thing")), Kind.WRONG_CONTEXT),
        (canonical_bytes(human_act(2)), Kind.DUPLICATE_ID),
        (computed(5, "id-404", []), Kind.DANGLING_CAUSE),
        (computed(5, "id-1", [{"event_id": "id-2", "sequence": 2}]), Kind.FALSE_INPUT),
        (computed(5, "id-1", [{"event_id": "id-2", "sequence": 3}], "b" * 64), Kind.RULES_CHANGED),
    ],
)
def test_an_appended_event_with_a_false_provenance_is_named(forged: bytes, kind: Kind) -> None:
    genuine = computed(4, "id-1", [{"event_id": "id-2", "sequence": 3}])
    log = [*bodies(4), genuine, forged]
    notes = notes_for(log)  # signed after the fact: the tree cannot object, provenance can
    report = verify_log(numbered(log), notes, SIGNER.public())
    assert [(f.kind, f.sequence) for f in report.findings] == [(kind, 6)]


def test_decisions_are_checked_against_the_rule_pack_files_an_auditor_holds() -> None:
    pack = b"id: vn-2017\nversion: '1'\n"
    sha = hashlib.sha256(pack).hexdigest()
    log = [*bodies(2), computed(2, "id-1", [{"event_id": "id-1", "sequence": 2}], sha)]
    assert check_rule_files(numbered(log), {"vn-2017": pack}) == []
    edited = check_rule_files(numbered(log), {"vn-2017": pack + b"# quorum changed\n"})
    assert [(f.kind, f.sequence) for f in edited] == [(Kind.RULES_CHANGED, 3)]


def rotation(i: int, old: SignerKey, new: SignerKey) -> bytes:
    return canonical_bytes(
        human_act(
            i,
            type="audit.SigningKeyRotated",
            subject="t.evt.audit.key.thidua-test",
            payload={
                "origin": ORIGIN,
                "old_key": old.public().encode(),
                "new_key": new.public().encode(),
                "statement": sign_rotation(ORIGIN, old, new),
            },
        )
    )


def rotated_log() -> tuple[list[bytes], list[str], list[SignerKey]]:
    """Twelve events; keys rotate at sequences 5 and 9; a checkpoint every two events, each
    signed by the key in force for its size."""
    keys = [SIGNER, SignerKey.generate(ORIGIN), SignerKey.generate(ORIGIN)]
    log = bodies(12)
    log[4] = rotation(4, keys[0], keys[1])
    log[8] = rotation(8, keys[1], keys[2])
    tree, notes = CompactTree(), []
    for body in log:
        tree.append(leaf_hash(body))
        if tree.size % 2 == 0:
            signer = keys[0] if tree.size < 5 else keys[1] if tree.size < 9 else keys[2]
            notes.append(sign_checkpoint(Checkpoint(ORIGIN, tree.size, tree.root()), signer))
    return log, notes, keys


@pytest.mark.parametrize("trusted", [0, 1, 2])
def test_rotations_are_followed_from_any_key_of_the_chain(trusted: int) -> None:
    log, notes, keys = rotated_log()
    records = list(enumerate(log, start=1))
    schedule, findings = key_schedule(records, keys[trusted].public())
    assert not findings
    assert [(s, k) for s, k in schedule.keys] == [
        (0, keys[0].public()),
        (5, keys[1].public()),
        (9, keys[2].public()),
    ]
    report = verify_log(records, notes, keys[trusted].public(), origin=ORIGIN)
    assert report.ok and report.checkpoints_verified == 6


def test_a_retired_key_signs_nothing_after_its_rotation() -> None:
    log, notes, keys = rotated_log()
    records = list(enumerate(log, start=1))
    tree = CompactTree()
    for body in log[:10]:
        tree.append(leaf_hash(body))
    late = sign_checkpoint(Checkpoint(ORIGIN, 10, tree.root()), keys[1])  # retired at 9
    report = verify_log(records, [*notes, late], keys[0].public())
    assert [f.kind for f in report.findings] == [Kind.BAD_SIGNATURE]
    assert "size 10" in report.findings[0].detail


def test_a_rotation_not_signed_by_the_key_in_force_is_not_followed() -> None:
    log, notes, keys = rotated_log()
    intruder = SignerKey.generate(ORIGIN)
    log[8] = rotation(8, intruder, keys[2])  # well signed, but by a key that was never in force
    records = list(enumerate(log, start=1))
    report = verify_log(records, notes, keys[0].public())
    kinds = [(f.kind, f.sequence) for f in report.findings]
    assert (Kind.BAD_ROTATION, 9) in kinds
    # keys[2] is not followed, so its checkpoints fail (and the changed body breaks the roots).
    assert any(f.kind == Kind.BAD_SIGNATURE for f in report.findings)


def test_the_key_may_be_given_as_its_text_or_as_a_file_holding_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = _bundle(tmp_path / "bundle", LOG)
    key_file = tmp_path / "trusted.pub"
    key_file.write_text(SIGNER.public().encode() + "\n", encoding="utf-8")

    assert main([str(bundle), "--key", str(key_file)]) == 0
    assert main([str(bundle), "--key", SIGNER.public().encode()]) == 0
    out = capsys.readouterr().out
    assert "note: using the bundle's own" not in out
    assert out.count("ok: 20 events") == 2


@pytest.mark.parametrize("given", ["", "  \n", "empty-file"])
def test_an_empty_key_is_refused_rather_than_replaced_by_the_bundles_own(
    given: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = _bundle(tmp_path / "bundle", LOG)
    if given == "empty-file":
        given = str(tmp_path / "empty.pub")
        Path(given).write_text("", encoding="utf-8")

    assert main([str(bundle), "--key", given]) == 2
    captured = capsys.readouterr()
    assert "--key is empty" in captured.err
    assert "ok:" not in captured.out and "bundle's own" not in captured.out


@pytest.mark.parametrize("given", ["not-a-key", "thidua/TEST+0000+AAAA"])
def test_a_key_that_does_not_parse_is_a_usage_error_not_a_traceback(
    given: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = _bundle(tmp_path / "bundle", LOG)

    assert main([str(bundle), "--key", given]) == 2
    assert capsys.readouterr().err.startswith("error: --key: ")


def test_a_missing_bundle_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "nowhere"), "--key", SIGNER.public().encode()]) == 2
    assert "no bundle at" in capsys.readouterr().err
