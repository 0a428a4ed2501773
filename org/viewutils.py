"""The one shape every form view shares: POST, validate, call a service, show its Chinese refusal on the form."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect


def apply_errors(form, exc: ValidationError):
    """Put a service's ValidationError on the form: per field where it names one, else at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def submit(request, form, action: Callable[[dict], object], *, success, then):
    """On a valid POST run `action(cleaned_data)`; on success flash `success` and redirect to `then`.

    `success` and `then` may be callables taking the action's result. Returns None when the page should be shown
    again (GET, invalid input, or a refusal from the service, which lands on the form)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    messages.success(request, success(result) if callable(success) else success)
    target = then(result) if callable(then) else then
    return redirect(*target) if isinstance(target, tuple) else redirect(target)
