"""Import the register from CSV: validate every row first, write all or nothing.

Rows are matched to existing organisations by the ``slug`` column, or else by
name, so importing the same file again updates in place. Only the columns a
file has are written: a short file updates those details and leaves the rest.
"""

import copy
import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.text import slugify

from core.exceptions import ApplicationError, NotPermitted
from core.services import activity_record

from .enums import OnboardingStatus, OrganisationKind, OrganisationType, Region
from .models import Cohort, Organisation
from .validators import validate_public_web_address

REQUIRED_COLUMNS = ("name", "kind", "type", "region")
OPTIONAL_COLUMNS = (
    "slug",
    "short_name",
    "country",
    "website",
    "tc_page_url",
    "contact_name",
    "contact_role",
    "contact_email",
    "lead_name",
    "lead_email",
    "head_name",
    "head_title",
    "head_email",
    "latitude",
    "longitude",
    "cohort",
    "status",
    "enquiry_received_on",
    "meeting_held_on",
    "form_received_on",
    "announced_on",
    "announcement_url",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
_PLAIN_FIELDS = (
    "short_name",
    "country",
    "website",
    "tc_page_url",
    "contact_name",
    "contact_role",
    "contact_email",
    "lead_name",
    "lead_email",
    "head_name",
    "head_title",
    "head_email",
    "announcement_url",
)
_DATE_FIELDS = ("enquiry_received_on", "meeting_held_on", "form_received_on", "announced_on")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
_COHORT_FORMATS = ("%B %Y", "%b %Y", "%Y-%m")


class Outcome:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass
class RowResult:
    line: int
    name: str
    slug: str
    outcome: str = Outcome.CREATE
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)


@dataclass
class ImportPreview:
    rows: list[RowResult]
    file_errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return (
            not self.file_errors
            and bool(self.rows)
            and all(r.outcome != Outcome.ERROR for r in self.rows)
        )

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def summary(self) -> dict[str, int]:
        return {
            o: self.count(o)
            for o in (Outcome.CREATE, Outcome.UPDATE, Outcome.UNCHANGED, Outcome.ERROR)
        }


def _choice(value: str, choices) -> str | None:
    wanted = value.strip().lower()
    for code, label in choices:
        if wanted in (code.lower(), label.lower()):
            return code
    return None


