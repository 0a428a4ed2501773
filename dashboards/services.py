"""Writes: the county's written assessment of a half year (audited)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from dashboards.models import HalfYearReport
from org import roles
from org.audit import audit
from org.models import OrgUnit
from org.scope import get_scope

MAX_TEXT = 20000


@transaction.atomic
def halfyear_save(*, actor, county: OrgUnit, year: int, half: int, text: str, request=None) -> HalfYearReport:
    """Save (or replace) the county's assessment of a half year. County staff who may edit write it."""
    if county.level != roles.COUNTY or not get_scope(actor).has(roles.EDIT_PEOPLE, county):
        raise ValidationError("您无权填写该县的半年分析。")
    if half not in (1, 2):
        raise ValidationError("半年只能是上半年或下半年。")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"assessment_text": "请填写分析评估意见。"})
    if len(text) > MAX_TEXT:
        raise ValidationError({"assessment_text": f"分析评估意见不能超过{MAX_TEXT}字（当前{len(text)}字）。"})
    report = HalfYearReport.objects.select_for_update().filter(county=county, year=year, half=half).first()
    before = report.assessment_text if report else ""
    if report is None:
        report = HalfYearReport(county=county, year=year, half=half)
    report.assessment_text = text
    report.saved_by = actor
    report.save()
    audit(
        actor,
        "dashboards.halfyear_save",
        report,
        unit=county,
        request=request,
        changes={"year": year, "half": half, "chars": [len(before), len(text)]},
    )
    return report


def halfyear_pdf_export(*, actor, county: OrgUnit, year: int, half: int, request=None):
    """Record that the half-yearly analysis was exported (figures only, no personal data)."""
    audit(
        actor,
        "dashboards.halfyear_pdf",
        None,
        unit=county,
        request=request,
        object_repr=f"{county.name}{year}年{'上' if half == 1 else '下'}半年分析",
        changes={"year": year, "half": half},
    )
