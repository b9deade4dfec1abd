"""Eligibility of a proposal under the movement's rule pack, criterion by criterion."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from thidua_contracts.events import AwardProposed, Check, EligibilityAssessed

from .rule_pack import CriterionRule, RulePack


@dataclass(frozen=True)
class Initiative:
    initiative_id: str
    person_id: str
    level: str
    year: int


@dataclass(frozen=True)
class Facts:
    """What the log says about the proposing unit and the subject when it is appraised."""

    registered: bool
    report_submitted: bool
    report_late: bool
    score_total: str | None
    score_max: str | None
    ratings: dict[tuple[str, int], str] = field(default_factory=dict)  # duties, by subject/year
    discipline: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    initiatives: list[Initiative] = field(default_factory=list)
    used_initiatives: frozenset[str] = frozenset()  # already grounds of an earlier proposal
    titles: frozenset[tuple[str, int, str]] = frozenset()  # (subject, year, award code)
    # Every other award found eligible for the same subject, year and movement, titles too: the
    # pack tells which of them are forms rewarding the same achievement.
    other_forms: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)  # people of a collective
    headcount: int | None = None
    recruited_on: dict[str, date] = field(default_factory=dict)  # by person, where recorded
    honoured_units: frozenset[str] = frozenset()  # honoured by their block's ballot


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
                # A higher level's form is appraised here and proposed upward (DOMAIN §5.3).
                passed=True,
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
            round_vi, round_en = ROUND_NAMES[rule.requires_report]
            checks.append(
                Check(
                    code="report",
                    passed=facts.report_submitted,
                    detail_vi=f"Đã nộp báo cáo {round_vi}{late}"
                    if facts.report_submitted
                    else f"Chưa nộp báo cáo {round_vi}",
                    detail_en=f"The {round_en} report was submitted"
                    if facts.report_submitted
                    else f"No {round_en} report",
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
        if proposal.subject_kind in rule.multiplier:
            checks.extend(
                _check(c, proposal, facts, pack)
                for c in rule.criteria
                if proposal.subject_kind in c.subjects
            )
    return EligibilityAssessed(
        proposal_id=proposal.proposal_id,
        award_code=proposal.award_code,
        subject_kind=proposal.subject_kind,
        subject_id=proposal.subject_id,
        eligible=all(c.passed for c in checks),
        checks=checks,
    )


def judge(rule: CriterionRule, who: str, year: int, facts: Facts) -> tuple[bool, str, str]:
    """One criterion on the facts as they stand: met, and why in Vietnamese and English."""
    return _CHECKS[rule.check](rule, who, year, facts)


RATING_ORDER = {"HTXS": 3, "HTT": 2, "HT": 1, "KHT": 0}
DISCIPLINE_ORDER = {
    "khien_trach": 1,
    "canh_cao": 2,
    "ha_bac_luong": 3,
    "cach_chuc": 4,
    "buoc_thoi_viec": 5,
}
# The reasons are read by people: codes become the words of the law, in each language.
ROUND_NAMES = {"so-ket": ("sơ kết", "mid-year"), "tong-ket": ("tổng kết", "year-end")}
DISCIPLINE_NAMES = {
    "khien_trach": ("khiển trách", "reprimand"),
    "canh_cao": ("cảnh cáo", "warning"),
    "ha_bac_luong": ("hạ bậc lương", "salary grade reduction"),
    "cach_chuc": ("cách chức", "removal from office"),
    "buoc_thoi_viec": ("buộc thôi việc", "dismissal"),
}


def _check(rule: CriterionRule, proposal: AwardProposed, facts: Facts, pack: RulePack) -> Check:
    who, year = proposal.subject_id, proposal.year
    if rule.check == "one_form":
        passed, vi, en = _one_form(pack, proposal.award_code, year, facts)
    else:
        passed, vi, en = _CHECKS[rule.check](rule, who, year, facts)
    return Check(
        code=rule.check, passed=passed, detail_vi=vi, detail_en=en, reference=rule.reference
    )


def _rating(rule: CriterionRule, who: str, year: int, facts: Facts) -> tuple[bool, str, str]:
    got = facts.ratings.get((who, year))
    need = rule.min or "HTT"
    ok = got is not None and RATING_ORDER[got] >= RATING_ORDER[need]
    return (
        ok,
        f"Xếp loại năm {year}: {got or 'chưa có'} (cần {need})",
        (f"Rating for {year}: {got or 'none recorded'} (needs {need})"),
    )


def _consecutive(rule: CriterionRule, who: str, year: int, facts: Facts) -> tuple[bool, str, str]:
    need = rule.min or "HTXS"
    years = list(range(year - rule.years + 1, year + 1))
    got = [facts.ratings.get((who, y)) for y in years]
    ok = all(g is not None and RATING_ORDER[g] >= RATING_ORDER[need] for g in got)
    shown = ", ".join(f"{y}: {g or '—'}" for y, g in zip(years, got, strict=True))
    return (
        ok,
        f"{rule.years} năm liên tục {need}: {shown}",
        (f"{rule.years} consecutive years {need}: {shown}"),
    )


def _no_discipline(rule: CriterionRule, who: str, year: int, facts: Facts) -> tuple[bool, str, str]:
    bar = DISCIPLINE_ORDER[rule.from_level]
    people = facts.members if facts.members and who not in facts.members else [who]
    found = sorted(
        {
            level
            for p in [who, *people]
            for level in facts.discipline.get((p, year), [])
            if DISCIPLINE_ORDER[level] >= bar
        }
    )
    if found:
        return (
            False,
            f"Có kỷ luật trong năm {year}: {', '.join(DISCIPLINE_NAMES[f][0] for f in found)}",
            (f"Disciplined in {year}: {', '.join(DISCIPLINE_NAMES[f][1] for f in found)}"),
        )
    bar_vi, bar_en = DISCIPLINE_NAMES[rule.from_level]
    return (
        True,
        f"Không bị kỷ luật từ mức {bar_vi} trở lên trong năm {year}",
        (f"No discipline at {bar_en} or above in {year}"),
    )


def _title_same_year(
    rule: CriterionRule, who: str, year: int, facts: Facts
) -> tuple[bool, str, str]:
    ok = (who, year, rule.title or "") in facts.titles
    return (
        ok,
        f"{'Đã' if ok else 'Chưa'} đạt {rule.title} năm {year}",
        (f"{'Holds' if ok else 'Does not hold'} {rule.title} for {year}"),
    )


def _chain(rule: CriterionRule, who: str, year: int, facts: Facts) -> tuple[bool, str, str]:
    years = list(range(year - rule.years + 1, year + 1))
    missing = [y for y in years if (who, y, rule.title or "") not in facts.titles]
    if missing:
        gaps = ", ".join(str(y) for y in missing)
        return (
            False,
            f"Chuỗi {rule.years} năm {rule.title} bị đứt: thiếu năm {gaps}",
            (f"The {rule.years}-year {rule.title} chain is broken: missing {gaps}"),
        )
    held = ", ".join(str(y) for y in years)
    return (
        True,
        f"Đủ {rule.years} năm liên tục {rule.title}: {held}",
        (f"{rule.years} consecutive years of {rule.title}: {held}"),
    )


def _initiatives(rule: CriterionRule, who: str, year: int, facts: Facts) -> tuple[bool, str, str]:
    window = range(year - rule.years + 1, year + 1)
    fit = [i for i in facts.initiatives if i.person_id == who and i.level in rule.levels]
    inside = [i for i in fit if i.year in window]
    fresh = [i for i in inside if i.initiative_id not in facts.used_initiatives]
    ok = len(fresh) >= rule.count
    detail = (
        f"{len(fresh)} sáng kiến hợp lệ (cần {rule.count}); "
        f"ngoài thời hạn {len(fit) - len(inside)}, đã dùng {len(inside) - len(fresh)}"
    )
    return (
        ok,
        detail,
        (
            f"{len(fresh)} valid initiatives (needs {rule.count}); "
            f"outside the window {len(fit) - len(inside)}, "
            f"already used {len(inside) - len(fresh)}"
        ),
    )


def _ldtt_ratio(rule: CriterionRule, who: str, year: int, facts: Facts) -> tuple[bool, str, str]:
    total = facts.headcount or len(facts.members)
    ldtt = sum(1 for p in facts.members if (p, year, "LDTT") in facts.titles)
    if total == 0:
        return False, "Chưa có số liệu biên chế", "No headcount recorded"
    share, limit = Fraction(ldtt, total), Fraction(rule.ratio)
    ok = share > limit if rule.strict else share >= limit
    relation = ">" if rule.strict else "≥"
    return (
        ok,
        f"{ldtt}/{total} cá nhân đạt Lao động tiên tiến (cần {relation} {rule.ratio})",
        (f"{ldtt}/{total} members hold LĐTT (needs {relation} {rule.ratio})"),
    )


def _one_form(pack: RulePack, award_code: str, year: int, facts: Facts) -> tuple[bool, str, str]:
    """The law's "không khen nhiều hình thức cho một thành tích": only another form for the
    same achievement bars this one; a title of the same year does not (DOMAIN §3.1, §3.5)."""
    rivals = pack.rival_forms(award_code, facts.other_forms)
    what = _ACHIEVEMENT_VI[pack.awards[award_code].achievement].format(year=year)
    if rivals:
        names = "; ".join(pack.awards[code].name for code in rivals)
        return (
            False,
            f"{what} đã được đề nghị hình thức khen thưởng khác: {names}",
            f"The same achievement is already proposed for another form: {', '.join(rivals)}",
        )
    return (
        True,
        f"{what} chưa được đề nghị hình thức khen thưởng khác",
        "No other form proposed for the same achievement",
    )


_ACHIEVEMENT_VI = {
    "annual": "Thành tích năm {year}",
    "dot_xuat": "Thành tích đột xuất",
    "chuyen_de": "Thành tích theo đợt, chuyên đề",
}


def _min_service(rule: CriterionRule, who: str, year: int, facts: Facts) -> tuple[bool, str, str]:
    """NĐ91 Điều 10: no LĐTT for someone recruited less than `months` months before the year
    ends. Maternity leave is working time (Điều 10 khoản 4) and the 2022 regime has no absence
    cap (DOMAIN §3.2 A), so nothing is deducted: the months run from the recruitment to 31/12."""
    months = rule.months or 10
    year_end = f"31/12/{year}"
    recruited = facts.recruited_on.get(who)
    if recruited is None:
        return (
            True,
            f"Chưa ghi nhận ngày tuyển dụng: không có căn cứ xác định mới tuyển dụng dưới "
            f"{months} tháng tính đến {year_end}",
            f"No recruitment date recorded: nothing shows less than {months} months of service "
            f"by {year_end}",
        )
    # The months from the recruitment to the year's end are whole when the recruitment fell on
    # or before the first day of the month `months` months before 1 January of the next year.
    index = (year + 1) * 12 - months
    latest = date(index // 12, index % 12 + 1, 1)
    ok = recruited <= latest
    shown = recruited.strftime("%d/%m/%Y")
    return (
        ok,
        f"Tuyển dụng ngày {shown}: tính đến {year_end} "
        f"{'đủ' if ok else 'chưa đủ'} {months} tháng công tác",
        f"Recruited on {shown}: {'at least' if ok else 'less than'} {months} months of service "
        f"by {year_end}",
    )


def _honoured(rule: CriterionRule, who: str, year: int, facts: Facts) -> tuple[bool, str, str]:
    # The plan: "Được Khối thi đua bình xét, suy tôn" — met only by a passing block ballot.
    if who in facts.honoured_units:
        return True, "Được Khối thi đua bình xét, suy tôn", "Honoured by its block's ballot"
    return (
        False,
        "Chưa được Khối thi đua suy tôn qua bỏ phiếu",
        ("Not honoured by a passing block ballot"),
    )


def _members_rating(
    rule: CriterionRule, who: str, year: int, facts: Facts
) -> tuple[bool, str, str]:
    need = rule.min or "HT"
    short = [
        p
        for p in facts.members
        if facts.ratings.get((p, year)) is None
        or RATING_ORDER[facts.ratings[(p, year)]] < RATING_ORDER[need]
    ]
    if not facts.members:
        return False, "Chưa có danh sách cá nhân của tập thể", "No members recorded"
    if short:
        return (
            False,
            f"{len(short)}/{len(facts.members)} cá nhân chưa đạt {need} năm {year}",
            f"{len(short)} of {len(facts.members)} members below {need} in {year}",
        )
    return (
        True,
        f"100 % cá nhân đạt từ {need} năm {year}",
        f"Every member rated {need} or above in {year}",
    )


def _members_titles(
    rule: CriterionRule, who: str, year: int, facts: Facts
) -> tuple[bool, str, str]:
    held = sum(1 for p in facts.members if (p, year, rule.title or "") in facts.titles)
    return (
        held >= rule.count,
        f"{held} cá nhân đạt {rule.title} năm {year} (cần ≥ {rule.count})",
        f"{held} members hold {rule.title} for {year} (needs ≥ {rule.count})",
    )


_CHECKS = {
    "members_min_rating": _members_rating,
    "members_title_count": _members_titles,
    "block_honoured": _honoured,
    "rating": _rating,
    "ratings_consecutive": _consecutive,
    "no_discipline": _no_discipline,
    "title_same_year": _title_same_year,
    "chain": _chain,
    "initiatives": _initiatives,
    "ldtt_ratio": _ldtt_ratio,
    "min_service": _min_service,
}
