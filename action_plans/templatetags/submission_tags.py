from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html

from action_plans.enums import ActionStatus
from action_plans.periods import Period

register = template.Library()


@register.filter
def planned(period: Period | None) -> str:
    """A planned date as the lead gave it, in a ``<time>`` element when HTML has a form
    for its precision ("December 2027" is ``2027-12``; a quarter has none)."""
    if period is None:
        return ""
    if period.machine:
        return format_html('<time datetime="{}">{}</time>', period.machine, period.text)
    return period.text


@register.filter
def action_status_label(value: str) -> str:
    """The words for an action's status (an annotation such as ``current_status``)."""
    return ActionStatus(value).label if value in ActionStatus.values else ""


@register.simple_tag
def stored_value(instance, name: str) -> str:
    """How ``instance`` reads for its field ``name``: choice labels, related names, lists
    (related rows one a line), and values a form shows as one field (an action's target)."""
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        value = getattr(instance, name, None)
        return "" if value is None else str(value)
    if field.many_to_many:
        return ", ".join(str(item) for item in getattr(instance, name).all())
    if field.one_to_many:
        return "\n".join(str(item) for item in getattr(instance, field.get_accessor_name()).all())
    if field.choices:
        return getattr(instance, f"get_{name}_display")()
    value = getattr(instance, name)
    return "" if value is None else str(value)
