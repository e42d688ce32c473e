"""The error summary that heads a refused form (templates/components/error_summary.html)."""

from django import template

register = template.Library()


def _target(field) -> str:
    """The id of the control a summary link moves to: the field, or the first of its
    choices (radio buttons and checkboxes have no single control)."""
    return field.id_for_label or (f"{field.auto_id}_0" if field.auto_id else "")


@register.inclusion_tag("components/error_summary.html")
def error_summary(form):
    """Every error of ``form``: the form's own first, then each field's, in the order
    of the fields, linked to the control to correct."""
    items = [(None, str(error)) for error in form.non_field_errors()]
    for field in form:
        target = "" if field.is_hidden else _target(field)
        items.extend((target or None, str(error)) for error in field.errors)
    prefix = form.prefix or (form.visible_fields()[0].auto_id if form.visible_fields() else "")
    return {"items": items, "summary_id": f"{prefix or 'form'}-error-summary"}
