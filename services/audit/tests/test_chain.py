"""The causal chain of an award over a log in memory, as `explain --bundle` reads it (pure)."""

from __future__ import annotations

from typing import Any

from thidua_audit.domain.chain import explain_log
from thidua_contracts.envelope import Envelope

AWARD = "9a8b7c6d-5e4f-5a3b-8c2d-1e0f9a8b7c6d"
OTHER = "9a8b7c6d-5e4f-5a3b-8c2d-1e0f9a8b7c6e"


def _id(n: int) -> str:
    return f"00000000-0000-7000-8000-{n:012d}"


def _event(n: int, kind: str, payload: dict[str, Any], **extra: Any) -> tuple[int, Envelope]:
    context = kind.partition(".")[0]
    human = extra.pop("human", False)
    return n, Envelope.model_validate(
        {
            "event_id": _id(n),
            "type": kind,
            "version": 1,
            "subject": f"thidua.evt.{context}.x.bn-2022",
            "movement_id": "bn-2022",
            "occurred_at": "2023-01-05T09:00:00+07:00",
            "actor": {"id": "van-phong-ubnd", "role": "chairman_office"} if human else None,
            "causation_id": extra.get("cause"),
            "correlation_id": _id(n),
            "inputs": [{"event_id": _id(i), "sequence": i} for i in extra.get("reads", [])],
            "rules": None,
            "payload": payload,
        }
    )


def test_the_chain_runs_from_the_first_act_to_the_award_and_on_to_its_revocation() -> None:
    log = [
        _event(1, "submissions.AwardProposed", {"proposal_id": _id(1)}, human=True),
        _event(2, "submissions.UnitRegistered", {"unit_id": "phuong-vu-ninh"}, human=True),
        _event(3, "nominations.DecisionSigned", {"number": "01/QĐ-UBND"}, human=True),
        _event(4, "nominations.AwardIssued", {"award_id": AWARD}, cause=_id(3), reads=[3, 1]),
        _event(5, "nominations.AwardIssued", {"award_id": OTHER}, cause=_id(3), reads=[3]),
        _event(
            6,
            "reporting.DocumentRegistered",
            {"file_name": "qd.docx", "source_event_ids": [_id(4), _id(5)]},
            cause=_id(4),
        ),
        _event(7, "nominations.AwardRevoked", {"award_id": AWARD}, human=True),
        _event(8, "nominations.AwardRevoked", {"award_id": OTHER}, human=True),
    ]
    result = explain_log(AWARD, log)
    assert result is not None
    assert [s["sequence"] for s in result["steps"]] == [1, 3, 4]  # not 2: nothing read it
    assert result["steps"][-1]["caused_by"] == {"event_id": _id(3), "sequence": 3}
    assert [d["sequence"] for d in result["documents"]] == [6]
    assert [(a["sequence"], a["type"]) for a in result["after"]] == [
        (7, "nominations.AwardRevoked")
    ]
    assert explain_log(_id(99), log) is None
