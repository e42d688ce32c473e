"""docs/sample-organisations.csv, the file staff are pointed to, imports cleanly."""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organisations.enums import OnboardingStatus, Region
from organisations.imports import COLUMNS, import_apply, preview
from organisations.models import Cohort, Organisation
from tests.factories import StaffFactory

S = OnboardingStatus
SAMPLE = Path(settings.BASE_DIR) / "docs" / "sample-organisations.csv"


def _rows() -> list[dict]:
    with SAMPLE.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_sample_uses_every_column_in_order():
    with SAMPLE.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    rows = _rows()

    assert tuple(header) == COLUMNS
    assert 25 <= len(rows) <= 40
    assert [c for c in COLUMNS if not any(r[c] for r in rows)] == []


def test_the_sample_is_plausible():
    rows = _rows()

    assert {r["kind"] for r in rows} == {"signatory", "supporter"}
    assert {"university", "research_institute"} <= {r["type"] for r in rows}
    assert len({r["status"] for r in rows}) >= 4
    for row in rows:
        dates = [
            date.fromisoformat(row[c])
            for c in ("enquiry_received_on", "meeting_held_on", "form_received_on", "announced_on")
            if row[c]
        ]
        assert dates == sorted(dates), row["name"]
        for column in ("contact_email", "lead_email", "head_email"):
            assert not row[column] or row[column].endswith("example.org"), row["name"]
        if row["latitude"] and row["region"] != Region.OUTSIDE_UK:
            # Within the bounding box of the United Kingdom.
            assert Decimal("49.8") < Decimal(row["latitude"]) < Decimal("60.9"), row["name"]
            assert Decimal("-8.7") < Decimal(row["longitude"]) < Decimal("1.8"), row["name"]


@pytest.mark.django_db
def test_the_sample_is_valid_and_creates_every_row_on_an_empty_register():
    text = SAMPLE.read_text(encoding="utf-8")

    result = preview(text)

    assert result.file_errors == []
    assert [(r.line, r.errors) for r in result.rows if r.errors] == []
    assert result.is_valid
    assert {r.outcome for r in result.rows} == {"create"}
    assert len(result.rows) == len(_rows())
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_importing_the_sample_twice_leaves_the_register_as_the_first_time():
    text = SAMPLE.read_text(encoding="utf-8")
    staff = StaffFactory()

    import_apply(actor=staff, text=text)
    first = list(Organisation.objects.order_by("slug").values())
    cohorts = list(Cohort.objects.values_list("name", "starts_on"))
    again = preview(text)
    import_apply(actor=staff, text=text)

    assert Organisation.objects.count() == len(_rows())
    assert {r.outcome for r in again.rows} == {"unchanged"}
    assert list(Organisation.objects.order_by("slug").values()) == first
    assert list(Cohort.objects.values_list("name", "starts_on")) == cohorts
    assert ("May 2017", date(2017, 5, 1)) in cohorts
    statuses = set(Organisation.objects.values_list("status", flat=True))
    assert {S.ACTIVE, S.ANNOUNCED, S.FORM_RECEIVED, S.MEETING_HELD, S.ENQUIRY} <= statuses


@pytest.mark.django_db
def test_the_sample_goes_through_the_import_pages(staff_client):
    upload = SimpleUploadedFile("sample-organisations.csv", SAMPLE.read_bytes())

    response = staff_client.post(reverse("organisations:import_upload"), {"file": upload})

    assert response.status_code == 200
    assert response.context["preview"].summary == {
        "create": len(_rows()),
        "update": 0,
        "unchanged": 0,
        "error": 0,
    }
