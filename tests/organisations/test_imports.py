"""Importing the register from CSV: dry run, row and file errors, confirming, re-importing."""

import csv
import html
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from core.exceptions import ApplicationError, NotPermitted
from core.models import ActivityLog
from organisations import services
from organisations.enums import OnboardingStatus
from organisations.imports import COLUMNS, import_apply, preview
from organisations.models import Cohort, Organisation
from organisations.validators import PRIVATE_NETWORK_MESSAGE
from tests.factories import CohortFactory, OrganisationFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

S = OnboardingStatus
UPLOAD = reverse("organisations:import_upload")
CONFIRM = reverse("organisations:import_confirm")

NOTTINGHAM = {
    "name": "University of Nottingham",
    "kind": "signatory",
    "type": "university",
    "region": "east_midlands",
    "short_name": "Nottingham",
    "latitude": "52.9387",
    "longitude": "-1.1960",
    "cohort": "May 2017",
    "status": "active",
    "enquiry_received_on": "2017-01-09",
    "meeting_held_on": "2017-02-06",
    "form_received_on": "2017-03-27",
    "announced_on": "2017-05-16",
}
IOP = {
    "name": "Institute of Physics",
    "kind": "supporter",
    "type": "learned_society",
    "region": "london",
    "short_name": "IOP",
    "status": "meeting_held",
    "enquiry_received_on": "03/10/2023",  # the day-first form Excel writes
    "meeting_held_on": "2023-11-01",
}
TRINITY = {
    "name": "Trinity College Dublin",
    "kind": "signatory",
    "type": "university",
    "region": "outside_uk",
    "country": "Ireland",
    "cohort": "November 2023",
    "status": "enquiry",
}
GOOD = [NOTTINGHAM, IOP, TRINITY]


def _csv(rows, columns=None) -> str:
    columns = columns or [c for c in COLUMNS if any(c in r for r in rows)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _upload(client, content, name="register.csv"):
    raw = content.encode() if isinstance(content, str) else content
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, raw, content_type="text/csv")})


def _hidden_content(response) -> str:
    """The file as the dry-run page carries it to the confirm step, read from the HTML."""
    match = re.search(
        r'<input type="hidden" name="content" value="([^"]*)"', response.content.decode()
    )
    assert match, "the dry run offers no confirm form"
    return html.unescape(match.group(1))


def _written():
    return (Organisation.objects.count(), Cohort.objects.count(), ActivityLog.objects.count())


def _outcomes(result) -> list[tuple]:
    return [(r.line, r.name, r.outcome) for r in result.rows]


# The whole journey through the pages.


def test_a_valid_file_is_a_dry_run_until_confirmed(staff_client, staff_user):
    response = _upload(staff_client, _csv(GOOD))

    assert response.status_code == 200
    page = _text(response)
    assert "Dry run of register.csv" in page
    assert "3 rows: 3 to create, 0 to update, 0 unchanged" in page
    assert "Nothing has been written yet: confirm to import." in page
    assert _written() == (0, 0, 0)

    confirmed = staff_client.post(CONFIRM, {"content": _hidden_content(response)})

    assert confirmed.status_code == 302
    assert confirmed.url == reverse("organisations:pipeline")
    assert sorted(Organisation.objects.values_list("name", flat=True)) == [
        "Institute of Physics",
        "Trinity College Dublin",
        "University of Nottingham",
    ]
    page = _text(staff_client.get(confirmed.url))
    assert "Import complete: 3 created, 0 updated, 0 unchanged." in page
    assert sorted(
        ActivityLog.objects.values_list("actor", "verb", "from_status", "to_status")
    ) == sorted(
        [
            (staff_user.pk, "imported", "", S.ACTIVE),
            (staff_user.pk, "imported", "", S.MEETING_HELD),
            (staff_user.pk, "imported", "", S.ENQUIRY),
        ]
    )


