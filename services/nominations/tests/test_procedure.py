"""Quotas after the ballot, dossier completeness, public notice, council sessions, the award fund
and notifications — deciders as given/when/then, outcomes worked out from DOMAIN.md by hand."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from thidua_contracts.commands import (
    CloseSession,
    NotifyResult,
    OpenSession,
    PostNotice,
    RecordObjection,
    RecordTally,
    ResolveObjection,
)
from thidua_contracts.envelope import Actor, Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import (
    BallotOutcomeDecided,
    Check,
    CouncilMember,
    DossierItem,
    EligibilityAssessed,
)
from thidua_contracts.workdays import WorkCalendar
from thidua_kit.calendar import state_calendar
from thidua_nominations.adapters.rule_packs import load
from thidua_nominations.domain import council, dossier, fund, notice, notify, quota
from thidua_nominations.domain.nomination import NominationState
from thidua_nominations.domain.rule_pack import Quota

PACK, _ = load("vn-2017")
CAL: WorkCalendar = state_calendar(range(2022, 2024))
NV = Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU)
TK = Actor(id="thu-ky", role=Role.COUNCIL_SECRETARY)
M = "bn-2022"


def pid(n: int) -> str:
    return str(uuid.UUID(int=n, version=4))


def rejected(call: Callable[[], Any]) -> Rejected:
    with pytest.raises(Rejected) as info:
        call()
    return info.value


# --- quotas ------------------------------------------------------------------------------


def _quota(code: str) -> Quota:
    found = PACK.awards[code].quota
    assert found is not None
    return found


CSTDCS_QUOTA = _quota("CSTDCS")
VU_NINH = "Ủy ban nhân dân phường Vũ Ninh"


def test_the_cstdcs_quota_is_15_percent_of_the_unit_s_ldtt_rounded_down() -> None:
    # NĐ91 Điều 9 k3: at most 15 % of those holding LĐTT; floor is the local rounding.
    assert CSTDCS_QUOTA.size(14) == 2  # 2.1 → 2
    assert CSTDCS_QUOTA.size(13) == 1  # 1.95 → 1
    assert CSTDCS_QUOTA.size(6) == 0  # 0.9 → 0: too small a unit for a CSTĐCS
    ceil = CSTDCS_QUOTA.model_copy(update={"rounding": "ceil", "minimum": 1})
    assert (ceil.size(14), ceil.size(6), ceil.size(0)) == (3, 1, 1)


def test_beyond_the_quota_a_nominee_is_excluded_with_rank_and_quota() -> None:
    passed = [
        quota.Passed(pid(1), "phuong-vu-ninh", 9, False, VU_NINH),
        quota.Passed(pid(2), "phuong-vu-ninh", 8, False, VU_NINH),
        quota.Passed(pid(3), "phuong-vu-ninh", 7, True, VU_NINH),
    ]
    out = quota.apply(
        passed, CSTDCS_QUOTA, {"phuong-vu-ninh": 14}, "CSTDCS", "hd", date(2022, 12, 20)
    )
    assert [(e.proposal_id, e.reason_code, e.rank, e.quota) for e in out] == [
        (pid(3), "quota_exceeded", 3, 2)
    ]
    # Read by people: the unit by its name, the share and rounding in words, no code or English.
    assert out[0].detail_vi == (
        f"Xếp thứ 3/3 (7 phiếu, ưu tiên nữ) tại {VU_NINH}, ngoài số lượng được khen là 2 "
        f"(15% của 14, làm tròn xuống) theo {CSTDCS_QUOTA.reference}"
    )
    assert out[0].detail_en.startswith(f"Ranked 3 of 3 (7 votes, women's priority) in {VU_NINH}")
    assert "beyond the quota of 2 (15% of 14, rounded down)" in out[0].detail_en


@pytest.mark.parametrize(
    ("ratio", "minimum", "said"),
    [
        ("1/3", 0, "(33,33% của 14, làm tròn xuống)"),
        ("1/10", 2, "(10% của 14, làm tròn xuống, tối thiểu 2)"),
    ],
)
def test_a_quota_says_its_share_as_a_percentage(ratio: str, minimum: int, said: str) -> None:
    rule = CSTDCS_QUOTA.model_copy(update={"ratio": ratio, "minimum": minimum})
    passed = [quota.Passed(pid(n), "u", 10 - n, False, VU_NINH) for n in range(1, 8)]
    out = quota.apply(passed, rule, {"u": 14}, "CSTDCS", "hd", date(2022, 12, 20))
    assert out and all(said in e.detail_vi for e in out)


def test_a_movement_wide_quota_names_no_group() -> None:
    flag = PACK.awards["CO_CHINH_PHU"].quota
    assert flag is not None and flag.per == "movement"
    passed = [quota.Passed(pid(i), "bn-2022", 9 - i, False, "Phong trào") for i in range(1, 3)]

    out = quota.apply(passed, flag, {"bn-2022": 5}, "CO_CHINH_PHU", "hd", date(2022, 12, 20))

    assert out and all("trong toàn phong trào" in e.detail_vi for e in out)
    assert all("bn-2022" not in e.detail_vi and "Phong trào" not in e.detail_vi for e in out)


def test_on_equal_votes_a_woman_comes_first() -> None:
    # NĐ91 / NĐ152 Điều 4 k6: female individuals (or collectives ≥ 70 % women) first.
    passed = [
        quota.Passed(pid(1), "u", 9, False, "u"),
        quota.Passed(pid(2), "u", 8, False, "u"),  # a man
        quota.Passed(pid(3), "u", 8, True, "u"),  # a woman, same votes
    ]
    out = quota.apply(passed, CSTDCS_QUOTA, {"u": 14}, "CSTDCS", "hd", date(2022, 12, 20))
    assert [(e.proposal_id, e.rank) for e in out] == [(pid(2), 3)]


def test_a_true_tie_at_the_edge_is_held_for_a_new_ballot() -> None:
    passed = [
        quota.Passed(pid(1), "u", 9, False, "u"),
        quota.Passed(pid(2), "u", 8, True, "u"),
        quota.Passed(pid(3), "u", 8, True, "u"),
    ]
    out = quota.apply(passed, CSTDCS_QUOTA, {"u": 14}, "CSTDCS", "hd", date(2022, 12, 20))
    assert sorted((e.proposal_id, e.reason_code, e.rank) for e in out) == [
        (pid(2), "quota_tie", 2),
        (pid(3), "quota_tie", 2),
    ]
    assert out[0].detail_vi.startswith("Đồng hạng 2/3 (8 phiếu, ưu tiên nữ) tại u ở ngưỡng")
    assert out[0].detail_vi.endswith(f"theo {CSTDCS_QUOTA.reference}; Hội đồng bỏ phiếu lại")


def test_one_flag_per_block_and_collectives_with_70_percent_women_first() -> None:
    flag = PACK.awards["CO_UBND_TINH"].quota
    assert flag is not None and flag.size(0) == 1
    assert quota.has_priority(None, 7, 10, "7/10") and not quota.has_priority(None, 6, 10, "7/10")
    assert quota.has_priority("nu", None, None, "7/10")
    passed = [
        quota.Passed(pid(1), "khoi-phuong", 12, False, "khoi-phuong"),
        quota.Passed(pid(2), "khoi-phuong", 12, True, "khoi-phuong"),
        quota.Passed(pid(3), "khoi-phong", 10, False, "khoi-phong"),
    ]
    out = quota.apply(passed, flag, {}, "CO_UBND_TINH", "hd", date(2022, 12, 20))
    assert [(e.proposal_id, e.group) for e in out] == [(pid(1), "khoi-phuong")]


def test_quota_values_come_from_the_pack_not_the_code() -> None:
    local = Quota(per="unit", ratio="1/10", of="ldtt_titles", reference="local")
    passed = [quota.Passed(pid(i), "u", 9 - i, False, "u") for i in range(1, 4)]
    out = quota.apply(passed, local, {"u": 14}, "CSTDCS", "hd", date(2022, 12, 20))
    assert [e.rank for e in out] == [2, 3]  # 1/10 × 14 = 1.4 → 1 kept


# --- dossier -----------------------------------------------------------------------------


def item(kind: str, **extra: Any) -> DossierItem:
    base: dict[str, Any] = {"kind": kind, "name": kind, "sha256": "ab" * 32}
    return DossierItem(**{**base, **extra})


def test_every_defect_is_listed_at_once() -> None:
    rule = PACK.awards["CSTDCS"]
    found = dossier.defects([item("to_trinh"), item("bao_cao_thanh_tich", sha256=None)], rule)
    assert [d.kind for d in found] == [
        "missing:bien_ban_binh_xet",
        "missing:xac_nhan_sang_kien",
        "to_trinh:number",
        "file:bao_cao_thanh_tich",
    ]
    complete = [
        item("to_trinh", number="12/TTr-UBND", issued_on=date(2022, 12, 5)),
        item("bao_cao_thanh_tich"),
        item("bien_ban_binh_xet"),
    ]
    assert dossier.defects(complete, PACK.awards["GK_CT_UBND_TP"]) == []
    check = dossier.check(found, rule)
    assert not check.passed and "Thiếu Biên bản bình xét thi đua" in check.detail_vi


def test_the_2024_law_simplifies_the_dossier_of_a_sudden_achievement() -> None:
    later, _ = load("vn-2024")
    two = [
        item("to_trinh", number="3/TTr-UBND", issued_on=date(2024, 3, 1)),
        item("bao_cao_thanh_tich"),
    ]
    assert dossier.defects(two, later.awards["GK_CT_UBND_TP_DOT_XUAT"]) == []
    assert [d.kind for d in dossier.defects(two, PACK.awards["GK_CT_UBND_TP_DOT_XUAT"])] == [
        "missing:bien_ban_binh_xet"
    ]


# --- notice and council ------------------------------------------------------------------


def eligible_state(passed: bool | None = None, session: str = "hd") -> NominationState:
    state = NominationState(
        eligibility=EligibilityAssessed(
            proposal_id=pid(1),
            award_code="CSTD_TINH",
            subject_kind="ca_nhan",
            subject_id="a",
            eligible=True,
            checks=[Check(code="x", passed=True, detail_vi="…", detail_en="…", reference="…")],
        )
    )
    if passed is None:
        return state
    return state.model_copy(
        update={
            "outcome": BallotOutcomeDecided(
                proposal_id=pid(1),
                session_id=session,
                members_total=9,
                present=9,
                quorum_required=6,
                quorum_met=True,
                yes_total=9,
                threshold="9/10",
                threshold_strict=False,
                passed=passed,
                reason_vi="…",
                reason_en="…",
            )
        }
    )


def post(posted_on: date = date(2022, 12, 9)) -> PostNotice:
    return PostNotice(
        command_id=pid(90),
        actor=NV,
        movement_id=M,
        notice_id="tb",
        proposal_ids=[pid(1)],
        channel="Cổng thông tin",
        posted_on=posted_on,
    )


def test_the_notice_runs_five_working_days_on_the_state_calendar() -> None:
    posted = notice.decide_post(post(), [eligible_state()], set(), False, CAL, PACK)
    # Friday 9/12/2022 + 5 working days → Friday 16/12/2022.
    assert (posted.ends_on, posted.working_days) == (date(2022, 12, 16), 5)
    assert (
        rejected(
            lambda: notice.decide_post(post(), [NominationState()], set(), False, CAL, PACK)
        ).code
        == ErrorCode.WRONG_STATE
    )
    assert (
        rejected(
            lambda: notice.decide_post(post(), [eligible_state()], {pid(1)}, False, CAL, PACK)
        ).code
        == ErrorCode.WRONG_STATE
    )


def tally(**extra: Any) -> RecordTally:
    base: dict[str, Any] = {
        "command_id": pid(91),
        "actor": TK,
        "movement_id": M,
        "proposal_id": pid(1),
        "session_id": "hd",
        "session_date": date(2022, 12, 20),
        "members_total": 9,
        "present": 8,
        "issued": 8,
        "returned": 8,
        "valid": 8,
        "yes": 8,
    }
    return RecordTally(**{**base, **extra})


def objection(oid: str = "pa-1", on: date = date(2022, 12, 12)) -> RecordObjection:
    return RecordObjection(
        command_id=pid(92),
        actor=NV,
        movement_id=M,
        notice_id="tb",
        objection_id=oid,
        proposal_id=pid(1),
        received_on=on,
        summary="Thành tích sáng kiến chưa được áp dụng thực tế.",
    )


def test_the_council_waits_for_the_notice_and_its_objections() -> None:
    rule = PACK.awards["CSTD_TINH"]
    gate = council.Gate(rule=rule, proposal_id=pid(1))
    assert "not yet posted" in (rejected(lambda: council.check_tally(tally(), gate)).detail or "")
    posted = notice.decide_post(post(), [eligible_state()], set(), False, CAL, PACK)
    status = notice.NoticeStatus(posted)
    early = council.Gate(rule=rule, notice=status, proposal_id=pid(1))
    assert "runs until 2022-12-16" in (
        rejected(lambda: council.check_tally(tally(session_date=date(2022, 12, 16)), early)).detail
        or ""
    )
    recorded = notice.decide_objection(objection(), status)
    assert (
        rejected(
            lambda: notice.decide_objection(objection("pa-2", date(2022, 12, 19)), status)
        ).code
        == ErrorCode.VALUE_OUT_OF_RANGE
    )  # after the period
    waiting = notice.NoticeStatus(posted, {"pa-1": recorded})
    gate = council.Gate(rule=rule, notice=waiting, proposal_id=pid(1))
    assert "pa-1" in (rejected(lambda: council.check_tally(tally(), gate)).detail or "")
    resolved = notice.decide_resolution(
        ResolveObjection(
            command_id=pid(93),
            actor=NV,
            movement_id=M,
            notice_id="tb",
            objection_id="pa-1",
            upheld=False,
            resolution="Đã xác minh: sáng kiến được áp dụng từ tháng 3/2022.",
            resolved_on=date(2022, 12, 14),
        ),
        waiting,
    )
    settled = notice.NoticeStatus(posted, {"pa-1": recorded}, {"pa-1": resolved})
    council.check_tally(tally(), council.Gate(rule=rule, notice=settled, proposal_id=pid(1)))
    upheld = notice.exclusion(resolved.model_copy(update={"upheld": True}), "CSTD_TINH")
    assert upheld.reason_code == "objection_upheld"
    # Upheld but not yet excluded on the consumer path: no ballot either.
    verified = notice.NoticeStatus(
        posted, {"pa-1": recorded}, {"pa-1": resolved.model_copy(update={"upheld": True})}
    )
    assert "objection upheld" in (
        rejected(
            lambda: council.check_tally(
                tally(), council.Gate(rule=rule, notice=verified, proposal_id=pid(1))
            )
        ).detail
        or ""
    )
    excluded = council.Gate(
        rule=rule, notice=settled, proposal_id=pid(1), excluded="objection_upheld"
    )
    assert rejected(lambda: council.check_tally(tally(), excluded)).code == ErrorCode.WRONG_STATE


def members(n: int) -> list[CouncilMember]:
    return [CouncilMember(member_id=f"tv-{i}", name=f"Thành viên {i}") for i in range(n)]


def test_attendance_is_the_session_s_and_written_votes_only_where_allowed() -> None:
    opened = council.decide_open(
        OpenSession(
            command_id=pid(94),
            actor=TK,
            movement_id=M,
            session_id="hd",
            session_date=date(2022, 12, 20),
            members=members(9),
            present_ids=[f"tv-{i}" for i in range(8)],
        ),
        exists=False,
    )
    session = council.Session(opened)
    gk = council.Gate(rule=PACK.awards["GK_CT_UBND_TP"], session=session)
    council.check_tally(tally(), gk)
    assert rejected(lambda: council.check_tally(tally(present=9, issued=9), gk)).field == "present"
    assert (
        rejected(lambda: council.check_tally(tally(written_yes_from_absent=1), gk)).field
        == "written_yes_from_absent"
    )
    rule = PACK.awards["CSTD_TINH"].model_copy(update={"notice": False})
    council.check_tally(tally(written_yes_from_absent=1), council.Gate(rule=rule, session=session))
    closed = council.Session(opened, date(2022, 12, 20))
    assert (
        rejected(lambda: council.check_tally(tally(), council.Gate(rule=rule, session=closed))).code
        == ErrorCode.WRONG_STATE
    )
    bad = OpenSession(
        command_id=pid(95),
        actor=TK,
        movement_id=M,
        session_id="hd",
        session_date=date(2022, 12, 20),
        members=members(3),
        present_ids=["tv-9"],
    )
    assert rejected(lambda: council.decide_open(bad, exists=False)).field == "present_ids.0"
    close = CloseSession(
        command_id=pid(96), actor=TK, movement_id=M, session_id="hd", closed_on=date(2022, 12, 20)
    )
    assert council.decide_close(close, session).closed_on == date(2022, 12, 20)
    assert rejected(lambda: council.decide_close(close, closed)).code == ErrorCode.WRONG_STATE
    assert rejected(lambda: council.decide_close(close, None)).field == "session_id"


# --- fund and notifications --------------------------------------------------------------


def test_the_fund_balance_follows_credits_and_prizes_and_flags_an_overdraw() -> None:
    untracked = fund.FundState()
    assert fund.overdraw(pid(5), "cap_huyen", untracked, 10**9) is None
    from thidua_contracts.events import FundCredited

    held = fund.credit(
        untracked,
        FundCredited(
            level="cap_huyen",
            amount_vnd=1500000,
            credited_on=date(2022, 1, 10),
            source_ref="Dự toán",
        ),
    )
    assert fund.overdraw(pid(5), "cap_huyen", held, 1500000) is None  # exactly enough
    flag = fund.overdraw(pid(5), "cap_huyen", held, 1800000)
    assert flag is not None and (flag.balance_vnd, flag.shortfall_vnd) == (1500000, 300000)
    assert flag.reason_vi == (
        "Quỹ thi đua, khen thưởng còn 1.500.000 đ, quyết định cần 1.800.000 đ: thiếu 300.000 đ"
    )
    assert flag.reason_en == (
        "The award fund holds 1,500,000 đ, the decision needs 1,800,000 đ: 300,000 đ short"
    )
    assert fund.pay(held, 1800000).balance_vnd == -300000


def notify_cmd(
    kind: str = "result", on: date = date(2023, 1, 19), reason: str = ""
) -> NotifyResult:
    return NotifyResult(
        command_id=pid(97),
        actor=NV,
        movement_id=M,
        proposal_id=pid(1),
        kind=kind,  # type: ignore[arg-type]
        notified_on=on,
        reason=reason,
    )


def test_notifications_are_due_within_ten_working_days() -> None:
    # Decision of Thursday 05/01/2023: 10 working days → Thursday 19/01/2023 (Tết starts 20/01).
    won = notify.Settled("result", date(2023, 1, 5), "", "decision")
    on_time = notify.decide_notify(notify_cmd(), won, False, CAL, PACK)
    assert (on_time.due_on, on_time.working_days_late) == (date(2023, 1, 19), 0)
    late = notify.decide_notify(notify_cmd(on=date(2023, 1, 30)), won, False, CAL, PACK)
    assert late.working_days_late == 2  # Tết off 20–26/01; Friday 27/01 and Monday 30/01 count
    lost = notify.Settled("rejection", date(2022, 12, 20), "4/9", "council")
    assert (
        rejected(
            lambda: notify.decide_notify(notify_cmd("rejection"), lost, False, CAL, PACK)
        ).field
        == "reason"
    )
    assert (
        rejected(lambda: notify.decide_notify(notify_cmd(), lost, False, CAL, PACK)).field == "kind"
    )
    assert (
        rejected(lambda: notify.decide_notify(notify_cmd(), None, False, CAL, PACK)).code
        == ErrorCode.WRONG_STATE
    )
    assert (
        rejected(lambda: notify.decide_notify(notify_cmd(), won, True, CAL, PACK)).code
        == ErrorCode.WRONG_STATE
    )
    rows = notify.overdue({pid(1): lost, pid(2): won}, CAL, PACK, date(2023, 1, 6))
    assert [(r["proposal_id"], r["due_on"], r["working_days_over"]) for r in rows] == [
        (pid(1), "2023-01-04", 2)  # due Wed 04/01/2023 (02/01 off); the result is not yet due
    ]


def test_vn_2025_has_no_city_level_and_keeps_the_provincial_forms() -> None:
    later, ref = load("vn-2025")
    assert ref.id == "vn-2025" and "152/2025" in later.regime
    assert not any(code.startswith("GK_CT_UBND_TP") for code in later.awards)
    for code in (
        "LDTT",
        "CSTDCS",
        "TTLDTT",
        "TTLDXS",
        "BK_CT_UBND_TINH",
        "CO_UBND_TINH",
        "CO_CHINH_PHU",
        "CSTD_TINH",
        "GK_CT_UBND_XA",
    ):
        assert code in later.awards
    for pack_id in ("vn-2017", "vn-2024"):
        catalog = load(pack_id)[0].awards
        for code in (
            "GK_CT_UBND_TP",
            "GK_CT_UBND_TP_THEO_DOT",
            "GK_CT_UBND_TP_DOT_XUAT",
            "GK_CT_UBND_TP_GIA_DINH",
            "TTLDXS",
            "CO_UBND_TINH",
            "CO_CHINH_PHU",
        ):
            assert code in catalog
    assert later.prize("CSTD_TINH", "ca_nhan") == ("3.0", 7020000)
