"""Block ballots (suy tôn) and cross-scoring (chấm chéo)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua_contracts.commands import RecordBlockBallot
from thidua_contracts.envelope import Actor, Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import CriterionPoints, CrossScoresRecorded
from thidua_contracts.movement import RoundKind, ScoringRules
from thidua_kit.demo import load_definition
from thidua_scoring.domain import block_ballot, cross_scoring

DEFINITION = load_definition()
NAMES = {u.unit_id: u.name for u in DEFINITION.units}
HEAD = Actor(id="vu-ninh-ct", role=Role.BLOCK_HEAD, unit="phuong-vu-ninh")  # heads the wards


def ballot(actor: Actor = HEAD, members: int = 19, **votes: int) -> RecordBlockBallot:
    fields: dict[str, Any] = {
        "command_id": str(uuid.uuid4()),
        "actor": actor,
        "movement_id": "bn-2022",
        "block_id": "khoi-phuong",
        "round": "tong-ket",
        "meeting_on": date(2022, 12, 17),
        "members_total": members,
        "issued": 19,
        "returned": 19,
        "valid": 18,
        "votes": [{"unit_id": u.replace("_", "-"), "yes": y} for u, y in votes.items()],
    }
    return RecordBlockBallot.model_validate(fields)


def test_a_unit_is_honoured_by_more_than_half_of_all_member_units() -> None:
    tally = block_ballot.decide_ballot(ballot(phuong_dai_phuc=10, phuong_vu_ninh=8), DEFINITION)
    honoured = block_ballot.decide_honour(tally, DEFINITION.scoring_rules, NAMES)
    assert honoured.leader_unit_id == "phuong-dai-phuc"  # 10/19 > 1/2
    short = block_ballot.decide_honour(
        block_ballot.decide_ballot(ballot(phuong_dai_phuc=9), DEFINITION), ScoringRules(), NAMES
    )
    assert short.leader_unit_id is None  # 9/19 is not more than half
    two_thirds = ScoringRules(leader_ballot_threshold="2/3", leader_ballot_strict=False)
    assert block_ballot.decide_honour(tally, two_thirds, NAMES).leader_unit_id is None  # < 2/3


def test_the_reason_names_the_honoured_unit_by_its_name() -> None:
    tally = block_ballot.decide_ballot(ballot(phuong_dai_phuc=14, phuong_vu_ninh=3), DEFINITION)

    honoured = block_ballot.decide_honour(tally, DEFINITION.scoring_rules, NAMES)

    name = NAMES["phuong-dai-phuc"]
    assert honoured.reason_vi == f"Suy tôn dẫn đầu: {name} với 14/19 phiếu (> 1/2)"
    assert "phuong-dai-phuc" not in honoured.reason_vi + honoured.reason_en


def test_a_tie_at_the_top_is_no_leader() -> None:
    tally = block_ballot.decide_ballot(ballot(phuong_dai_phuc=10, phuong_vu_ninh=10), DEFINITION)
    honoured = block_ballot.decide_honour(tally, DEFINITION.scoring_rules, NAMES)
    assert honoured.leader_unit_id is None and "tie" in honoured.reason_en


@pytest.mark.parametrize(
    ("command", "code", "field"),
    [
        (
            lambda: ballot(members=18, phuong_dai_phuc=10),
            ErrorCode.INCONSISTENT_TALLY,
            "members_total",
        ),
        (lambda: ballot(phuong_dai_phuc=19), ErrorCode.INCONSISTENT_TALLY, "votes.0.yes"),
        (lambda: ballot(phong_noi_vu=10), ErrorCode.UNKNOWN_UNIT, "votes.0.unit_id"),
        (
            lambda: ballot(
                Actor(id="x", role=Role.BLOCK_HEAD, unit="phuong-kinh-bac"), phuong_dai_phuc=10
            ),
            ErrorCode.FORBIDDEN,
            "actor",
        ),
    ],
)
def test_bad_ballots_are_rejected(command: Any, code: ErrorCode, field: str) -> None:
    with pytest.raises(Rejected) as caught:
        block_ballot.decide_ballot(command(), DEFINITION)
    assert (caught.value.code, caught.value.field) == (code, field)


def cross(scorer: str, points: str) -> CrossScoresRecorded:
    return CrossScoresRecorded(
        unit_id="phuong-vu-ninh",
        round=RoundKind.TONG_KET,
        scorer_unit_id=scorer,
        scores=[CriterionPoints(criterion_code="nhiem-vu-chinh-tri", points=points)],
    )


def test_cross_scores_drop_the_highest_and_lowest_then_average() -> None:
    records = [cross("a", "60"), cross("b", "50"), cross("c", "52"), cross("d", "20")]
    (change,) = cross_scoring.agreed(records)
    assert change.points == "51.00" and "bỏ điểm cao nhất và thấp nhất" in change.reason
    (two,) = cross_scoring.agreed(records[:2])
    assert two.points == "55.00"


@given(st.lists(st.integers(0, 6000), min_size=3, max_size=12))
def test_the_trimmed_mean_stays_between_the_lowest_and_highest(values: list[int]) -> None:
    scores = [Decimal(v) / 100 for v in values]
    mean = cross_scoring.trimmed_mean(scores)
    assert min(scores) <= mean <= max(scores)