def test_confirming_stores_every_column():
    import_apply(actor=StaffFactory(), text=_csv(GOOD))

    nottingham = Organisation.objects.get(slug="university-of-nottingham")
    assert (
        nottingham.kind,
        nottingham.org_type,
        nottingham.region,
        nottingham.short_name,
        nottingham.latitude,
        nottingham.longitude,
        nottingham.cohort.name,
        nottingham.status,
        nottingham.enquiry_received_on,
        nottingham.meeting_held_on,
        nottingham.form_received_on,
        nottingham.announced_on,
    ) == (
        "signatory",
        "university",
        "east_midlands",
        "Nottingham",
        Decimal("52.93870"),
        Decimal("-1.19600"),
        "May 2017",
        S.ACTIVE,
        date(2017, 1, 9),
        date(2017, 2, 6),
        date(2017, 3, 27),
        date(2017, 5, 16),
    )
    iop = Organisation.objects.get(slug="institute-of-physics")
    assert (iop.kind, iop.status, iop.enquiry_received_on, iop.cohort) == (
        "supporter",
        S.MEETING_HELD,
        date(2023, 10, 3),
        None,
    )
    trinity = Organisation.objects.get(slug="trinity-college-dublin")
    assert (trinity.region, trinity.country, trinity.location_label) == (
        "outside_uk",
        "Ireland",
        "Ireland",
    )


# One bad row refuses the whole file.

# name: (the bad row, its expected error) — the bad row is the file's 4th line.
BAD_ROWS = {
    "unknown kind": ({**TRINITY, "name": "Gatsby", "kind": "sponsor"}, "Unknown kind “sponsor”."),
    "unknown type": ({**TRINITY, "name": "Gatsby", "type": "charity"}, "Unknown type “charity”."),
    "unknown region": (
        {**TRINITY, "name": "Gatsby", "region": "Midlands"},
        "Unknown nation or region “Midlands”.",
    ),
    "bad date": (
        {**TRINITY, "enquiry_received_on": "2023-13-45"},
        "enquiry_received_on: “2023-13-45” is not a date (use YYYY-MM-DD).",
    ),
    "missing name": ({**TRINITY, "name": ""}, "Name is required."),
    "bad number": (
        {**TRINITY, "latitude": "fifty-three", "longitude": "-6.25"},
        "latitude: “fifty-three” is not a number.",
    ),
    "latitude beyond the pole": (
        {**TRINITY, "latitude": "95", "longitude": "-6.25"},
        "latitude: Ensure this value is less than or equal to 90.",
    ),
    "unknown status": ({**TRINITY, "status": "signed"}, "Unknown status “signed”."),
    "unknown cohort": (
        {**TRINITY, "cohort": "Spring intake"},
        "Unknown cohort “Spring intake” (name a new one like “May 2017”).",
    ),
    "bad email": (
        {**TRINITY, "contact_email": "office at tcd"},
        "contact_email: Enter a valid email address.",
    ),
    "UK region with a country": (
        {**TRINITY, "region": "london"},
        "Leave the country empty for an organisation in the UK.",
    ),
    "announced without a date": (
        {**TRINITY, "status": "announced"},
        "An announced or active organisation needs its announcement date.",
    ),
    "duplicate row": (dict(NOTTINGHAM), "Same organisation as line 2."),
    "duplicate name in other case": (
        {**NOTTINGHAM, "name": "UNIVERSITY OF NOTTINGHAM"},
        "Same organisation as line 2.",
    ),
    "latitude without longitude": (
        {**TRINITY, "latitude": "53.3438"},
        "Give both latitude and longitude, or neither.",
    ),
    "page on a private network": (
        {**TRINITY, "tc_page_url": "http://169.254.169.254/latest/meta-data/"},
        f"tc_page_url: {PRIVATE_NETWORK_MESSAGE}",
    ),
}


