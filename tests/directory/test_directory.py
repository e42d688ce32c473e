"""The public directory: who it lists, search, every filter, order, pages, in place and not;
its CSV and its feed."""

import csv
import io
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from action_plans import packs
from action_plans import services as plan_services
from action_plans.enums import ActionStatus, PackStatus
from action_plans.models import SubmissionPack
from directory.cache import public_changed
from organisations.enums import OnboardingStatus, OrganisationKind, OrganisationType, Region
from organisations.models import Organisation
from reviews import services as review_services
from reviews.models import Feedback
from tests.action_plans.builders import (
    announced_organisation,
    lead_of,
    own_storage,
    started,
    submitted,
)
from tests.factories import OrganisationFactory, StaffFactory
from tests.organisations.builders import many_public_organisations
from tests.reviews.builders import assign, review_round, reviewer, write_review

pytestmark = pytest.mark.django_db

S = OnboardingStatus
URL = reverse("directory:directory")
# For the public (no session): the count and the page of organisations, with the latest
# stage each submitted. On SQLite a search first asks whether anything contains the term
# (else it looks for the closest names).
DIRECTORY_QUERIES = 2


def listed(**fields) -> Organisation:
    """An organisation the public may see."""
    values = {"status": S.ACTIVE, "announced_on": date(2019, 12, 1), **fields}
    return OrganisationFactory(**values)


def names(client, query: str = "", **params) -> list[str]:
    response = client.get(URL + (f"?{query}" if query else ""), params)
    assert response.status_code == 200
    return [org.name for org in response.context["page"].object_list]


@pytest.fixture
def network():
    return [
        listed(name="University of Nottingham", short_name="Nottingham"),
        listed(
            name="Imperial College London",
            short_name="Imperial",
            announced_on=date(2017, 5, 15),
            region=Region.LONDON,
        ),
        listed(
            name="Université de Montréal",
            short_name="UdeM",
            region=Region.OUTSIDE_UK,
            country="Canada",
            announced_on=date(2023, 11, 1),
        ),
        listed(
            name="Royal Society of Chemistry",
            short_name="RSC",
            kind=OrganisationKind.SUPPORTER,
            org_type=OrganisationType.LEARNED_SOCIETY,
        ),
        listed(name="University of Lapsington", status=S.LAPSED, lapsed_on=date(2026, 6, 1)),
    ]


def test_it_lists_the_public_organisations_only(client, network):
    OrganisationFactory(name="Enquiring University", status=S.ENQUIRY)
    OrganisationFactory(name="Withdrawn University", status=S.WITHDRAWN)
    OrganisationFactory(
        name="Announced Tomorrow University",
        status=S.ANNOUNCED,
        announced_on=timezone.localdate() + timedelta(days=1),
    )

    assert names(client) == sorted(org.name for org in network)


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("Nottingham", ["University of Nottingham"]),
        ("nottingham", ["University of Nottingham"]),
        ("RSC", ["Royal Society of Chemistry"]),
        ("imperial college", ["Imperial College London"]),
        ("  Imperial   College ", ["Imperial College London"]),
        ("no such place", []),
    ],
)
def test_search_by_name_or_short_name(client, network, term, found):
    assert names(client, q=term) == found


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("nottingam", ["University of Nottingham"]),
        ("imperail", ["Imperial College London"]),
        ("universite de montreal", ["Université de Montréal"]),
        ("montreal", ["Université de Montréal"]),
    ],
)
def test_search_forgives_typos_and_accents_on_postgresql(client, network, term, found):
    if connection.vendor != "postgresql":
        pytest.skip("trigram and unaccent search are PostgreSQL's; CI runs this on it")
    assert names(client, q=term) == found


def test_on_sqlite_a_typo_finds_the_closest_name(client, network):
    if connection.vendor != "sqlite":
        pytest.skip("the simpler match is SQLite's")
    assert names(client, q="nottingam") == ["University of Nottingham"]


def test_a_search_puts_the_best_match_first_on_postgresql(client, network):
    if connection.vendor != "postgresql":
        pytest.skip("ranked by trigram similarity on PostgreSQL")
    listed(name="Nottingham Trent University", short_name="NTU")
    assert names(client, q="nottingham trent")[0] == "Nottingham Trent University"


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"kind": "supporter"}, ["Royal Society of Chemistry"]),
        ({"org_type": "learned_society"}, ["Royal Society of Chemistry"]),
        ({"region": "london"}, ["Imperial College London"]),
        ({"region": "outside_uk"}, ["Université de Montréal"]),
        ({"status": "lapsed"}, ["University of Lapsington"]),
        ({"joined": "2017"}, ["Imperial College London"]),
        ({"joined": "2023", "region": "outside_uk"}, ["Université de Montréal"]),
        ({"kind": "supporter", "region": "london"}, []),
    ],
)
def test_each_filter(client, network, params, found):
    assert names(client, **params) == found


def test_active_means_announced_or_active_not_lapsed(client, network):
    listed(name="Newly Announced University", status=S.ANNOUNCED)
    found = names(client, status="active")
    assert "University of Lapsington" not in found
    assert "Newly Announced University" in found
    assert len(found) == 5


