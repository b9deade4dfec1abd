"""The auditor's tools against a real nats-server: a clean history verifies, and each kind of
tampering — in an export bundle, in a copy of the stream, in the checkpoints — is detected and
named with its first sequence."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import nats
import pytest
import yaml

from thidua_contracts.canonical import canonical_bytes
from thidua_contracts.checkpoint import Checkpoint, SignerKey, VerifierKey, sign_checkpoint
from thidua_contracts.commands import AuditPublicKey, ExplainAward, RotateAuditKey
from thidua_contracts.merkle import leaf_hash
from thidua_contracts.verify import EVENTS_FILE, Kind, Report, verify_bundle, verify_log
from thidua_kit import verify as live
from thidua_kit.client import Client
from thidua_kit.clock import new_id
from thidua_kit.demo import drive
from thidua_kit.log import MSG_ID_HEADER
from thidua_kit.services import load
from thidua_kit.settings import Settings
from thidua_kit.testing import running_system

from . import helpers

pytestmark = pytest.mark.connected

EVERY = 25


@dataclass
class History:
    settings: Settings
    taken: live.Snapshot
    key: VerifierKey
    key_file: Path
    documents: list[dict[str, Any]]
    bundle: Path
    live_verify: subprocess.CompletedProcess[str]
    so_ket_closed: int
    explained: dict[str, Any]


def _isolated(nats_url: str, root: Path) -> Settings:
    tag = uuid.uuid4().hex[:10]
    return Settings(
        nats_url=nats_url,
        stream=f"T_{tag.upper()}",
        subject_prefix=f"t{tag}",
        data_dir=root / "run",
        out_dir=root / "out",
        retry_base_seconds=0.01,
        batch_timeout_seconds=0.05,
        max_attempts=3,
    )


def _env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "THIDUA_NATS_URL": settings.nats_url,
        "THIDUA_STREAM": settings.stream,
        "THIDUA_SUBJECT_PREFIX": settings.subject_prefix,
    }


def thidua(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "thidua_kit", *args],
        env=_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def _wait_for_checkpoint(client: Client, size: int) -> list[str]:
    """Poll the checkpoint stream until a checkpoint covers `size` events."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        notes = await live.checkpoint_notes(client)
        if any(note.split("\n")[1] == str(size) for note in notes):
            return notes
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no checkpoint of size {size}; have {len(notes)}")
        await asyncio.sleep(0.05)


async def _record(settings: Settings, root: Path) -> History:
    async with running_system(settings):
        result = await drive(settings)
        async with Client(settings) as client:
            last = await client.wait_until_stable(("audit",))
            await _wait_for_checkpoint(client, last)
            taken = await live.snapshot(client)
            reply = await client.query(AuditPublicKey())
            key = VerifierKey.parse(reply.result["key"])
            award_id = result["awards"][0]["award_id"]
            explained = (await client.query(ExplainAward(award_id=award_id))).result
        key_file = root / "trusted.pub"
        key_file.write_text(key.encode() + "\n", encoding="utf-8")
        # The CLI as an auditor runs it, against the live services, trusting a saved key.
        live_verify = await asyncio.to_thread(
            thidua, settings, "audit", "verify", "--key", str(key_file)
        )
        bundle = root / "bundle"
        exported = await asyncio.to_thread(
            thidua, settings, "audit", "export", str(bundle), "--key", str(key_file)
        )
        assert exported.returncode == 0, exported.stderr
    return History(
        settings,
        taken,
        key,
        key_file,
        result["documents"],
        bundle,
        live_verify,
        result["so_ket_closed"],
        explained,
    )


async def _drop(*all_settings: Settings) -> None:
    nc = await nats.connect(all_settings[0].nats_url)
    try:
        js = nc.jetstream()
        for settings in all_settings:
            for name in (settings.stream, settings.checkpoints):
                try:
                    await js.delete_stream(name)
                except Exception:  # never created
                    continue
    finally:
        await nc.close()