def _bad_file(bad_row) -> str:
    # Line 1 header, 2 Nottingham, 3 IOP, 4 the bad row, 5 Trinity (or a stand-in).
    last = TRINITY if bad_row.get("name") != TRINITY["name"] else {**TRINITY, "name": "TCD"}
    columns = [*COLUMNS]
    return _csv([NOTTINGHAM, IOP, bad_row, last], columns)


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [pytest.param(*case, id=key) for key, case in BAD_ROWS.items()],
)
def test_one_bad_row_is_reported_by_line_and_nothing_is_written(staff_client, bad_row, message):
    text = _bad_file(bad_row)

    response = _upload(staff_client, text)

    assert response.status_code == 400
    result = response.context["preview"]
    assert not result.is_valid
    assert [(r.line, r.errors) for r in result.rows if r.errors] == [(4, [message])]
    assert result.summary["error"] == 1
    page = _text(response)
    assert "Some rows have errors, so nothing will be imported." in page
    assert re.search(r"<td>4</td>\s*<td>[^<]*</td>\s*<td><strong>Error</strong>", page)
    assert message in page
    assert 'name="content"' not in page  # no confirm form is offered

    refused = staff_client.post(CONFIRM, {"content": text})

    assert refused.status_code == 400
    assert "The file has errors; nothing was imported. Check the preview." in _text(refused)
    assert _written() == (0, 0, 0)


def test_a_line_with_more_values_than_columns_is_a_row_error():
    text = _csv(GOOD, ["name", "kind", "type", "region", "country"])
    text += "Ulster University,signatory,university,northern_ireland,,Belfast\r\n"

    result = preview(text)

    assert [(r.line, r.errors) for r in result.rows if r.errors] == [
        (5, ["More values than columns on this line."])
    ]


def test_import_apply_refuses_an_invalid_file_and_writes_nothing():
    with pytest.raises(ApplicationError) as refused:
        import_apply(actor=StaffFactory(), text=_bad_file({**TRINITY, "kind": "sponsor"}))

    assert refused.value.message == "The file has errors; nothing was imported. Check the preview."
    assert _written() == (0, 0, 0)


# Importing again.


def test_importing_the_same_file_again_changes_nothing(staff_client):
    text = _csv(GOOD)
    staff_client.post(CONFIRM, {"content": text})
    written = _written()

    again = _upload(staff_client, text)

    assert again.status_code == 200
    assert _outcomes(again.context["preview"]) == [
        (2, "University of Nottingham", "unchanged"),
        (3, "Institute of Physics", "unchanged"),
        (4, "Trinity College Dublin", "unchanged"),
    ]
    assert "Unchanged" in _text(again)
    confirmed = staff_client.post(CONFIRM, {"content": _hidden_content(again)})
    assert confirmed.status_code == 302
    assert _written() == written
    page = _text(staff_client.get(confirmed.url))
    assert "Import complete: 0 created, 0 updated, 3 unchanged." in page


def test_a_changed_value_updates_the_organisation_in_place(staff_client, staff_user):
    staff_client.post(CONFIRM, {"content": _csv(GOOD)})
    organisations, cohorts, log = _written()
    changed = _csv(
        [NOTTINGHAM, {**IOP, "short_name": "IoP", "region": "London (England)"}, TRINITY]
    )

    response = _upload(staff_client, changed)

    result = response.context["preview"]
    assert _outcomes(result) == [
        (2, "University of Nottingham", "unchanged"),
        (3, "Institute of Physics", "update"),
        (4, "Trinity College Dublin", "unchanged"),
    ]
    assert result.rows[1].changes == ["short_name"]
    assert "Changes: short_name" in _text(response)

    staff_client.post(CONFIRM, {"content": _hidden_content(response)})

    assert _written() == (organisations, cohorts, log + 1)
    iop = Organisation.objects.get(slug="institute-of-physics")
    assert iop.short_name == "IoP"
    entry = ActivityLog.objects.order_by("-id").first()
    assert (entry.actor, entry.verb, entry.object_id, entry.note) == (
        staff_user,
        "updated by import",
        iop.pk,
        "Changed: short_name.",
    )


def test_a_row_matches_an_existing_organisation_by_name_whatever_its_slug():
    existing = OrganisationFactory(name="University of Nottingham", slug="nottingham")

    result = preview(_csv([NOTTINGHAM]))
    import_apply(actor=StaffFactory(), text=_csv([NOTTINGHAM]))

    assert [(r.slug, r.outcome) for r in result.rows] == [("nottingham", "update")]
    assert list(Organisation.objects.values_list("pk", "slug")) == [(existing.pk, "nottingham")]


