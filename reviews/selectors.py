from django.db.models import Prefetch, QuerySet

from accounts.models import Invitation, Membership, User


def reviewer_pool() -> QuerySet[User]:
    """Every peer reviewer with the organisations they belong to."""
    return (
        User.objects.filter(is_reviewer=True)
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("organisation"))
        )
        .order_by("name", "email")
    )


def pending_reviewer_invitations() -> QuerySet[Invitation]:
    return (
        Invitation.objects.pending()
        .filter(role="reviewer")
        .select_related("invited_by")
        .order_by("-created_at")
    )
