"""How every form in the portal shows its limits and keeps what a refused save was given.

Limits: a browser cuts what is typed or pasted into a field with a `maxlength`
attribute, without a word. No field here carries one. A field with a limit
says so in its hint and carries `data-char-limit`, which `static/js/portal.js`
turns into a live count ("12 characters remaining", "3 characters too many");
the server refuses anything over, naming the field and the limit. An email
address is the exception that proves it: its limit is the address format's own
(no one has an address of 254 characters), so it is enforced but not counted. One
renderer (`FORM_RENDERER`) gives every form this bound field, the portal's and
the admin's and allauth's alike, so a new form needs nothing to be covered.

Refused saves: a page made of several forms, each posting to its own address,
sends a refused form back to the page (post/redirect/get) with what was typed
and the errors kept in the session for the next view of that page.
"""

import time

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def normalise_line_breaks(text: str) -> str:
    """``text`` with every line break (CR LF, CR) written as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def character_limit(field) -> int | None:
    """The most characters ``field`` accepts, or None when it has no limit."""
    limit = getattr(field, "max_length", None)
    return int(limit) if limit else None


class LimitedBoundField(BoundField):
    """A field that names itself when it is missing, states its limit and never lets the
    browser cut at it."""

    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        self.character_limit = character_limit(field)
        if field.widget.is_hidden:
            return
        # The error summary lists every refusal of a form together: a message that does
        # not name its field ("This field is required.") says nothing there.
        if field.error_messages.get("required") == forms.Field.default_error_messages["required"]:
            field.error_messages = {
                **field.error_messages,
                "required": f"{self.label}: this field is required.",
            }
        if self.character_limit is None:
            return
        # Forms validate through their bound fields (Form._clean_fields), so the
        # message is in place before the field is cleaned. ``field`` is the
        # form's own copy: nothing leaks to other forms.
        if "max_length" not in field.error_messages:
            label = str(self.label).replace("%", "%%")
            field.error_messages = {
                **field.error_messages,
                "max_length": (
                    f"{label} must be {self.character_limit} characters or fewer "
                    "(it has %(show_value)d)."
                ),
            }
        if getattr(field.widget, "input_type", None) == "email":
            return
        hint = format_html(
            '<span class="limit-hint">Up to {} characters.</span>', self.character_limit
        )
        # Help texts are the developers' own HTML (Django renders them unescaped).
        self.help_text = mark_safe(f"{self.help_text} {hint}" if self.help_text else hint)

    @property
    def data(self):
        # Browsers send a textarea's line breaks as CR LF. Stored text keeps one
        # form of line break, so text written elsewhere (imports, the demo) and
        # saved unchanged through a form stays as it was, and a limit counts each
        # line break once, as the browser's counter does.
        value = super().data
        if isinstance(value, str):
            return normalise_line_breaks(value)
        if isinstance(value, list):
            return [normalise_line_breaks(v) if isinstance(v, str) else v for v in value]
        return value

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if self.character_limit and not widget.is_hidden:
            # False drops the attribute that the field itself put on the widget.
            attrs["maxlength"] = False
            if getattr(widget, "input_type", None) != "email":
                attrs["data-char-limit"] = self.character_limit
        return attrs


class PortalFormRenderer(DjangoTemplates):
    """Django's own renderer, with fields that state their limits (settings.FORM_RENDERER)."""

    bound_field_class = LimitedBoundField


# Post/redirect/get for a refused form.

REFUSED = "refused-form"
# Long enough for the redirect that follows; short enough that a form refused
# and abandoned does not reappear on a later visit.
REFUSED_KEPT_SECONDS = 600


def _as_list(value) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def refused_form_keep(request, form, *, page: str, slot: str) -> None:
    """Keep what ``form`` was given and the errors it got, for the next view of ``page``
    (a path). ``slot`` says which of the page's forms it was. Files are never kept: a
    browser cannot be given a file back, so the person chooses it again."""
    posted = form.data
    data = {
        key: posted.getlist(key) if hasattr(posted, "getlist") else _as_list(posted[key])
        for key in posted
        if key != "csrfmiddlewaretoken"
    }
    request.session[REFUSED] = {
        "page": page,
        "slot": slot,
        "data": data,
        "errors": form.errors.get_json_data(),
        "at": time.time(),
    }


def refused_form_take(request, *, page: str) -> tuple[str, QueryDict, dict] | None:
    """The slot, data and errors kept for ``page``, once: (slot, data, errors) or None."""
    kept = request.session.get(REFUSED)
    if not kept or kept.get("page") != page:
        return None
    del request.session[REFUSED]
    if time.time() - kept.get("at", 0) > REFUSED_KEPT_SECONDS:
        return None
    data = QueryDict(mutable=True)
    for key, values in kept["data"].items():
        data.setlist(key, values)
    return kept["slot"], data, kept["errors"]


def refused_form_restore(form, errors: dict):
    """``form`` (bound to the kept data) with exactly the errors the refused save got:
    the same messages, including a service's refusal and a file's that validation of
    the kept data alone could not reproduce."""
    if not form.is_bound:
        return form
    form.is_valid()
    form.errors.clear()
    for field, messages in errors.items():
        for message in messages:
            form.add_error(
                None if field == "__all__" or field not in form.fields else field,
                ValidationError(message["message"], code=message.get("code") or None),
            )
    return form
