from django.http import Http404


def require_perm(request, perm: str, obj=None) -> None:
    """Answer 404, not 403: people are not told what exists beyond their reach."""
    if not request.user.has_perm(perm, obj):
        raise Http404
