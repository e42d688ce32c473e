"""Who may open every staff URL and the workspace: one row per URL and method, one column per role.

Staff pages answer 404 to everyone signed in but ITSS staff (they are not told
the page exists) and send the anonymous to sign in; a refused POST changes nothing."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from action_plans.deadlines import add_months
from core.models import ActivityLog
from organisations.enums import OnboardingStatus
from organisations.models import Organisation
from organisations.steps import STEPS
from organisations.urls import urlpatterns
from tests.accounts.people import person
from tests.conftest import with_totp
from tests.factories import (
    OrganisationFactory,
    StaffFactory,
)
from tests.organisations.builders import (
    ANNOUNCED_ON,
    MEETING_ON,
    organisation_at,
    signed_form,
    signed_form_data,
    stored,
)

pytestmark = pytest.mark.django_db

S = OnboardingStatus
ROLES = ("anonymous", "outsider", "lead_b", "lead_a", "contributor_a", "reviewer", "staff")

CSV = b"name,kind,type,region\nUniversity of Matrixshire,signatory,university,north_east\n"


def _person(role, *, this, other):
    user = person(role, org_a=this, org_b=other)
    if role in ("reviewer", "staff"):
        # With an authenticator, so the two-factor check lets them through.
        with_totp(user)
    return user


def _edit_data(org):
    return {
        "kind": org.kind,
        "name": org.name,
        "short_name": "Matrix",
        "org_type": org.org_type,
        "region": org.region,
        "note": "",
    }


@dataclass(frozen=True)
class Endpoint:
    method: str
    url: Callable[[Organisation], str]
    status: str = S.ENQUIRY  # the stage the organisation is at
    data: Callable[[Organisation], dict] | None = None
    staff_expects: int = 200
    staff_redirect: Callable[[Organisation], str] | None = None
    with_form: bool = False
    fields: Callable[[], dict] | None = None  # more for the organisation, e.g. its dates


def _step(action):
    return lambda org: reverse("organisations:organisation_transition", args=[org.slug, action])


def _to_staff_page(org):
    return org.get_staff_url()


def _lapsing():
    """Announced 26 months ago: Stage 1 is about 8 months overdue, so it is lapsing."""
    return {"announced_on": add_months(timezone.localdate(), -26)}


ENDPOINTS = {
    "pipeline": Endpoint("get", lambda org: reverse("organisations:pipeline")),
    "new-enquiry-get": Endpoint("get", lambda org: reverse("organisations:organisation_create")),
    "new-enquiry-post": Endpoint(
        "post",
        lambda org: reverse("organisations:organisation_create"),
        data=lambda org: {
            "kind": "signatory",
            "name": "University of Matrixshire",
            "org_type": "university",
            "region": "north_east",
            "enquiry_received_on": "2024-01-10",
            "note": "",
        },
        staff_expects=302,
        staff_redirect=lambda org: reverse(
            "organisations:staff_organisation", args=["university-of-matrixshire"]
        ),
    ),
    "staff-page": Endpoint("get", _to_staff_page),
    "edit-get": Endpoint(
        "get", lambda org: reverse("organisations:organisation_edit", args=[org.slug])
    ),
    "edit-post": Endpoint(
        "post",
        lambda org: reverse("organisations:organisation_edit", args=[org.slug]),
        data=_edit_data,
        staff_expects=302,
        staff_redirect=_to_staff_page,
    ),
    "signed-form": Endpoint(
        "get",
        lambda org: reverse("organisations:signed_form_download", args=[org.slug]),
        status=S.FORM_RECEIVED,
        with_form=True,
    ),
    "meeting-get": Endpoint("get", _step("meeting")),
    "meeting-post": Endpoint(
        "post",
        _step("meeting"),
        data=lambda org: {"held_on": MEETING_ON.isoformat(), "note": ""},
        staff_expects=302,
        staff_redirect=_to_staff_page,
    ),
    "form-get": Endpoint("get", _step("form"), status=S.MEETING_HELD),
    "form-post": Endpoint(
        "post",
        _step("form"),
        status=S.MEETING_HELD,
        data=lambda org: signed_form_data(),
        staff_expects=302,
        staff_redirect=_to_staff_page,
    ),
    "announce-get": Endpoint("get", _step("announce"), status=S.FORM_RECEIVED),
    "announce-post": Endpoint(
        "post",
        _step("announce"),
        status=S.FORM_RECEIVED,
        data=lambda org: {"announced_on": ANNOUNCED_ON.isoformat(), "note": ""},
        staff_expects=302,
        staff_redirect=_to_staff_page,
    ),
    "activate-get": Endpoint("get", _step("activate"), status=S.ANNOUNCED),
    "activate-post": Endpoint(
        "post",
        _step("activate"),
        status=S.ANNOUNCED,
        data=lambda org: {"note": ""},
        staff_expects=302,
        staff_redirect=_to_staff_page,
    ),
    "withdraw-get": Endpoint("get", _step("withdraw"), status=S.ACTIVE),
    "withdraw-post": Endpoint(
        "post",
        _step("withdraw"),
        status=S.ACTIVE,
        data=lambda org: {"reason": "Left the scheme."},
        staff_expects=302,
        staff_redirect=_to_staff_page,
    ),
    "reinstate-get": Endpoint("get", _step("reinstate"), status=S.WITHDRAWN),
    "reinstate-post": Endpoint(
        "post",
        _step("reinstate"),
        status=S.WITHDRAWN,
        data=lambda org: {"note": ""},
        staff_expects=302,
        staff_redirect=_to_staff_page,
    ),
    "lapse-get": Endpoint("get", _step("lapse"), status=S.ACTIVE, fields=_lapsing),
    "lapse-post": Endpoint(
        "post",
        _step("lapse"),
        status=S.ACTIVE,
        fields=_lapsing,
        data=lambda org: {"note": "Eight months overdue."},
        staff_expects=302,
        staff_redirect=_to_staff_page,
    ),
    "restore-get": Endpoint("get", _step("restore"), status=S.LAPSED),
    "restore-post": Endpoint(
        "post",
        _step("restore"),
        status=S.LAPSED,
        data=lambda org: {"note": "Plan agreed."},
        staff_expects=302,
        staff_redirect=_to_staff_page,
    ),
    "import-get": Endpoint("get", lambda org: reverse("organisations:import_upload")),
    "import-post": Endpoint(
        "post",
        lambda org: reverse("organisations:import_upload"),
        data=lambda org: {"file": signed_form("register.csv", CSV)},
    ),
    "import-confirm-post": Endpoint(
        "post",
        lambda org: reverse("organisations:import_confirm"),
        data=lambda org: {"content": CSV.decode()},
        staff_expects=302,
        staff_redirect=lambda org: reverse("organisations:pipeline"),
    ),
}


def test_every_staff_url_is_in_the_matrix():
    staff_names = {p.name for p in urlpatterns if str(p.pattern).startswith("staff/")}
    covered = {
        "pipeline",
        "organisation_create",
        "staff_organisation",
        "organisation_edit",
        "signed_form_download",
        "organisation_transition",
        "import_upload",
        "import_confirm",
    }
    assert staff_names == covered
    steps = {name.split("-")[0] for name in ENDPOINTS if name.endswith(("-get", "-post"))}
    assert set(STEPS) <= steps


def _written():
    return (Organisation.objects.count(), ActivityLog.objects.count())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS.values(), ids=ENDPOINTS)
def test_staff_urls_by_role(client, endpoint, role):
    extra = endpoint.fields() if endpoint.fields else {}
    this = organisation_at(endpoint.status, name="University of Thisshire", **extra)
    other = OrganisationFactory(name="University of Othershire")
    if endpoint.with_form:
        this.signed_form.save("signed.pdf", signed_form(), save=True)
    user = _person(role, this=this, other=other)
    if role != "anonymous":
        client.force_login(user)
    url = endpoint.url(this)
    before, written = stored(this), _written()

    if endpoint.method == "get":
        response = client.get(url)
    else:
        response = client.post(url, endpoint.data(this))

    if role == "anonymous":
        assert response.status_code == 302
        assert response.url == f"{reverse('account_login')}?next={quote(url)}"
    elif role == "staff":
        assert response.status_code == endpoint.staff_expects
        if endpoint.staff_redirect:
            assert response.url == endpoint.staff_redirect(this)
    else:
        assert response.status_code == 404
    if role != "staff":
        assert stored(this) == before
        assert _written() == written


def test_the_signed_form_downloads_for_staff_as_a_pdf(client):
    organisation = organisation_at(S.FORM_RECEIVED)
    pdf = signed_form()
    content = pdf.read()
    pdf.seek(0)
    organisation.signed_form.save("signed.pdf", pdf, save=True)
    client.force_login(with_totp(StaffFactory()))

    response = client.get(reverse("organisations:signed_form_download", args=[organisation.slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == content


@pytest.mark.parametrize("missing", ["never uploaded", "gone from disk"])
def test_a_missing_signed_form_is_not_found_even_for_staff(client, missing):
    organisation = organisation_at(S.FORM_RECEIVED)
    if missing == "gone from disk":
        organisation.signed_form.save("signed.pdf", signed_form(), save=True)
        organisation.signed_form.storage.delete(organisation.signed_form.name)
    client.force_login(with_totp(StaffFactory()))

    response = client.get(reverse("organisations:signed_form_download", args=[organisation.slug]))

    assert response.status_code == 404


def test_staff_without_an_authenticator_are_sent_to_set_one_up(client):
    client.force_login(StaffFactory())

    response = client.get(reverse("organisations:pipeline"))

    assert response.status_code == 302
    # First to confirming by email that the account is theirs, then to the set-up.
    assert response.url == reverse("accounts:two_factor_confirm")


WORKSPACE = {
    "anonymous": "login",
    "outsider": 404,
    "lead_b": 404,
    "lead_a": 200,
    "contributor_a": 200,
    "reviewer": 404,
    "staff": 200,
}


@pytest.mark.parametrize(("role", "expected"), WORKSPACE.items())
def test_the_workspace_by_role(client, role, expected):
    this = OrganisationFactory(name="University of Thisshire")
    other = OrganisationFactory(name="University of Othershire")
    user = _person(role, this=this, other=other)
    if role != "anonymous":
        client.force_login(user)
    url = reverse("organisations:workspace", args=[this.slug])

    response = client.get(url)

    if expected == "login":
        assert response.status_code == 302
        assert response.url == f"{reverse('account_login')}?next={quote(url)}"
    else:
        assert response.status_code == expected
    if expected == 200:
        assert "University of Thisshire" in response.content.decode()


def test_the_workspace_of_an_unknown_organisation_is_not_found_even_for_staff(client):
    client.force_login(with_totp(StaffFactory()))

    response = client.get(reverse("organisations:workspace", args=["nowhere"]))

    assert response.status_code == 404


@pytest.mark.parametrize(("role", "sees_staff_links"), [("lead_a", False), ("staff", True)])
def test_only_staff_see_the_staff_view_and_signed_form_links(client, role, sees_staff_links):
    this = organisation_at(S.FORM_RECEIVED, name="University of Thisshire")
    this.signed_form.save("signed.pdf", signed_form(), save=True)
    client.force_login(_person(role, this=this, other=OrganisationFactory()))

    page = client.get(reverse("organisations:workspace", args=[this.slug])).content.decode()

    download = reverse("organisations:signed_form_download", args=[this.slug])
    assert (f'href="{this.get_staff_url()}"' in page) is sees_staff_links
    assert download not in page


# The register's permissions: who holds each, about organisation A. Those about one
# organisation are declared on the model (``Organisation.Meta.rules_permissions``).
PERMISSION_HOLDERS = {
    "organisations.manage_organisation": {"staff"},
    "organisations.view_workspace": {"staff", "lead_a", "contributor_a"},
    "organisations.edit_public_details": {"staff", "lead_a"},
    "organisations.view_pipeline": {"staff"},
    "organisations.import_organisations": {"staff"},
}
TRUTH_ROLES = (*ROLES, "inactive_staff", "inactive_lead_a")


@pytest.mark.parametrize("role", TRUTH_ROLES)
@pytest.mark.parametrize("permission", PERMISSION_HOLDERS)
def test_the_register_permissions_by_role(permission, role):
    this = OrganisationFactory(name="University of Thisshire")
    user = person(role, org_a=this, org_b=OrganisationFactory(name="University of Othershire"))

    assert user.has_perm(permission, this) is (role in PERMISSION_HOLDERS[permission])


def test_the_object_permissions_are_declared_on_the_model():
    assert set(Organisation._meta.rules_permissions) == {
        "manage_organisation",
        "view_workspace",
        "edit_public_details",
    }
