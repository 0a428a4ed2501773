"""Reads: a user's own batches. A batch belongs to its uploader; anyone else gets 404."""

from django.http import Http404

from imports.models import ImportBatch
from org import roles
from org.scope import get_scope


def recent_batches(user, limit: int = 20):
    return ImportBatch.objects.filter(user=user).select_related("unit").defer("data", "preview")[:limit]


def get_batch_for_user(request, pk: int) -> ImportBatch:
    """The uploader's batch, while they may still edit people in its unit; 404 otherwise."""
    batch = ImportBatch.objects.filter(pk=pk, user=request.user).select_related("unit").defer("data").first()
    if batch is None or not get_scope(request.user).has(roles.EDIT_PEOPLE, batch.unit):
        raise Http404("页面不存在")
    return batch
