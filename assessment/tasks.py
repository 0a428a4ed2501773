from celery import shared_task

from assessment import services


@shared_task(name="assessment.tasks.daily_scan", acks_late=True)
def daily_scan() -> dict:
    """Flags that arise from the passage of time: ageing out (12 months ahead) and leave not closed (销假) that
    keeps counting as absence. Both scans raise each flag once; run daily (the beat schedule is the lead's)."""
    return {"age_out": services.scan_age_out(), "absence": services.scan_absence()}
