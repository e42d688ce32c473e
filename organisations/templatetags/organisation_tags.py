from django import template

from ..enums import OnboardingStatus

register = template.Library()


@register.filter
def onboarding_label(value: str) -> str:
    """The label of an onboarding status code, e.g. in the activity log."""
    try:
        return OnboardingStatus(value).label
    except ValueError:
        return value
