def navigation(request):
    """What the navigation bar needs to fit the signed-in person's roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_memberships": []}

    def memberships():
        return list(user.memberships.select_related("organisation").order_by("organisation__name"))

    return {"nav_memberships": memberships}
