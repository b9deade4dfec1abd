"""The log walked in a second process: the same report as the walk in this one, and a failure
of that process told, never waited on."""

from __future__ import annotations

import pytest

from thidua_contracts.canonical import canonical_bytes
from thidua_contracts.checkpoint import Checkpoint, SignerKey, sign_checkpoint
from thidua_contracts.merkle import CompactTree, leaf_hash
from thidua_contracts.verify import Kind, note_sizes, verify_log
from thidua_kit.walker import Walker, WalkerError

ORIGIN = "thidua/TEST"
SIGNER = SignerKey.generate(ORIGIN)


def _body(i: int, text: str = "việc") -> bytes:
    return canonical_bytes(
        {
            "event_id": f"id-{i}",
            "type": "submissions.Happened",
            "subject": "t.evt.submissions.thing",
            "actor": {"id": "van-thu"},
            "causation_id": None,
            "inputs": [],
            "rules": None,
            "payload": {"n": i, "text": f"{text} {i}"},
        }
    )


LOG = [(i + 1, _body(i)) for i in range(2500)]


def _notes(every: int = 700) -> list[str]:
    tree, notes = CompactTree(), []
    for _, body in LOG:
        tree.append(leaf_hash(body))
        if tree.size % every == 0 or tree.size == len(LOG):
            notes.append(sign_checkpoint(Checkpoint(ORIGIN, tree.size, tree.root()), SIGNER))
    return notes


NOTES = _notes()


async def test_the_walk_in_another_process_reports_what_the_walk_here_does() -> None:
    changed = list(LOG)
    changed[1800] = (1801, _body(1800, "đã sửa"))
    leaves = [leaf_hash(body) for _, body in LOG]
    async with Walker(note_sizes(NOTES)) as walker:
        for start in range(0, len(changed), 1000):  # batches as they arrive
            await walker.add(changed[start : start + 1000])
        coarse = await walker.report(NOTES, SIGNER.public())
        exact = await walker.report(NOTES, SIGNER.public(), leaves=leaves)
    here = verify_log(changed, NOTES, SIGNER.public(), leaves=leaves)
    assert coarse.first is not None
    assert (coarse.first.kind, coarse.first.sequence) == (Kind.ROOT_MISMATCH, 1401)
    assert [f.line() for f in exact.findings] == [f.line() for f in here.findings]
    assert exact.first is not None
    assert (exact.first.kind, exact.first.sequence) == (Kind.CHANGED_BODY, 1801)
    assert (exact.size, exact.checkpoints_verified) == (2500, 4)


async def test_a_walk_that_fails_says_why_when_asked_for_its_report() -> None:
    async with Walker({5}) as walker:
        await walker.add([(1, LOG[0][1]), ("two", LOG[1][1])])  # type: ignore[list-item]
        await walker.add(LOG[2:5])
        with pytest.raises(WalkerError, match="TypeError"):
            await walker.report(NOTES, SIGNER.public())


async def test_a_walking_process_that_is_gone_is_told_not_waited_on() -> None:
    async with Walker({5}) as walker:
        await walker.add(LOG[:5])
        process = walker._running()
        process.kill()
        await process.wait()
        with pytest.raises(WalkerError, match="stopped"):
            for _ in range(3):  # the first write may still fit in the pipe
                await walker.add(LOG)
            await walker.report(NOTES, SIGNER.public())
