from django import template

register = template.Library()


@register.simple_tag
def stored_value(instance, name: str) -> str:
    """How ``instance`` reads for its field ``name``: choice labels, related names, lists."""
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(str(item) for item in getattr(instance, name).all())
    if field.choices:
        return getattr(instance, f"get_{name}_display")()
    value = getattr(instance, name)
    return "" if value is None else str(value)