def _date(value: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError


def _cohort_start(name: str) -> date | None:
    for fmt in _COHORT_FORMATS:
        try:
            return datetime.strptime(name.strip(), fmt).date().replace(day=1)
        except ValueError:
            continue
    return None


def decode_upload(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApplicationError("The file is not readable text. Save it as CSV (UTF-8) and try again.")


def preview(text: str) -> ImportPreview:
    """Check every row against the register without writing anything."""
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        return ImportPreview(rows=[], file_errors=[f"The file is not valid CSV: {exc}."])
    if not header:
        return ImportPreview(rows=[], file_errors=["The file is empty."])
    problems = []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c and c not in COLUMNS]
    if missing:
        problems.append(
            f"Required column{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)}."
        )
    if unknown:
        problems.append(
            f"Unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)} "
            f"(expected: {', '.join(COLUMNS)})."
        )
    if len(set(header)) != len(header):
        problems.append("A column name appears twice.")
    if problems:
        return ImportPreview(rows=[], file_errors=problems)
    reader.fieldnames = header
    existing = {o.slug: o for o in Organisation.objects.select_related("cohort")}
    by_name = {o.name.lower(): o for o in existing.values()}
    cohorts = {c.name.lower(): c for c in Cohort.objects.all()}
    results, seen = [], {}
    try:
        for record in reader:
            if None in record:
                results.append(
                    RowResult(
                        line=reader.line_num,
                        name="",
                        slug="",
                        outcome=Outcome.ERROR,
                        errors=["More values than columns on this line."],
                    )
                )
                continue
            row = {k: (v or "").strip() for k, v in record.items()}
            if not any(row.values()):
                continue
            result = _check_row(row, reader.line_num, existing, by_name, cohorts)
            if result.slug in seen:
                result.errors.append(f"Same organisation as line {seen[result.slug]}.")
                result.outcome = Outcome.ERROR
            seen.setdefault(result.slug, result.line)
            results.append(result)
    except csv.Error as exc:
        return ImportPreview(rows=results, file_errors=[f"The file is not valid CSV: {exc}."])
    if not results:
        return ImportPreview(rows=[], file_errors=["The file has a header but no rows."])
    return ImportPreview(rows=results)


def _find_target(row, existing, by_name) -> Organisation | None:
    """The organisation a row describes: by its ``slug`` column when given (so a
    file can rename), else by its exact name, else by the slug its name makes."""
    if row.get("slug"):
        return existing.get(slugify(row["slug"])[:80])
    name = row.get("name", "")
    return by_name.get(name.lower()) or existing.get(slugify(name)[:80])


def _check_row(row, line, existing, by_name, cohorts) -> RowResult:
    """Validate one row. Only the columns the file has are read: a column left
    out of the file leaves that detail of an existing organisation alone."""
    name = row.get("name", "")
    slug = slugify(row.get("slug") or name)[:80]
    result = RowResult(line=line, name=name, slug=slug)
    errors = result.errors
    if not name:
        errors.append("Name is required.")
    values: dict = {"name": name}
    for column, choices, label in (
        ("kind", OrganisationKind.choices, "kind"),
        ("type", OrganisationType.choices, "type"),
        ("region", Region.choices, "nation or region"),
    ):
        code = _choice(row.get(column, ""), choices)
        if code is None:
            errors.append(f"Unknown {label} “{row.get(column, '')}”.")
        values["org_type" if column == "type" else column] = code
    for column in _PLAIN_FIELDS:
        if column in row:
            values[column] = row[column]
    for column in _DATE_FIELDS:
        if column not in row:
            continue
        values[column] = None
        if row[column]:
            try:
                values[column] = _date(row[column])
            except ValueError:
                errors.append(f"{column}: “{row[column]}” is not a date (use YYYY-MM-DD).")
    for column in ("latitude", "longitude"):
        if column not in row:
            continue
        values[column] = None
        if row[column]:
            try:
                values[column] = Decimal(row[column]).quantize(Decimal("0.00001"))
            except InvalidOperation:
                errors.append(f"{column}: “{row[column]}” is not a number.")
    if "cohort" in row:
        cohort_name = row["cohort"]
        values["cohort"] = None
        if cohort_name:
            values["cohort"] = cohorts.get(cohort_name.lower()) or cohort_name
            if isinstance(values["cohort"], str) and _cohort_start(cohort_name) is None:
                errors.append(f"Unknown cohort “{cohort_name}” (name a new one like “May 2017”).")
    target = _find_target(row, existing, by_name)
    status_raw = row.get("status", "")
    if status_raw:
        values["status"] = _choice(status_raw, OnboardingStatus.choices)
        if values["status"] is None:
            errors.append(f"Unknown status “{status_raw}”.")
    elif target is None:
        # A new organisation with an announcement date has joined already.
        announced = values.get("announced_on")
        values["status"] = OnboardingStatus.ACTIVE if announced else OnboardingStatus.ENQUIRY
    namesake = by_name.get(name.lower())
    if name and namesake is not None and namesake is not target:
        errors.append(f"Another organisation in the register is already called “{namesake}”.")
    if target is not None:
        result.slug = target.slug
    if not errors:
        candidate = _apply_values(Organisation() if target is None else copy.copy(target), values)
        candidate.slug = target.slug if target else slug
        try:
            candidate.full_clean(exclude=["signed_form", "cohort"], validate_unique=False)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                prefix = "" if key == NON_FIELD_ERRORS else f"{key}: "
                errors.extend(prefix + m for m in messages)
        page = values.get("tc_page_url")
        if page and not errors and (target is None or page != target.tc_page_url):
            try:
                validate_public_web_address(page)
            except ValidationError as exc:
                errors.extend(f"tc_page_url: {m}" for m in exc.messages)
        if target is not None:
            result.changes = [k for k in values if _differs(target, k, values[k])]
    result.values = values
    if errors:
        result.outcome = Outcome.ERROR
    elif target is None:
        result.outcome = Outcome.CREATE
    else:
        result.outcome = Outcome.UPDATE if result.changes else Outcome.UNCHANGED
    return result


def _differs(target, key, value) -> bool:
    current = target.cohort.name if key == "cohort" and target.cohort else getattr(target, key)
    wanted = value.name if isinstance(value, Cohort) else value
    return (current or None) != (wanted or None)


def _apply_values(organisation: Organisation, values: dict) -> Organisation:
    for key, value in values.items():
        if key == "cohort":
            continue
        setattr(organisation, key, value)
    return organisation


def _cohort_for(value: Cohort | str | None) -> Cohort | None:
    if isinstance(value, str):
        value, _ = Cohort.objects.get_or_create(
            name__iexact=value, defaults={"name": value, "starts_on": _cohort_start(value)}
        )
    return value


@transaction.atomic
def import_apply(*, actor, text: str) -> ImportPreview:
    """Write the whole file, or nothing: any invalid row refuses the import, as does an
    actor without ``organisations.import_organisations``."""
    if actor is None or not actor.has_perm("organisations.import_organisations"):
        raise NotPermitted("You are not allowed to import the register.")
    result = preview(text)
    if not result.is_valid:
        raise ApplicationError("The file has errors; nothing was imported. Check the preview.")
    for row in result.rows:
        if row.outcome == Outcome.UNCHANGED:
            continue
        values = dict(row.values)
        organisation = Organisation.objects.select_for_update().filter(
            slug=row.slug
        ).first() or Organisation(slug=row.slug)
        created = organisation.pk is None
        _apply_values(organisation, values)
        if "cohort" in values:
            organisation.cohort = _cohort_for(values["cohort"])
        organisation.save()
        activity_record(
            subject=organisation,
            actor=actor,
            verb="imported" if created else "updated by import",
            note="" if created else f"Changed: {', '.join(row.changes)}.",
            to_status=organisation.status if created else "",
        )
    return result
