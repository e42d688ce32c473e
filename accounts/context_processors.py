from django.conf import settings


def navigation(request):
    """What the navigation bar needs to fit the signed-in person's roles."""
    user = getattr(request, "user", None)
    common = {"support_email": settings.ITSS_TEAM_EMAIL}
    if user is None or not user.is_authenticated:
        return {**common, "nav_memberships": []}

    def memberships():
        return list(user.memberships.select_related("organisation").order_by("organisation__name"))

    return {**common, "nav_memberships": memberships}
