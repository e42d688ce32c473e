"""The open-data API (read only): organisations with the directory's filters, each
organisation, and its published action plan. Only what the public pages show is exposed:
never a draft, a review, or personal data beyond the named public contact."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from action_plans.selectors import actions_by_theme, published_plan, themes_in_use

from .filters import DirectoryFilter
from .selectors import directory_organisations


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(source="contact_name")
    role = serializers.CharField(source="contact_role")
    email = serializers.EmailField(source="contact_email")


class OrganisationSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    kind = serializers.CharField()
    type = serializers.CharField(source="org_type")
    nation_or_region = serializers.CharField(source="region")
    country = serializers.CharField()
    status = serializers.SerializerMethodField()
    joined = serializers.DateField(source="announced_on")
    latest_stage_submitted = serializers.IntegerField(source="latest_stage", allow_null=True)
    technician_commitment_page = serializers.URLField(source="tc_page_url")
    website = serializers.URLField()
    contact = ContactSerializer(source="*")
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)
    page = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    action_plan = serializers.SerializerMethodField()

    def get_status(self, organisation) -> str:
        """ "active" (announced or active) or "lapsed"."""
        return "lapsed" if organisation.status == "lapsed" else "active"

    def get_page(self, organisation) -> str:
        return _absolute(reverse("directory:public_organisation", args=[organisation.slug]))

    def get_url(self, organisation) -> str:
        return _absolute(reverse("api:organisation", args=[organisation.slug]))

    def get_action_plan(self, organisation) -> str | None:
        """Where its published action plan is, or null before it publishes one."""
        if organisation.published_stage is None:
            return None
        return _absolute(reverse("api:action_plan", args=[organisation.slug]))


class ActionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    owner = serializers.CharField()
    success_measures = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    target_on = serializers.DateField(allow_null=True)
    progress = serializers.CharField(help_text="The latest progress recorded, or as planned.")
    progress_note = serializers.CharField()
    progress_recorded_on = serializers.DateField(allow_null=True)


class ThemeActionsSerializer(serializers.Serializer):
    theme = serializers.CharField()
    commitment = serializers.CharField()
    actions = ActionSerializer(many=True)


class ActionPlanSerializer(serializers.Serializer):
    organisation = serializers.SlugField()
    stage = serializers.IntegerField()
    submitted_on = serializers.DateField()
    published_on = serializers.DateField()
    themes = ThemeActionsSerializer(many=True)


@extend_schema(
    summary="Signatories and supporters",
    description="Filtered as the directory is (`q`, `kind`, `org_type`, `region`, "
    "`status`, `joined`, `stage`, `sort`) and paged.",
)
class OrganisationList(generics.ListAPIView):
    serializer_class = OrganisationSerializer
    pagination_class = Pages
    filter_backends = [DjangoFilterBackend]
    filterset_class = DirectoryFilter

    def get_queryset(self):
        return directory_organisations().order_by("name")


@extend_schema(summary="One organisation")
class OrganisationDetail(generics.RetrieveAPIView):
    serializer_class = OrganisationSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return directory_organisations()


@extend_schema(summary="An organisation's published action plan, by theme, with progress")
class ActionPlanDetail(generics.GenericAPIView):
    serializer_class = ActionPlanSerializer

    def get_queryset(self):
        return directory_organisations()

    def get(self, request, slug):
        organisation = get_object_or_404(self.get_queryset(), slug=slug)
        plan = published_plan(organisation)
        if plan is None:
            raise NotFound("This organisation has not published an action plan.")
        actions = list(plan.actions.all())
        numbers = {action.pk: n for n, action in enumerate(actions, start=1)}
        themes = [
            {
                "theme": theme.name,
                "commitment": theme.commitment,
                "actions": [_action(action, numbers[action.pk]) for action in in_theme],
            }
            for theme, in_theme in actions_by_theme(actions, list(themes_in_use()))
        ]
        data = {
            "organisation": organisation.slug,
            "stage": plan.stage_number,
            "submitted_on": plan.submitted_at.date(),
            "published_on": plan.published_at.date(),
            "themes": themes,
        }
        return Response(ActionPlanSerializer(data).data)


def _action(action, number: int) -> dict:
    latest = next(iter(action.updates.all()), None)
    return {
        "number": number,
        "title": action.title,
        "description": action.description,
        "owner": action.owner,
        "success_measures": action.success_measures,
        "starts_on": action.starts_on,
        "target_on": action.target_on,
        "progress": (latest.status if latest else action.status),
        "progress_note": latest.note if latest else "",
        "progress_recorded_on": latest.recorded_at.date() if latest else None,
    }
