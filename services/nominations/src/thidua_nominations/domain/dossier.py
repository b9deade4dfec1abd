"""Dossier completeness (DOMAIN §5.2) and the one request to supplement it (§5.4)."""

from __future__ import annotations

from thidua_contracts.events import (
    AwardProposed,
    Check,
    DossierDefect,
    DossierItem,
    SupplementRequested,
)

from .rule_pack import AwardRule

KIND_NAMES = {
    "to_trinh": ("Tờ trình đề nghị", "proposal letter (Tờ trình)"),
    "danh_sach": ("Danh sách đề nghị", "list of nominees"),
    "bao_cao_thanh_tich": ("Báo cáo thành tích", "achievement report"),
    "bien_ban_binh_xet": ("Biên bản bình xét", "minutes of the unit's review"),
    "xac_nhan_sang_kien": ("Xác nhận sáng kiến", "certificate recognising the initiative"),
    "y_kien_co_quan": ("Ý kiến cơ quan liên quan", "opinions of the agencies concerned"),
}


def defects(items: list[DossierItem], rule: AwardRule) -> list[DossierDefect]:
    """Every defect at once, in the order the law lists the components."""
    found: list[DossierDefect] = []
    kinds = {i.kind for i in items}
    for kind, named in rule.dossier.items():
        if kind not in kinds:
            found.append(
                DossierDefect(
                    kind=f"missing:{kind}",
                    detail_vi=f"Thiếu {named}",
                    detail_en=f"Missing: {KIND_NAMES[kind][1]} ({named})",
                )
            )
    for item in items:
        vi, en = KIND_NAMES[item.kind]
        if item.kind == "to_trinh" and (item.number is None or item.issued_on is None):
            found.append(
                DossierDefect(
                    kind="to_trinh:number",
                    detail_vi=f"{vi} chưa ghi số, ngày văn bản",
                    detail_en=f"The {en} has no number or date",
                )
            )
        if item.sha256 is None:
            found.append(
                DossierDefect(
                    kind=f"file:{item.kind}",
                    detail_vi=f"{vi} «{item.name}» chưa đính kèm bản chụp",
                    detail_en=f"No file attached for the {en} '{item.name}'",
                )
            )
    return found


def request(
    proposal: AwardProposed, found: list[DossierDefect], rule: AwardRule
) -> SupplementRequested:
    return SupplementRequested(
        proposal_id=proposal.proposal_id,
        award_code=proposal.award_code,
        defects=found,
        reference=rule.dossier_reference or rule.reference,
    )


def check(found: list[DossierDefect], rule: AwardRule) -> Check:
    """The dossier as a criterion of the appraisal, stating what is still missing."""
    if not found:
        return Check(
            code="dossier",
            passed=True,
            detail_vi="Hồ sơ đủ thành phần",
            detail_en="The dossier is complete",
            reference=rule.dossier_reference or rule.reference,
        )
    return Check(
        code="dossier",
        passed=False,
        detail_vi="Hồ sơ vẫn chưa đủ sau khi bổ sung: " + "; ".join(d.detail_vi for d in found),
        detail_en="Still incomplete after the supplement: " + "; ".join(d.detail_en for d in found),
        reference=rule.dossier_reference or rule.reference,
    )
