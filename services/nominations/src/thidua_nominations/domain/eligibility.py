"""Eligibility of a proposal under the movement's rule pack, criterion by criterion."""

from __future__ import annotations

from dataclasses import dataclass

from thidua_contracts.events import AwardProposed, Check, EligibilityAssessed

from .rule_pack import RulePack


@dataclass(frozen=True)
class Facts:
    """What the log says about the proposing unit when the proposal is appraised."""

    registered: bool
    report_submitted: bool
    report_late: bool
    score_total: str | None
    score_max: str | None


def assess(proposal: AwardProposed, facts: Facts, pack: RulePack) -> EligibilityAssessed:
    rule = pack.awards.get(proposal.award_code)
    checks: list[Check] = []
    if rule is None:
        checks.append(
            Check(
                code="award-in-pack",
                passed=False,
                detail_vi=f"Hình thức {proposal.award_code} không có trong bộ quy tắc {pack.id}",
                detail_en=f"Award form {proposal.award_code} is not in rule pack {pack.id}",
                reference=pack.regime,
            )
        )
    else:
        checks.append(
            Check(
                code="authority",
                passed=rule.route == "decide",
                detail_vi="Thuộc thẩm quyền quyết định của Chủ tịch UBND thành phố"
                if rule.route == "decide"
                else "Thuộc thẩm quyền cấp trên: trình khen",
                detail_en="Decided by the city Chairman"
                if rule.route == "decide"
                else "Decided by a higher level: to be proposed upward",
                reference=rule.reference,
            )
        )
        if proposal.subject_kind not in rule.multiplier:
            checks.append(
                Check(
                    code="subject-kind",
                    passed=False,
                    detail_vi="Hình thức không áp dụng cho đối tượng này",
                    detail_en="The form does not apply to this kind of subject",
                    reference=rule.reference,
                )
            )
        if rule.requires_registration:
            checks.append(
                Check(
                    code="registration",
                    passed=facts.registered,
                    detail_vi="Đơn vị đã đăng ký thi đua"
                    if facts.registered
                    else "Đơn vị chưa đăng ký thi đua",
                    detail_en="The unit registered for the movement"
                    if facts.registered
                    else "The unit did not register for the movement",
                    reference="DOMAIN §10.1; Kế hoạch thi đua năm 2022",
                )
            )
        if rule.requires_report is not None:
            late = " (nộp muộn)" if facts.report_late else ""
            checks.append(
                Check(
                    code="report",
                    passed=facts.report_submitted,
                    detail_vi=f"Đã nộp báo cáo {rule.requires_report}{late}"
                    if facts.report_submitted
                    else f"Chưa nộp báo cáo {rule.requires_report}",
                    detail_en=f"The {rule.requires_report} report was submitted"
                    if facts.report_submitted
                    else f"No {rule.requires_report} report",
                    reference="Kế hoạch thi đua năm 2022, mục V.3",
                )
            )
        if rule.requires_score_sheet:
            scored = facts.score_total is not None
            checks.append(
                Check(
                    code="score-sheet",
                    passed=scored,
                    detail_vi=f"Điểm thi đua tổng kết: {facts.score_total}/{facts.score_max}"
                    if scored
                    else "Chưa có phiếu chấm điểm tổng kết",
                    detail_en=f"Final score: {facts.score_total}/{facts.score_max}"
                    if scored
                    else "No final score sheet",
                    reference="Bảng chấm điểm của khối thi đua",
                )
            )
    return EligibilityAssessed(
        proposal_id=proposal.proposal_id,
        award_code=proposal.award_code,
        subject_kind=proposal.subject_kind,
        subject_id=proposal.subject_id,
        eligible=all(c.passed for c in checks),
        checks=checks,
    )
