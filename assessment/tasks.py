from celery import shared_task
from django.utils import timezone

from assessment import services
from reserves.flags import flags_resolve_rules_off


@shared_task(name="assessment.tasks.daily_scan", acks_late=True)
def daily_scan() -> dict:
    """Flags that arise from the passage of time, each only under a rule that is on for the county today: the age
    limit (a blocking one, 12 months ahead) and leave not closed (销假) that keeps counting as absence. First,
    open flags raised under a rule that a version now in force has switched off are resolved with a note (a new
    version takes effect on its date, not when it is saved). Every step is idempotent; run daily (the beat schedule
    is the lead's)."""
    today = timezone.localdate()
    resolved = flags_resolve_rules_off(on=today)
    return {
        "resolved": resolved,
        "age_out": services.scan_age_out(today),
        "absence": services.scan_absence(today),
    }
