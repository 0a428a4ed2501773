from celery import shared_task


@shared_task(name="imports.tasks.purge_expired", acks_late=True)
def purge_expired() -> int:
    """Delete the files and cells of import previews past their 24 hours (uploads also purge as they go)."""
    from imports.services import purge_expired as purge

    total = 0
    while True:
        done = purge(limit=200)
        total += done
        if done < 200:
            return total