def test_a_file_without_the_optional_columns_leaves_the_other_details_alone():
    import_apply(actor=StaffFactory(), text=_csv(GOOD))
    minimal = _csv(GOOD, ["name", "kind", "type", "region"])

    result = preview(minimal)

    assert [r.outcome for r in result.rows] == ["unchanged", "unchanged", "unchanged"]
    import_apply(actor=StaffFactory(), text=minimal)
    nottingham = Organisation.objects.get(slug="university-of-nottingham")
    assert (nottingham.status, nottingham.short_name, nottingham.announced_on) == (
        S.ACTIVE,
        "Nottingham",
        date(2017, 5, 16),
    )


def test_a_row_naming_an_organisation_never_updates_another_into_a_clash(staff_client):
    OrganisationFactory(name="University of St Andrews", slug="university-of-st-andrews")
    second = services.organisation_create(
        actor=StaffFactory(),
        kind="signatory",
        name="University of St. Andrews",
        org_type="university",
        region="scotland",
    )
    row = {
        "name": "University of St. Andrews",
        "kind": "signatory",
        "type": "university",
        "region": "scotland",
    }
    text = _csv([row])

    response = _upload(staff_client, text)

    assert [(r.slug, r.outcome) for r in response.context["preview"].rows] in (
        [(second.slug, "unchanged")],
        [(second.slug, "update")],
        [("university-of-st-andrews", "error")],
    )
    staff_client.raise_request_exception = False
    confirmed = staff_client.post(CONFIRM, {"content": text})
    assert confirmed.status_code in (302, 400)


# The file as a whole.

LIMIT = 400
OVERSIZE = (
    b"name,kind,type,region\r\n" + b"University of York,signatory,university,yorkshire\r\n" * 9
)

FILE_PROBLEMS = {
    "missing required column": (
        b"name,kind,type\r\nUniversity of York,signatory,university\r\n",
        "Required column missing: region.",
    ),
    "missing required columns": (
        b"name,region\r\nUniversity of York,yorkshire\r\n",
        "Required columns missing: kind, type.",
    ),
    "unknown column": (
        b"name,kind,type,region,colour\r\n"
        b"University of York,signatory,university,yorkshire,red\r\n",
        f"Unknown column: colour (expected: {', '.join(COLUMNS)}).",
    ),
    "column twice": (
        b"name,kind,type,region,Name\r\nUniversity of York,signatory,university,yorkshire,X\r\n",
        "A column name appears twice.",
    ),
    "not text at all": (
        b"name,kind,type,region\r\n"
        b"University of York,\x81\x8d\x8f\x90\x9d,university,yorkshire\r\n",
        "The file is not readable text. Save it as CSV (UTF-8) and try again.",
    ),
    "binary": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        "This is not a CSV file (it contains binary data).",
    ),
    "a spreadsheet": (
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml",
        "This is not a CSV file (it contains binary data).",
    ),
    "empty": (b"", "The submitted file is empty."),
    "only blank lines": (b"\r\n\r\n", "The file is empty."),
    "header only": (b"name,kind,type,region\r\n", "The file has a header but no rows."),
    "header and blank rows": (
        b"name,kind,type,region\r\n,,,\r\n\r\n",
        "The file has a header but no rows.",
    ),
    "oversize": (
        OVERSIZE,
        f"The file is {filesizeformat(len(OVERSIZE))}; the limit is {filesizeformat(LIMIT)}.",
    ),
}


@pytest.mark.parametrize(("raw", "message"), FILE_PROBLEMS.values(), ids=FILE_PROBLEMS)
def test_a_file_that_cannot_be_imported_says_why_and_writes_nothing(
    staff_client, settings, raw, message
):
    settings.IMPORT_CSV_MAX_BYTES = LIMIT
    OrganisationFactory(name="University of York")
    written = _written()

    response = _upload(staff_client, raw)

    assert response.status_code == 400
    assert message in _text(response)
    assert 'name="content"' not in response.content.decode()
    assert _written() == written