def test_the_stage_filter_counts_submitted_stages(client, network):
    submitting = announced_organisation(name="Submitting University")
    submitted(submitting, lead_of(submitting))
    writing = announced_organisation(name="Writing University")
    started(writing, lead_of(writing))  # in progress: not submitted

    assert names(client, stage="1") == ["Submitting University"]
    assert "Writing University" in names(client, stage="0")
    assert names(client, stage="2") == []


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("name", "Imperial College London"),
        ("newest", "Université de Montréal"),
        ("oldest", "Imperial College London"),
    ],
)
def test_order(client, network, sort, first):
    assert names(client, sort=sort)[0] == first


@pytest.mark.parametrize(
    "query",
    ["kind=nonsense", "joined=abc", "stage=9", "sort=sideways", "region=atlantis", "page=x"],
)
def test_a_hand_edited_address_is_answered_not_failed(client, network, query):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    if not query.startswith("page"):
        assert response.context["filter"].errors


def test_pages_of_twenty_four_keep_the_filters_in_their_links(client):
    for n in range(30):
        listed(name=f"University {n:02d}", kind=OrganisationKind.SIGNATORY)
    listed(name="A Supporter", kind=OrganisationKind.SUPPORTER)

    first = client.get(URL, {"kind": "signatory"})
    second = client.get(URL, {"kind": "signatory", "page": 2})

    assert len(first.context["page"].object_list) == 24
    assert [o.name for o in second.context["page"].object_list] == [
        f"University {n:02d}" for n in range(24, 30)
    ]
    assert 'href="?kind=signatory&amp;page=2"' in first.content.decode()


def test_htmx_gets_only_the_results_and_a_shareable_address(client, network):
    response = client.get(
        URL,
        {"kind": "supporter"},
        headers={"HX-Request": "true", "HX-Target": "directory-results"},
    )
    text = response.content.decode()
    assert "<html" not in text
    assert "Royal Society of Chemistry" in text
    assert "University of Nottingham" not in text


def test_without_javascript_the_form_is_a_plain_get(client, network):
    text = client.get(URL).content.decode()
    assert f'<form method="get" action="{URL}"' in text
    for name in ("q", "kind", "org_type", "region", "status", "joined", "stage", "sort"):
        assert f'name="{name}"' in text


def test_each_entry_links_to_the_organisation_page(client, network):
    text = client.get(URL, {"q": "Nottingham"}).content.decode()
    assert (
        f'href="{reverse("directory:public_organisation", args=["university-of-nottingham"])}"'
        in text
    )


def _queries(client, **params) -> int:
    public_changed()  # measure the page as made, not as kept in the cache
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, params).status_code == 200
    return len(captured)


@pytest.mark.parametrize("params", [{}, {"q": "Univ"}, {"kind": "signatory", "stage": "0"}])
def test_the_directory_runs_the_same_queries_for_10_and_500_organisations(client, params):
    for n in range(10):
        listed(name=f"University {n:03d}")
    client.get(URL)  # warm: content types and the session
    small = _queries(client, **params)
    many_public_organisations(10, 500)
    large = _queries(client, **params)

    searching_sqlite = "q" in params and connection.vendor == "sqlite"
    assert small == large == DIRECTORY_QUERIES + searching_sqlite