@pytest.fixture(scope="module")
def history(nats_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    """The Bắc Ninh demo driven once through all five services, checkpoints every 25 events."""
    root = tmp_path_factory.mktemp("audit")
    settings = _isolated(nats_url, root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("THIDUA_AUDIT_CHECKPOINT_EVERY", str(EVERY))
        patch.setenv("THIDUA_AUDIT_CHECKPOINT_SECONDS", "0")
        try:
            yield asyncio.run(_record(settings, root))
        finally:
            asyncio.run(_drop(settings))


def _sizes(notes: list[str]) -> list[int]:
    return [int(note.split("\n")[1]) for note in notes]


def test_a_clean_history_verifies_live_and_from_its_export_bundle(history: History) -> None:
    taken = history.taken
    assert history.live_verify.returncode == 0, history.live_verify.stdout
    assert history.live_verify.stdout.startswith(f"ok: {len(taken.events)} events")

    sizes = _sizes(taken.notes)
    assert sizes == sorted(sizes) and sizes[-1] == len(taken.events)
    # Every N events at the latest, and never a checkpoint for nothing new.
    assert all(0 < b - a <= EVERY for a, b in zip([0, *sizes], sizes, strict=False))
    assert taken.notes[0].startswith(f"thidua/{history.settings.stream}\n")

    report = verify_bundle(history.bundle, history.key)
    assert report.ok, report.findings
    assert report.checkpoints_verified == len(sizes)
    trusted = history.key.encode()
    offline = subprocess.run(
        [sys.executable, "-m", "thidua_contracts.verify", str(history.bundle), "--key", trusted],
        capture_output=True,
        text=True,
        check=False,
    )
    assert offline.returncode == 0, offline.stdout
    proofs = json.loads((history.bundle / "proofs.json").read_text(encoding="utf-8"))
    assert len(proofs["consistency"]) == len(sizes) - 1
    assert len(proofs["inclusion"]) >= 4  # three awards and their decision's documents


def test_the_key_lives_in_the_data_directory_for_the_owner_only(history: History) -> None:
    path = history.settings.data_dir / "audit" / "checkpoint.key"
    assert path.read_text(encoding="utf-8").startswith(
        f"PRIVATE+KEY+thidua/{history.settings.stream}+"
    )
    assert path.stat().st_mode & 0o077 == 0
    assert SignerKey.parse(path.read_text(encoding="utf-8")).public() == history.key
    shown = thidua(history.settings, "audit", "key")  # services stopped: a clear error
    assert shown.returncode == 1 and "audit" in shown.stderr


def test_inclusion_and_consistency_proofs_from_a_bundle(history: History) -> None:
    sizes = _sizes(history.taken.notes)
    key = ["--key", str(history.key_file), "--bundle", str(history.bundle)]
    proved = thidua(history.settings, "audit", "prove", "3", "--json", *key)
    assert proved.returncode == 0, proved.stderr
    assert json.loads(proved.stdout)["verified"] is True
    consistent = thidua(
        history.settings, "audit", "consistency", str(sizes[0]), str(sizes[-1]), *key
    )
    assert consistent.returncode == 0 and consistent.stdout.rstrip().endswith("verified")
    outside = thidua(history.settings, "audit", "prove", str(sizes[-1] + 1), *key)
    assert outside.returncode == 1 and "not in the latest checkpoint" in outside.stderr


def test_a_body_changed_in_an_export_bundle_is_named(history: History, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(history.bundle, bundle)
    lines = (bundle / EVENTS_FILE).read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if "nominations.AwardIssued" in line)
    assert '\\"prize_vnd\\":450000' in lines[index]
    lines[index] = lines[index].replace('\\"prize_vnd\\":450000', '\\"prize_vnd\\":4500000')
    (bundle / EVENTS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = verify_bundle(bundle, history.key)
    assert report.first is not None
    assert (report.first.kind, report.first.sequence) == (Kind.CHANGED_BODY, index + 1)
    checked = thidua(
        history.settings, "audit", "verify", "--bundle", str(bundle), "--key", str(history.key_file)
    )
    assert checked.returncode == 1
    assert f"FAILED at sequence {index + 1}: changed-body" in checked.stdout


async def _copy_stream(source: History, bodies: list[bytes]) -> Settings:
    """Another stream on the same server holding the given bodies, as a rewritten history."""
    copy = _isolated(source.settings.nats_url, source.bundle.parent / uuid.uuid4().hex[:6])
    async with Client(copy) as client:
        await client.log().provision()
        js = client.nc.jetstream()
        for index, body in enumerate(bodies):
            await js.publish(
                f"{copy.subject_prefix}.evt.copy",
                body,
                stream=copy.stream,
                headers={MSG_ID_HEADER: f"copy-{index}"},
            )
    return copy


async def _verify_copy(history: History, bodies: list[bytes], leaves: bool = True) -> Report:
    """With the leaves the audit service recorded, or else as `thidua audit verify` does on a
    server where no audit service answers: the signed notes copied beside the stream, the log
    walked in a second process as it arrives."""
    copy = await _copy_stream(history, bodies)
    try:
        async with Client(copy) as client:
            if not leaves:
                js = client.nc.jetstream()
                for note in history.taken.notes:
                    await js.publish(
                        f"{copy.subject_prefix}.checkpoint.copy",
                        note.encode(),
                        stream=copy.checkpoints,
                    )
                return await live.verify_live(client, history.key)
            read = await live.bodies(client)
        return verify_log(read, history.taken.notes, history.key, leaves=history.taken.leaves)
    finally:
        await _drop(copy)


def _bodies(history: History) -> list[bytes]:
    return [body for _, body in history.taken.events]


@pytest.mark.parametrize(
    ("tamper", "kind"),
    [
        ("change", Kind.CHANGED_BODY),
        ("remove", Kind.MISSING_SEQUENCE),
        ("swap", Kind.REORDERED),
        ("reformat", Kind.NON_CANONICAL),
    ],
)
async def test_a_rewritten_copy_of_the_stream_fails_at_its_first_bad_sequence(
    history: History, tamper: str, kind: Kind
) -> None:
    bodies = _bodies(history)
    at = len(bodies) // 2  # 0-based; sequence at + 1
    if tamper == "change":
        envelope = json.loads(bodies[at])
        envelope["occurred_at"] = envelope["occurred_at"].replace("20", "19", 1)
        bodies[at] = canonical_bytes(envelope)  # still canonical: only the signed leaf tells
    elif tamper == "remove":
        del bodies[at]
    elif tamper == "swap":
        bodies[at], bodies[at + 1] = bodies[at + 1], bodies[at]
    else:
        bodies[at] = json.dumps(json.loads(bodies[at]), ensure_ascii=False).encode()
    report = await _verify_copy(history, bodies)
    assert report.first is not None, report.summary()
    assert (report.first.kind, report.first.sequence) == (kind, at + 1), report.summary()


async def test_without_the_recorded_leaves_the_signed_roots_still_name_the_interval(
    history: History,
) -> None:
    bodies = _bodies(history)
    envelopes = [json.loads(b) for b in bodies]
    # An event that the next one, a decision, names as its cause.
    at = next(
        i
        for i in range(len(bodies) // 3, len(bodies) - 1)
        if envelopes[i + 1]["actor"] is None
        and envelopes[i + 1]["causation_id"] == envelopes[i]["event_id"]
    )
    del bodies[at]
    report = await _verify_copy(history, bodies, leaves=False)
    (interval,) = [f for f in report.findings if f.kind == Kind.ROOT_MISMATCH]
    assert interval.sequence is not None and interval.last is not None
    assert interval.sequence <= at + 1 <= interval.last
    # What follows the gap shows it too: the next event's cause is no longer in the log.
    assert report.first is not None
    assert (report.first.kind, report.first.sequence) == (Kind.DANGLING_CAUSE, at + 1)


async def test_a_checkpoint_resigned_with_another_key_is_refused(history: History) -> None:
    notes = list(history.taken.notes)
    latest = Checkpoint.parse(notes[-1].split("\n\n")[0] + "\n")
    forger = SignerKey.generate(latest.origin)
    forged = sign_checkpoint(latest, forger)
    report = verify_log(history.taken.events, [*notes[:-1], forged], history.key)
    assert [f.kind for f in report.findings] == [Kind.BAD_SIGNATURE]
    assert f"size {latest.size}" in report.findings[0].detail

    # Published into the real checkpoint stream, the live check finds it too.
    async with Client(history.settings) as client:
        await client.nc.jetstream().publish(
            f"{history.settings.subject_prefix}.checkpoint.forged",
            forged.encode(),
            stream=history.settings.checkpoints,
        )
    checked = await asyncio.to_thread(
        thidua, history.settings, "audit", "verify", "--key", str(history.key_file)
    )
    assert checked.returncode == 1
    assert "bad-signature" in checked.stdout and "no signature by" in checked.stdout


def test_a_generated_document_is_checked_against_its_registration(
    history: History, tmp_path: Path
) -> None:
    (decision,) = [d for d in history.documents if d["doc_type"] == "quyet-dinh"]
    path = Path(decision["path"])
    key = ("--bundle", str(history.bundle))
    ok = thidua(history.settings, "audit", "verify-document", str(path), *key)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith(f"ok: {path.name} is quyet-dinh")

    altered = tmp_path / path.name
    altered.write_bytes(path.read_bytes() + b"\0")
    bad = thidua(history.settings, "audit", "verify-document", str(altered), *key)
    assert bad.returncode == 1
    assert "NOT REGISTERED" in bad.stdout and "changed after it was generated" in bad.stdout


def test_every_recorded_decision_derives_again_byte_for_byte(history: History) -> None:
    computed = [b for _, b in history.taken.events if json.loads(b)["actor"] is None]
    checked = thidua(history.settings, "audit", "rederive", "--bundle", str(history.bundle))
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.startswith(f"ok: {len(computed)} recorded decisions derived again")


async def test_a_forged_award_appended_by_another_client_is_found_by_rederive(
    history: History,
) -> None:
    bodies = _bodies(history)
    award = json.loads(next(b for b in bodies if b"nominations.AwardIssued" in b))
    award["event_id"] = new_id()  # anyone can append; only the rules decide what follows
    award["payload"]["recipient_name"] = "Người Không Được Xét"
    award["payload"]["award_id"] = new_id()
    copy = await _copy_stream(history, [*bodies, canonical_bytes(award)])
    try:
        async with Client(copy) as client:
            read = await live.bodies(client)
    finally:
        await _drop(copy)
    # The tree cannot object: the forgery came after the last checkpoint and copies its
    # neighbours' claims faithfully. Making the decisions again shows nothing leads to it.
    assert verify_log(read, history.taken.notes, history.key).ok
    _, findings = await live.rederive(read, history.settings)
    assert [(f.kind, f.sequence, f.service) for f in findings] == [
        ("not-derived", len(read), "nominations")
    ]


async def test_a_rule_pack_edited_after_the_fact_is_found_by_rederive(history: History) -> None:
    nominations = load("nominations", history.settings)
    packs = dict(nominations.extra["rule_packs"])
    _pack, ref = packs["vn-2017"]
    # The file edited in place, same id and version: the Giấy khen's multiplier for a person
    # raised from 0.3 to 0.5 of the base salary.
    text = files("thidua_nominations").joinpath("rules", "vn-2017.yaml").read_bytes()
    line = 'multiplier: {ca_nhan: "0.3", tap_the: "0.6"}    # NĐ91 Điều 73 (cấp huyện)'.encode()
    assert text.count(line) == 1
    edited = text.replace(line, line.replace(b'"0.3"', b'"0.5"'))
    pack = type(_pack).model_validate(yaml.safe_load(edited))
    packs["vn-2017"] = (
        pack,
        ref.model_copy(update={"sha256": hashlib.sha256(edited).hexdigest()}),
    )
    nominations.extra = {**nominations.extra, "rule_packs": packs}
    events = history.taken.events
    _, findings = await live.rederive(events, history.settings, {"nominations": nominations})
    first_use = next(
        seq for seq, b in events if json.loads(b)["type"] == "nominations.EligibilityAssessed"
    )
    assert findings[0].sequence == first_use and findings[0].kind == "differs"
    assert "rules.sha256" in findings[0].detail
    judged_by_the_pack = [
        seq for seq, b in events if json.loads(b).get("rules", {}) == ref.model_dump(mode="json")
    ]
    # Every decision made under the pack is named, each with both versions.
    assert [f.sequence for f in findings] == judged_by_the_pack
    assert all(f.recorded and f.derived and f.recorded != f.derived for f in findings)
    (person,) = [
        f
        for f in findings
        if json.loads(f.recorded or "{}")["type"] == "nominations.AwardIssued"
        and json.loads(f.recorded or "{}")["payload"]["recipient_kind"] == "ca_nhan"
        and json.loads(f.recorded or "{}")["payload"]["recipient_id"] == "nguyen-thi-huong"
    ]
    assert "payload.prize_vnd: recorded 450000, derived again 750000" in person.detail
    assert json.loads(person.derived or "{}")["payload"]["multiplier"] == "0.5"


async def test_a_decision_forged_into_a_copy_of_the_stream_is_named_by_the_cli(
    history: History,
) -> None:
    bodies = _bodies(history)
    seq, sheet = next(
        (i + 1, json.loads(b))
        for i, b in enumerate(bodies)
        if b"scoring.ScoreSheetRecorded" in b and b"phuong-suoi-hoa.tong-ket" in b
    )
    # Someone with write access raises a sheet's total in place of the recorded one.
    sheet["payload"]["total"] = "99.00"
    bodies[seq - 1] = canonical_bytes(sheet)
    copy = await _copy_stream(history, bodies)
    try:
        checked = await asyncio.to_thread(thidua, copy, "audit", "rederive", "--json")
    finally:
        await _drop(copy)
    assert checked.returncode == 1
    finding, *after = json.loads(checked.stdout)["disagreements"]
    assert (finding["sequence"], finding["kind"], finding["service"]) == (seq, "differs", "scoring")
    assert finding["recorded"]["payload"]["total"] == "99.00"
    assert finding["derived"]["payload"]["total"] != "99.00"
    # Whatever read the forged sheet (the block's ranking, then the papers built on it) was
    # decided on other figures; nothing before the forgery is touched.
    ranking = [f for f in after if f["recorded"]["type"] == "scoring.BlockRanked"]
    assert ranking and seq in [i["sequence"] for i in ranking[0]["derived"]["inputs"]], after
    assert all(f["sequence"] > seq for f in after), after


async def test_the_audit_service_resumes_its_tree_after_a_restart(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THIDUA_AUDIT_CHECKPOINT_EVERY", "3")
    monkeypatch.setenv("THIDUA_AUDIT_CHECKPOINT_SECONDS", "3600")
    services = ("submissions", "audit")
    async with running_system(settings, services), Client(settings) as client:
        for command in (helpers.define(), helpers.register("phuong-vu-ninh")):
            reply = await client.command(command)
            assert reply.status == "accepted", reply.error
        first = await client.wait_until_stable(services)
    async with running_system(settings, services), Client(settings) as client:
        for unit in ("phuong-kinh-bac", "phuong-dai-phuc", "phuong-suoi-hoa"):
            reply = await client.command(helpers.register(unit))
            assert reply.status == "accepted", reply.error
        last = await client.wait_until_stable(services)
        leaves = await live.recorded_leaves(client)
        notes = await live.checkpoint_notes(client)
        key = await live.service_key(client)
        events = await live.bodies(client)
        # Republishing a checkpoint is a duplicate: the message id is "<origin>/<size>".
        size = int(notes[-1].split("\n")[1])
        ack = await client.nc.jetstream().publish(
            f"{settings.subject_prefix}.checkpoint.x",
            notes[-1].encode(),
            stream=settings.checkpoints,
            headers={MSG_ID_HEADER: f"thidua/{settings.stream}/{size}"},
        )
    assert first < last
    assert leaves == [leaf_hash(body) for _, body in events]
    assert ack.duplicate
    sizes = _sizes(notes)
    assert sizes == sorted(set(sizes))
    assert all(0 < b - a <= 3 for a, b in zip([0, *sizes], sizes, strict=False))
    report = verify_log(events, notes, key, leaves=leaves)
    assert report.ok and report.latest is not None and report.latest.size == sizes[-1]


def _rankings(replayed: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (a["params"]["block_id"], a["params"]["round"]): a["answer"]
        for a in replayed["services"].get("scoring", {}).get("ranking", [])
    }


def test_replay_as_of_the_so_ket_deadline_shows_the_july_ranking(
    history: History, tmp_path: Path
) -> None:
    events = history.taken.events
    closed = history.so_ket_closed
    envelopes = {seq: json.loads(body) for seq, body in events}
    assert envelopes[closed]["type"] == "submissions.RoundClosed"
    assert envelopes[closed]["payload"]["round"] == "so-ket"
    recorded = next(
        e
        for e in envelopes.values()
        if e["type"] == "scoring.BlockRanked" and e["subject"].endswith("khoi-phuong.so-ket")
    )
    later = [e["type"] for seq, e in envelopes.items() if seq > closed]
    assert "nominations.AwardIssued" in later and "scoring.BlockRanked" in later  # December

    kept = tmp_path / "state"
    by_sequence = thidua(
        history.settings,
        "audit",
        "replay",
        "--as-of",
        str(closed),
        "--bundle",
        str(history.bundle),
        "--keep",
        str(kept),
        "--json",
    )
    assert by_sequence.returncode == 0, by_sequence.stderr
    then = json.loads(by_sequence.stdout)
    assert then["sequence"] == closed and not then["failed"]
    rankings = _rankings(then)
    # The July ranking, as recorded when the round closed; no tổng kết ranking existed yet.
    assert set(rankings) == {("khoi-phuong", "so-ket"), ("khoi-phong-ban", "so-ket")}
    assert rankings["khoi-phuong", "so-ket"]["rows"] == recorded["payload"]["rows"]
    assert [r["unit_id"] for r in recorded["payload"]["rows"]][:3] == [
        "phuong-vu-ninh",
        "phuong-kinh-bac",
        "phuong-dai-phuc",
    ]
    assert "awards" not in then["services"]["nominations"]
    (progress,) = then["services"]["reporting"]["progress"]
    so_ket = next(r for r in progress["answer"]["rounds"] if r["round"] == "so-ket")
    # Suối Hoa's late report came after the deadline: then it was simply missing.
    assert (so_ket["submitted"], so_ket["late"]) == (3, 0)
    assert {p.name for p in kept.iterdir()} >= {"scoring.db", "reporting.db", "nominations.db"}

    # The same moment by time, from the live stream: the close's own time, in Vietnam's zone.
    moment = envelopes[closed]["occurred_at"]
    by_time = thidua(history.settings, "audit", "replay", "--as-of", moment[:23])
    assert by_time.returncode == 0, by_time.stderr
    assert f"state as of {moment[:19]}+07:00" in by_time.stdout
    assert "ranking khoi-phuong so-ket" in by_time.stdout
    assert "tong-ket" not in by_time.stdout

    # Now: December's ranking and the awards are there.
    now = json.loads(
        thidua(
            history.settings,
            "audit",
            "replay",
            "--as-of",
            str(len(events)),
            "--bundle",
            str(history.bundle),
            "--json",
        ).stdout
    )
    assert ("khoi-phuong", "tong-ket") in _rankings(now)
    # The three awards of the city's decision and the province's Bằng khen.
    assert len(now["services"]["nominations"]["awards"][0]["answer"]) == 4

    before = thidua(history.settings, "audit", "replay", "--as-of", "31/7/2022", "--json")
    assert json.loads(before.stdout)["sequence"] == 0  # nothing had been recorded by then
    wrong = thidua(history.settings, "audit", "replay", "--as-of", "hôm qua")
    assert wrong.returncode == 1 and "not a sequence, a date or a date-time" in wrong.stderr


async def test_a_key_rotation_recorded_in_the_log_is_followed_from_either_key(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THIDUA_AUDIT_CHECKPOINT_EVERY", "2")
    monkeypatch.setenv("THIDUA_AUDIT_CHECKPOINT_SECONDS", "0")
    services = ("submissions", "audit")
    async with running_system(settings, services), Client(settings) as client:
        for command in (helpers.define(), helpers.register("phuong-vu-ninh")):
            assert (await client.command(command)).status == "accepted"
        await client.wait_until_stable(services)
        first = await live.service_key(client)

        clerk = RotateAuditKey(
            command_id=new_id(),
            actor=helpers.clerk("phuong-vu-ninh"),
            movement_id="log",
        )
        refused = await client.command(clerk)
        assert refused.status == "rejected" and refused.error is not None
        assert refused.error.code.value == "forbidden"
        rotated = await asyncio.to_thread(
            thidua, settings, "audit", "rotate-key", "--reason", "Định kỳ thay khóa"
        )
        assert rotated.returncode == 0, rotated.stderr
        assert "audit.SigningKeyRotated" in rotated.stdout
        await client.wait_until_stable(services)
        for unit in ("phuong-kinh-bac", "phuong-dai-phuc", "phuong-suoi-hoa"):
            assert (await client.command(helpers.register(unit))).status == "accepted"
        last = await client.wait_until_stable(services)
        notes = await live.wait_for_checkpoint(client, last)
        events = await live.bodies(client)
        answer = (await client.query(AuditPublicKey())).result

    (at,) = [seq for seq, body in events if b"audit.SigningKeyRotated" in body]
    second = VerifierKey.parse(answer["key"])
    assert answer["first_key"] == first.encode() and second != first
    assert second.name == first.name  # one origin, two keys
    sizes = _sizes(notes)
    assert any(s < at for s in sizes) and any(s >= at for s in sizes)
    for note in notes:  # each checkpoint signed by the key in force for its size, only
        size = int(note.split("\n")[1])
        signer, other = (first, second) if size < at else (second, first)
        assert verify_log([], [note], signer).checkpoints_verified == 1
        assert verify_log([], [note], other).checkpoints_verified == 0

    # Trusting the first key, or the second, the whole history verifies.
    for trusted in (first, second):
        report = verify_log(events, notes, trusted)
        assert report.ok, report.summary()
        assert report.checkpoints_verified == len(notes)
    key_file = settings.data_dir / "first.pub"
    key_file.write_text(first.encode(), encoding="utf-8")
    checked = await asyncio.to_thread(thidua, settings, "audit", "verify", "--key", str(key_file))
    assert checked.returncode == 0, checked.stdout
    bundle = settings.data_dir / "bundle"
    exported = await asyncio.to_thread(
        thidua, settings, "audit", "export", str(bundle), "--key", str(key_file)
    )
    assert exported.returncode == 0, exported.stderr
    assert verify_bundle(bundle, first).ok and verify_bundle(bundle, second).ok

    # After the rotation the old key is no longer good, and a key never announced never was.
    latest = Checkpoint.parse(notes[-1].split("\n\n")[0] + "\n")
    old_seed = SignerKey.parse(
        (settings.data_dir / "audit" / "checkpoint.key").read_text(encoding="utf-8")
    )
    stranger = SignerKey.generate(first.name)
    for signer in (old_seed, stranger):
        report = verify_log(events, [*notes[:-1], sign_checkpoint(latest, signer)], first)
        assert [f.kind for f in report.findings] == [Kind.BAD_SIGNATURE], report.summary()

    # A rotation that the key in force did not sign is named and not followed.
    forged = json.loads(events[at - 1][1])
    forged["event_id"] = new_id()
    forged["payload"]["old_key"] = stranger.public().encode()
    forged["payload"]["new_key"] = SignerKey.generate(first.name).public().encode()
    report = verify_log([*events, (len(events) + 1, canonical_bytes(forged))], notes, first)
    assert [(f.kind, f.sequence) for f in report.findings] == [(Kind.BAD_ROTATION, len(events) + 1)]


def test_an_award_is_explained_offline_from_the_bundle_as_text_json_and_docx(
    history: History, tmp_path: Path
) -> None:
    live_answer = history.explained
    award_id = live_answer["award"]["award_id"]
    key = ("--bundle", str(history.bundle))
    as_json = thidua(history.settings, "audit", "explain", award_id, "--json", *key)
    assert as_json.returncode == 0, as_json.stderr
    offline = json.loads(as_json.stdout)
    assert offline == live_answer  # the bundle alone gives what the audit service answers
    types = [step["type"] for step in offline["steps"]]
    assert types[0] == "submissions.MovementDefined" and types[-1] == "nominations.AwardIssued"
    assert "submissions.ReportSubmitted" in types and "nominations.BallotOutcomeDecided" in types
    assert {d["doc_type"] for d in offline["documents"]} == {"quyet-dinh", "giay-khen"}
    assert offline["after"] == []  # never revoked

    target = tmp_path / "giai-trinh.docx"
    as_text = thidua(history.settings, "audit", "explain", award_id, "--docx", str(target), *key)
    assert as_text.returncode == 0, as_text.stderr
    assert "nominations.AwardIssued" in as_text.stdout
    assert f"Quyết định số {offline['award']['decision_number']}" in as_text.stdout
    from docx import Document

    document = Document(str(target))
    (table,) = document.tables
    assert len(table.rows) == 1 + len(offline["steps"])
    assert table.rows[-1].cells[2].text == "nominations.AwardIssued"
    assert offline["award"]["recipient_name"] in document.paragraphs[1].text

    unknown = thidua(history.settings, "audit", "explain", new_id(), *key)
    assert unknown.returncode == 1 and "no award" in unknown.stderr


async def test_a_quiet_log_is_signed_by_the_clock_without_waiting_for_more_events(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THIDUA_AUDIT_CHECKPOINT_EVERY", "1000")
    monkeypatch.setenv("THIDUA_AUDIT_CHECKPOINT_SECONDS", "0.5")
    services = ("submissions", "audit")
    async with running_system(settings, services), Client(settings) as client:
        for command in (
            helpers.define(),
            helpers.register("phuong-vu-ninh"),
            helpers.register("phuong-kinh-bac"),
        ):
            assert (await client.command(command)).status == "accepted"
        last = await client.wait_until_stable(services)
        notes = await live.wait_for_checkpoint(client, last, patience=30)
        key = await live.service_key(client)
        events = await live.bodies(client)
    assert _sizes(notes)[-1] == last  # N = 1000 was never reached: the clock signed it
    assert verify_log(events, notes, key).ok