def test_a_nul_byte_anywhere_in_the_file_is_refused_at_the_dry_run(staff_client):
    padding = [
        {**TRINITY, "name": f"University of Padding {n:03d}", "country": "Ireland"}
        for n in range(100)
    ]
    raw = _csv(padding).encode() + b"Broken\x00Name,signatory,university,yorkshire\r\n"
    assert b"\x00" not in raw[:4096]

    response = _upload(staff_client, raw)

    assert response.status_code == 400
    assert "This is not a CSV file (it contains binary data)." in _text(response)


def test_a_file_from_excel_in_windows_1252_is_read(staff_client):
    raw = (
        "name,kind,type,region,short_name\r\n"
        "Queen’s University Belfast,signatory,university,northern_ireland,Queen’s\r\n"
        "Université de Test,signatory,university,scotland,\r\n"
    ).encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")

    response = _upload(staff_client, raw)

    assert response.status_code == 200
    assert [r.name for r in response.context["preview"].rows] == [
        "Queen’s University Belfast",
        "Université de Test",
    ]
    staff_client.post(CONFIRM, {"content": _hidden_content(response)})
    assert sorted(Organisation.objects.values_list("name", "short_name")) == [
        ("Queen’s University Belfast", "Queen’s"),
        ("Université de Test", ""),
    ]


def test_a_utf8_file_with_a_byte_order_mark_is_read(staff_client):
    raw = "\ufeff" + _csv([{**TRINITY, "name": "Trinity College Dublin – Ollscoil"}])

    response = _upload(staff_client, raw.encode("utf-8"))

    assert response.status_code == 200
    assert response.context["preview"].rows[0].name == "Trinity College Dublin – Ollscoil"


def test_a_tampered_confirmation_is_refused(staff_client, settings):
    settings.IMPORT_CSV_MAX_BYTES = 100

    response = staff_client.post(CONFIRM, {"content": _csv(GOOD)})

    assert response.status_code == 302
    assert response.url == UPLOAD
    assert "The import could not be read; upload the file again." in _text(staff_client.get(UPLOAD))
    assert _written() == (0, 0, 0)


def test_an_empty_confirmation_is_refused(staff_client):
    response = staff_client.post(CONFIRM, {"content": ""})

    assert response.status_code == 302
    assert _written() == (0, 0, 0)


def test_the_confirmation_only_accepts_post(staff_client):
    assert staff_client.get(CONFIRM).status_code == 405


# Codes and labels, cohorts.

LABELS = {
    "kind label": ("kind", "Supporter", "kind", "supporter"),
    "kind in capitals": ("kind", "SIGNATORY", "kind", "signatory"),
    "type label": ("type", "Professional body", "org_type", "professional_body"),
    "type label, network": ("type", "professional network", "org_type", "network"),
    "region label": ("region", "London (England)", "region", "london"),
    "region label, nation": ("region", "Northern Ireland", "region", "northern_ireland"),
    "region code in capitals": ("region", "SCOTLAND", "region", "scotland"),
    "status label": ("status", "Signed form received", "status", "form_received"),
    "status code": ("status", "meeting_held", "status", "meeting_held"),
}


@pytest.mark.parametrize(("column", "given", "field", "stored"), LABELS.values(), ids=LABELS)
def test_labels_as_well_as_codes_are_accepted(column, given, field, stored):
    row = {
        "name": "Science Council",
        "kind": "supporter",
        "type": "professional_body",
        "region": "london",
        column: given,
    }

    import_apply(actor=StaffFactory(), text=_csv([row]))

    assert getattr(Organisation.objects.get(), field) == stored


def test_the_status_label_for_a_scheduled_announcement_is_accepted():
    row = {**TRINITY, "status": "Announcement scheduled", "announced_on": "2030-01-15"}

    import_apply(actor=StaffFactory(), text=_csv([row]))

    assert Organisation.objects.get().status == S.ANNOUNCED


