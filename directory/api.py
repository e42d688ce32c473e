"""The open-data API (read only): organisations with the directory's filters, each
organisation, and its published action plan. Only what the public pages show is exposed:
never a draft, a review, or personal data beyond the named public contact."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from action_plans.enums import ActionStatus, DatePrecision
from action_plans.models import Action
from action_plans.selectors import actions_by_theme, published_plan, themes_in_use
from organisations.enums import OrganisationKind, OrganisationType, Region

from .filters import PUBLIC_STATUS_CHOICES, DirectoryFilter
from .selectors import directory_organisations


def _whole_number(params, name: str, *, default: int, highest: int | None = None) -> int:
    """The query parameter ``name`` as a whole number from 1 (to ``highest``), ``default``
    when absent or empty; anything else is refused with a message naming the parameter."""
    raw = params.get(name, "")
    if raw == "":
        return default
    number = int(raw) if raw.isascii() and raw.isdigit() else 0
    if number < 1 or (highest is not None and number > highest):
        upto = f" to {highest}" if highest is not None else ""
        raise ValidationError({name: [f"Enter a whole number from 1{upto}."]})
    return number


class Pages(PageNumberPagination):
    """Pages of the list. A page or page size that is not a whole number in range is a
    400 naming it; a page past the last is a 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()
    invalid_page_message = "There is no page {page_number} of these results."

    def get_page_size(self, request):
        return _whole_number(
            request.query_params,
            self.page_size_query_param,
            default=self.page_size,
            highest=self.max_page_size,
        )

    def paginate_queryset(self, queryset, request, view=None):
        # Both parameters checked at once, so a 400 names every one refused.
        refused = {}
        for check in (
            lambda: _whole_number(request.query_params, self.page_query_param, default=1),
            lambda: self.get_page_size(request),
        ):
            try:
                check()
            except ValidationError as exc:
                refused.update(exc.detail)
        if refused:
            raise ValidationError(refused)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Number of results per page, {self.page_size} unless given."
                )
        return parameters


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


class _BlankAsNull:
    """An address the organisation may not have given: null then, never an empty string
    where the schema promises a URI or an email address."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class OptionalURLField(_BlankAsNull, serializers.URLField):
    pass


class OptionalEmailField(_BlankAsNull, serializers.EmailField):
    pass


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(source="contact_name")
    role = serializers.CharField(source="contact_role")
    email = OptionalEmailField(source="contact_email")


class OrganisationSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    type = serializers.ChoiceField(source="org_type", choices=OrganisationType.choices)
    nation_or_region = serializers.ChoiceField(source="region", choices=Region.choices)
    country = serializers.CharField()
    status = serializers.SerializerMethodField()
    joined = serializers.DateField(source="announced_on")
    latest_stage_submitted = serializers.IntegerField(source="latest_stage", allow_null=True)
    technician_commitment_page = OptionalURLField(source="tc_page_url")
    website = OptionalURLField()
    contact = ContactSerializer(source="*")
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)
    page = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    action_plan = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=PUBLIC_STATUS_CHOICES))
    def get_status(self, organisation) -> str:
        """ "active" (announced or active) or "lapsed"."""
        return "lapsed" if organisation.status == "lapsed" else "active"

    @extend_schema_field(OpenApiTypes.URI)
    def get_page(self, organisation) -> str:
        return _absolute(reverse("directory:public_organisation", args=[organisation.slug]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, organisation) -> str:
        return _absolute(reverse("api:organisation", args=[organisation.slug]))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_action_plan(self, organisation) -> str | None:
        """Where its published action plan is, or null before it publishes one."""
        if organisation.published_stage is None:
            return None
        return _absolute(reverse("api:action_plan", args=[organisation.slug]))


TARGET_HELP = (
    "As the plan gives it: a day (“11 December 2027”), a month (“December 2027”), a quarter "
    "(“October–December 2027”) or a year (“2027”)."
)


class MilestoneSerializer(serializers.Serializer):
    label = serializers.CharField()
    target = serializers.CharField(help_text=TARGET_HELP)
    target_date = serializers.DateField(help_text="The last day of the target's period.")
    target_precision = serializers.ChoiceField(choices=DatePrecision.choices)


# What the lead wrote that the public reads: every written field but the status it was
# planned with (the public reads its progress) and the target's precision (given with
# the target).
ACTION_PUBLIC_FIELDS = [
    name for name in Action.WRITTEN_FIELDS if name not in ("status", "target_precision")
]


class ActionSerializer(serializers.ModelSerializer):
    """One action of a published plan; its written fields come from the model."""

    number = serializers.IntegerField()
    target = serializers.CharField(allow_null=True, help_text=TARGET_HELP)
    target_date = serializers.DateField(
        allow_null=True,
        help_text="The last day of the target's period (31 December 2027 for December 2027).",
    )
    target_precision = serializers.ChoiceField(
        choices=DatePrecision.choices, allow_null=True, help_text="How precise the target is."
    )
    target_on = serializers.DateField(
        allow_null=True, help_text="The same as target_date, for earlier clients."
    )
    milestones = MilestoneSerializer(many=True, help_text="Dated steps on the way, in order.")
    progress = serializers.ChoiceField(
        choices=ActionStatus.choices, help_text="The latest progress recorded, or as planned."
    )
    progress_note = serializers.CharField()
    progress_recorded_on = serializers.DateField(allow_null=True)

    class Meta:
        model = Action
        fields = [
            "number",
            *ACTION_PUBLIC_FIELDS,
            "target",
            "target_date",
            "target_precision",
            "milestones",
            "progress",
            "progress_note",
            "progress_recorded_on",
        ]
        read_only_fields = ACTION_PUBLIC_FIELDS


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


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


# A refused query names each parameter it refused, with the reasons.
InvalidQuerySerializer = type(
    "InvalidQuerySerializer",
    (serializers.Serializer,),
    {
        name: serializers.ListField(child=serializers.CharField(), required=False)
        for name in [*DirectoryFilter.base_filters, "page", "page_size"]
    },
)

SLUG = OpenApiParameter(
    "slug",
    {"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$"},
    OpenApiParameter.PATH,
    required=True,
    description="The organisation's slug, as in its page's address.",
)


def _filter_parameters() -> list[OpenApiParameter]:
    """The bounds of the directory's free-value filters, taken from the filters, which the
    generated schema would not state."""
    joined = DirectoryFilter.base_filters["joined"]
    q = DirectoryFilter.base_filters["q"]
    return [
        OpenApiParameter(
            "joined",
            {
                "type": "integer",
                "minimum": joined.extra["min_value"],
                "maximum": joined.extra["max_value"],
            },
            description="Year joined (announced).",
        ),
        OpenApiParameter(
            "q",
            # Django refuses the NUL character in any text it is given.
            {"type": "string", "maxLength": q.extra["max_length"], "pattern": "^[^\\x00]*$"},
            description="Search by name or short name.",
        ),
    ]


THROTTLED = OpenApiResponse(ErrorSerializer, description="Too many requests; try again later.")


def _not_found(what: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=what)


class _FilteredListSchema(AutoSchema):
    """Each query parameter may be given empty, as the directory's own form sends those it
    leaves alone, and means then what it means when left out."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                parameter["allowEmptyValue"] = True
        return operation