def test_the_csv_is_the_filtered_list_with_public_fields_only(client, network):
    response = client.get(URL, {"region": "london", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert [r["name"] for r in rows] == names(client, region="london")
    assert set(rows[0]) == {
        "name",
        "short_name",
        "kind",
        "type",
        "nation_or_region",
        "country",
        "status",
        "joined",
        "latest_stage_submitted",
        "technician_commitment_page",
        "website",
        "contact_name",
        "contact_role",
        "contact_email",
        "latitude",
        "longitude",
        "page",
    }
    assert rows[0]["page"].endswith("/organisations/imperial-college-london/")


def test_every_filter_state_downloads_as_the_list_shows_it(client, network):
    for params in ({}, {"kind": "supporter"}, {"q": "university"}, {"status": "lapsed"}):
        response = client.get(URL, {**params, "format": "csv"})
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert [r["name"] for r in rows] == names(client, **params)


def test_a_formula_in_a_name_is_not_run_by_a_spreadsheet(client):
    listed(name="=HYPERLINK(1) University", short_name="")
    response = client.get(URL, {"format": "csv"})
    assert "'=HYPERLINK(1) University" in response.content.decode()


def test_the_feed_is_valid_atom_of_the_newest_announcements(client, network):
    OrganisationFactory(name="Enquiring University", status=S.ENQUIRY)
    response = client.get(reverse("directory:feed"))

    assert response["Content-Type"].startswith("application/atom+xml")
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{atom}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{atom}{required}") is not None
    entries = feed.findall(f"{atom}entry")
    titles = [e.find(f"{atom}title").text for e in entries]
    assert titles[0] == "Université de Montréal joins as a signatory"
    assert "Enquiring University joins as a signatory" not in titles
    assert len(titles) == len(network)
    for entry in entries:
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{atom}{required}") is not None
    assert len({e.find(f"{atom}id").text for e in entries}) == len(entries)


def test_coordinates_west_of_greenwich_stay_numbers(client):
    listed(name="Western University", latitude="51.45840", longitude="-2.60300")
    (row,) = csv.DictReader(io.StringIO(client.get(URL, {"format": "csv"}).content.decode()))
    assert (row["latitude"], row["longitude"]) == ("51.45840", "-2.60300")


def test_the_organisation_page_shows_its_stage_submission_and_feedback(client):

    autumn = review_round()
    organisation = announced_organisation(name="University of Glance")
    stage = submitted(organisation, lead_of(organisation))
    team = [reviewer() for _ in range(3)]
    for assignment in assign(autumn, stage, team):
        write_review(assignment)
    staff = StaffFactory()
    feedback = review_services.feedback_start(actor=staff, review_round=autumn, submission=stage)
    feedback = review_services.feedback_save(
        actor=staff,
        feedback=feedback,
        version=feedback.version,
        outcome=feedback.outcome,
        summary="Well evidenced.",
        strengths=feedback.strengths,
        areas_to_develop=feedback.areas_to_develop,
        recommendations="",
        themes={},
    )
    review_services.feedback_release(actor=staff, feedback=feedback)
    released = Feedback.objects.get().released_at

    text = client.get(reverse("directory:public_organisation", args=[organisation.slug]))
    glance = text.content.decode().split('id="glance-title"')[1].split("</section>")[0]

    assert "Stage 2, due" in glance
    assert f"Stage 1, {stage.submitted_at:%-d %B %Y}" in glance
    assert f"On Stage 1, released {timezone.localtime(released):%-d %B %Y}" in glance


def test_the_published_plan_is_offered_as_a_pdf_with_its_progress(
    client, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    own_storage(SubmissionPack, "file", tmp_path / "packs", monkeypatch)
    organisation = announced_organisation(name="University of Plansville")
    lead = lead_of(organisation)
    stage = submitted(organisation, lead)
    action = stage.actions.first()
    page_url = reverse("directory:public_organisation", args=[organisation.slug])
    pdf_url = reverse("directory:published_plan_pdf", args=[organisation.slug])
    with django_capture_on_commit_callbacks(execute=True):  # prepared as it changes
        plan_services.submission_publish(actor=lead, submission=stage)
        plan_services.action_progress_record(
            actor=lead, action=action, status=ActionStatus.DONE, note="Finished in March."
        )

    assert "Download the action plan (PDF" in client.get(page_url).content.decode()

    response = client.get(pdf_url)
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="university-of-plansville-action-plan.pdf"'
    )
    assert "University of Plansville" in text
    assert action.title in text
    assert "Finished in March." in text
    assert "priya.shah@example.ac.uk" not in text  # the self-assessment is not in it

    # New progress makes a new PDF; until it is ready the old one is not offered.
    plan_services.action_progress_record(
        actor=lead, action=action, status=ActionStatus.DONE, note="Reported to the board."
    )
    assert client.get(pdf_url).status_code == 404
    page = client.get(page_url).content.decode()
    assert "A PDF of this plan is not available at the moment." in page


def test_no_published_plan_no_pdf(client):
    organisation = announced_organisation(name="University of Drafts")
    submitted(organisation, lead_of(organisation))
    assert (
        client.get(reverse("directory:published_plan_pdf", args=[organisation.slug])).status_code
        == 404
    )


def test_the_organisation_page_runs_the_same_queries_for_10_and_500_organisations(client):
    organisation = listed(name="University of Constance")
    url = reverse("directory:public_organisation", args=[organisation.slug])

    many_public_organisations(0, 9)
    client.get(url)
    public_changed()
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    many_public_organisations(9, 499)
    public_changed()
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)


def test_a_failed_plan_pdf_is_asked_for_again_by_the_organisations_people(
    client, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    own_storage(SubmissionPack, "file", tmp_path / "packs", monkeypatch)
    organisation = announced_organisation(name="University of Plansville")
    lead = lead_of(organisation)
    plan_services.submission_publish(actor=lead, submission=submitted(organisation, lead))
    failed = packs.published_plan_pdf_request(organisation=organisation)
    SubmissionPack.objects.filter(pk=failed.pk).update(status=PackStatus.FAILED, error="No fonts.")
    page_url = reverse("directory:public_organisation", args=[organisation.slug])
    prepare_url = reverse("directory:published_plan_prepare", args=[organisation.slug])

    assert "Prepare the PDF again" not in client.get(page_url).content.decode()
    assert client.post(prepare_url).status_code == 302  # to sign in
    client.force_login(lead_of(announced_organisation(name="University of Elsewhere")))
    assert "Prepare the PDF again" not in client.get(page_url).content.decode()
    assert client.post(prepare_url).status_code == 404
    client.force_login(lead)
    assert "Prepare the PDF again" in client.get(page_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(prepare_url)

    assert asked.url == f"{page_url}#plan-title"
    assert SubmissionPack.objects.get(pk=failed.pk).status == PackStatus.READY
    assert "Download the action plan (PDF" in client.get(page_url).content.decode()