@pytest.mark.parametrize(
    ("given", "expected"),
    [({"announced_on": "2019-12-04"}, S.ACTIVE), ({}, S.ENQUIRY)],
    ids=["announced", "not announced"],
)
def test_without_a_status_an_announced_organisation_is_active(given, expected):
    row = {"name": "Ulster University", "kind": "signatory", "type": "university"}
    row.update(region="northern_ireland", **given)

    import_apply(actor=StaffFactory(), text=_csv([row]))

    assert Organisation.objects.get().status == expected


def test_new_cohorts_are_created_from_their_names():
    rows = [
        {**TRINITY, "name": f"Organisation {n}", "cohort": cohort}
        for n, cohort in enumerate(["May 2017", "Mar 2018", "2019-12", "May 2017"])
    ]

    import_apply(actor=StaffFactory(), text=_csv(rows))

    assert list(Cohort.objects.values_list("name", "starts_on")) == [
        ("May 2017", date(2017, 5, 1)),
        ("Mar 2018", date(2018, 3, 1)),
        ("2019-12", date(2019, 12, 1)),
    ]
    assert Organisation.objects.filter(cohort__name="May 2017").count() == 2


def test_an_existing_cohort_is_reused_whatever_the_case():
    cohort = CohortFactory(name="May 2017", starts_on=date(2017, 5, 1))

    import_apply(actor=StaffFactory(), text=_csv([{**TRINITY, "cohort": "may 2017"}]))

    assert Cohort.objects.count() == 1
    assert Organisation.objects.get().cohort == cohort


# The head of organisation's email (for escalated reminders): an optional column.


def test_the_head_email_column_is_stored():
    import_apply(
        actor=StaffFactory(),
        text=_csv([{**NOTTINGHAM, "head_email": "vice-chancellor@nottingham.example.org"}, IOP]),
    )

    stored = dict(Organisation.objects.values_list("slug", "head_email"))
    assert stored == {
        "university-of-nottingham": "vice-chancellor@nottingham.example.org",
        "institute-of-physics": "",
    }


def test_a_changed_head_email_updates_in_place():
    import_apply(actor=StaffFactory(), text=_csv([NOTTINGHAM]))
    changed = _csv([{**NOTTINGHAM, "head_email": "president@nottingham.example.org"}])

    result = preview(changed)
    import_apply(actor=StaffFactory(), text=changed)

    assert [(r.outcome, r.changes) for r in result.rows] == [("update", ["head_email"])]
    nottingham = Organisation.objects.get(slug="university-of-nottingham")
    assert nottingham.head_email == "president@nottingham.example.org"


def test_a_file_without_the_head_email_column_leaves_it_alone():
    organisation = OrganisationFactory(
        name="University of Nottingham", head_email="vice-chancellor@nottingham.example.org"
    )
    without = _csv([{**NOTTINGHAM, "short_name": "UoN"}])
    assert "head_email" not in without.splitlines()[0]

    result = preview(without)
    import_apply(actor=StaffFactory(), text=without)

    assert "head_email" not in result.rows[0].changes
    organisation.refresh_from_db()
    assert (organisation.short_name, organisation.head_email) == (
        "UoN",
        "vice-chancellor@nottingham.example.org",
    )


@pytest.mark.parametrize("given", ["vice-chancellor", "vc@", "two@at@example.org"])
def test_an_invalid_head_email_is_a_row_error(staff_client, given):
    text = _csv([NOTTINGHAM, {**IOP, "head_email": given}])

    response = _upload(staff_client, text)

    assert response.status_code == 400
    result = response.context["preview"]
    assert [(r.line, r.errors) for r in result.rows if r.errors] == [
        (3, ["head_email: Enter a valid email address."])
    ]
    assert _written() == (0, 0, 0)


def test_an_import_by_anyone_but_staff_is_refused_and_writes_nothing():
    with pytest.raises(NotPermitted):
        import_apply(actor=UserFactory(), text=_csv(GOOD))

    assert Organisation.objects.count() == 0
    assert ActivityLog.objects.count() == 0