@extend_schema(
    summary="Signatories and supporters",
    description="Filtered as the directory is (`q`, `kind`, `org_type`, `region`, "
    "`status`, `joined`, `stage`, `sort`) and paged.",
    parameters=_filter_parameters(),
    responses={
        200: OrganisationSerializer(many=True),
        400: OpenApiResponse(
            InvalidQuerySerializer, description="A filter or page parameter was not understood."
        ),
        404: _not_found("A page past the last."),
        429: THROTTLED,
    },
)
class OrganisationList(generics.ListAPIView):
    schema = _FilteredListSchema()
    serializer_class = OrganisationSerializer
    pagination_class = Pages
    filter_backends = [DjangoFilterBackend]
    filterset_class = DirectoryFilter

    def get_queryset(self):
        return directory_organisations().order_by("name")


@extend_schema(
    summary="One organisation",
    parameters=[SLUG],
    responses={
        200: OrganisationSerializer,
        404: _not_found("No organisation in the directory has this slug."),
        429: THROTTLED,
    },
)
class OrganisationDetail(generics.RetrieveAPIView):
    serializer_class = OrganisationSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return directory_organisations()


@extend_schema(
    summary="An organisation's published action plan, by theme, with progress",
    parameters=[SLUG],
    responses={
        200: ActionPlanSerializer,
        404: _not_found(
            "No organisation in the directory has this slug, or it has not published a plan."
        ),
        429: THROTTLED,
    },
)
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


def _target(period) -> dict:
    return {
        "target": period.text if period else None,
        "target_date": period.on if period else None,
        "target_precision": period.precision if period else None,
    }


def _action(action, number: int) -> dict:
    latest = next(iter(action.updates.all()), None)
    return {
        "number": number,
        **{name: getattr(action, name) for name in ACTION_PUBLIC_FIELDS},
        **_target(action.target),
        "milestones": [{"label": m.label, **_target(m.when)} for m in action.milestones.all()],
        "progress": action.current_status,
        "progress_note": latest.note if latest else "",
        "progress_recorded_on": latest.recorded_at.date() if latest else None,
    }


@extend_schema(exclude=True)
class NoSuchAddress(APIView):
    """Any other address under the API: a 404 in JSON, as the API's other answers are."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # throttled as the rest of the API
        raise NotFound("There is nothing at this address.")
