from django.conf import settings
from django.db import models

from org.models import OrgUnit


class HalfYearReport(models.Model):
    """The county's written assessment of a half year (半年分析, QS), saved beside the figures the page computes."""

    FIRST, SECOND = 1, 2
    HALF_CHOICES = [(FIRST, "上半年"), (SECOND, "下半年")]

    county = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    half = models.PositiveSmallIntegerField("半年", choices=HALF_CHOICES)
    assessment_text = models.TextField("分析评估意见")
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField("保存时间", auto_now=True)

    class Meta:
        verbose_name = "半年分析"
        verbose_name_plural = "半年分析"
        ordering = ["county", "-year", "-half"]
        constraints = [models.UniqueConstraint(fields=["county", "year", "half"], name="one_halfyear_report")]

    def __str__(self):
        return f"{self.county.name}{self.year}年{self.get_half_display()}分析"
