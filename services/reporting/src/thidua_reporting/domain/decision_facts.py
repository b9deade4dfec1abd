"""From the log's facts to what a Chairman's award decision states (pure)."""

from __future__ import annotations

from thidua_contracts.events import AwardIssued, DecisionSigned
from thidua_contracts.movement import MovementDefinition

from .decision_document import DecisionFacts, Recipient
from .vn_format import format_date_words, format_vnd

# Căn cứ of the 2003/2013 law regime (DOMAIN §7.7); a later regime brings its own list.
LEGAL_BASES = {
    "vn-2017": [
        "Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung "
        "một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày "
        "22 tháng 11 năm 2019",
        "Luật Thi đua, Khen thưởng ngày 26 tháng 11 năm 2003; Luật sửa đổi, bổ sung một số "
        "điều của Luật Thi đua, Khen thưởng ngày 14 tháng 6 năm 2005 và ngày 16 tháng 11 năm 2013",
        "Nghị định số 91/2017/NĐ-CP ngày 31 tháng 7 năm 2017 của Chính phủ quy định chi tiết "
        "thi hành một số điều của Luật Thi đua, khen thưởng",
    ],
}


# The provision that pays only the highest of several titles reached at one time, as a decision
# cites it, by rule pack.
HIGHEST_TITLE_RULE = {
    "vn-2017": "điểm c khoản 2 Điều 66 Nghị định số 91/2017/NĐ-CP",
}


def prize_note(award: AwardIssued) -> str | None:
    """Why an award pays less than its title's prize: the titles of the year already paid."""
    if not award.prize_deductions:
        return None
    paid = " và ".join(
        f"danh hiệu “{d.award_name}” theo Quyết định số {d.decision_number} "
        f"{format_date_words(d.signed_on)}"
        for d in award.prize_deductions
    )
    if award.prize_vnd:
        difference = format_vnd(award.prize_vnd)
        return f"đã nhận tiền thưởng {paid}; được thưởng phần chênh lệch {difference} đồng"
    return f"đã nhận tiền thưởng {paid}, mức thưởng không thấp hơn; không nhận thêm tiền thưởng"


def _title_prize(award: AwardIssued) -> int:
    return award.prize_vnd if award.title_prize_vnd is None else award.title_prize_vnd


def decision_facts(
    definition: MovementDefinition,
    decision: DecisionSigned,
    awards: list[AwardIssued],
    plan_ref: str | None = None,
) -> DecisionFacts:
    """`plan_ref` cites the city's plan with its number and date once it is published; the
    definition's own reference names the plan only."""
    issuer = definition.issuer
    individual = [a for a in awards if a.recipient_kind == "ca_nhan"]
    collective = [a for a in awards if a.recipient_kind == "tap_the"]
    return DecisionFacts(
        issuer_lines=list(issuer.name_lines),
        parent_line=issuer.parent_line,
        number=decision.number,
        place=issuer.place,
        signed_on=decision.signed_on,
        award_name=awards[0].award_name,
        movement_name="phong trào thi đua",
        year=definition.year,
        authority_line="CHỦ TỊCH " + " ".join(issuer.name_lines),
        legal_bases=[
            *LEGAL_BASES.get(definition.rule_pack.id, []),
            *[f"{basis}" for basis in definition.legal_basis],
            plan_ref or definition.plan_ref,
        ],
        proposer="Trưởng phòng Nội vụ thành phố (Cơ quan Thường trực Hội đồng Thi đua - "
        "Khen thưởng thành phố)",
        recipients=[
            Recipient(
                kind=a.recipient_kind,
                name=a.recipient_name,
                position=a.recipient_position,
                unit_name=a.unit_name if a.recipient_kind == "ca_nhan" else None,
                prize_note=prize_note(a),
            )
            for a in collective + individual
        ],
        prize_individual_vnd=_title_prize(individual[0]) if individual else None,
        prize_collective_vnd=_title_prize(collective[0]) if collective else None,
        highest_title_rule=HIGHEST_TITLE_RULE.get(definition.rule_pack.id),
        fund=f"Quỹ thi đua, khen thưởng thành phố năm {decision.signed_on.year}",
        signer_position_lines=list(decision.signer_position_lines),
        signer_name=decision.signer_name,
        recipients_of_copies=[
            "Như Điều 3",
            "Thường trực Thành ủy (b/c)",
            "Thường trực HĐND thành phố (b/c)",
            "Chủ tịch, các PCT UBND thành phố",
        ],
    )
