"""The one pattern behind every form a view handles: bind the form, and on a valid POST
call one service; a refusal goes back on the form, beside what was typed."""

from collections.abc import Callable
from typing import Any

from django import forms

from .exceptions import ApplicationError


def form_submitted(request, form: forms.BaseForm, call: Callable[[dict], Any]) -> bool:
    """True when ``request`` posted ``form``, it is valid and ``call(form.cleaned_data)``
    went through; what ``call`` returned is kept as ``form.outcome``. A refusal
    (``ApplicationError``) becomes one of the form's errors, on the field it names in
    ``extra["field"]`` if the form has that field, else on the whole form, and nothing
    was written. On a GET, or an invalid form, it calls nothing."""
    if request.method != "POST" or not form.is_bound or not form.is_valid():
        return False
    try:
        form.outcome = call(form.cleaned_data)
    except ApplicationError as exc:
        field = exc.extra.get("field")
        form.add_error(field if field in form.fields else None, exc.message)
        return False
    return True


def form_status(*forms_shown: forms.BaseForm | None) -> int:
    """The status a page answers with: 400 when a form on it was refused, else 200."""
    return 400 if any(form is not None and form.errors for form in forms_shown) else 200
