"""Every named URL of the portal against every role, from one table (tests/permission_matrix.py).

The URL configuration is walked, so a new URL without a row in the table fails here, as does
a row for a URL that is gone. One world is built for the whole module; each request runs in
its own savepoint, so a POST that changes something leaves the next test the same world."""

import importlib
from dataclasses import dataclass
from datetime import date, time
from urllib.parse import quote, urlsplit

import pytest
from django.apps import apps
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from accounts.enums import InvitationRole
from accounts.models import Membership, User
from accounts.services import invitation_create
from action_plans import packs, rendering
from action_plans import services as plan_services
from action_plans.calendar import calendar_token
from action_plans.deadlines import uk_datetime
from action_plans.models import (
    Attachment,
    ReminderRule,
    SubmissionPack,
    SubmissionRound,
)
from core.models import OutboundEmail
from organisations.models import Organisation
from reviews import documents
from reviews import services as review_services
from reviews.enums import ConflictReason
from reviews.models import Feedback
from tests.action_plans.builders import (
    announced_organisation,
    complete,
    contributor_of,
    lead_of,
    pdf_upload,
    started,
    submitted,
)
from tests.conftest import _DATA_MIGRATIONS, with_totp
from tests.factories import StaffFactory
from tests.organisations.builders import signed_form
from tests.permission_matrix import (
    EXCLUDED_NAMES,
    EXCLUDED_NAMESPACES,
    MATRIX,
    ROLES,
    Redirect,
    SignIn,
    Xfail,
)
from tests.reviews.builders import review_round, reviewer, write_review


def named_urls(resolver=None, namespace: str = "") -> set[str]:
    """Every URL name in the configuration, as ``namespace:name``, through every include."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            names |= named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def _ours(name: str) -> bool:
    namespace = name.rpartition(":")[0]
    return namespace not in EXCLUDED_NAMESPACES and not name.startswith(EXCLUDED_NAMES)


# The world --------------------------------------------------------------------------------


@dataclass
class World:
    """Organisation A has Stage 1 submitted and in review (its PDF ready, its feedback
    released) and Stage 2 open; organisation B has published its plan. One reviewer is
    assigned to A's Stage 1 and has reviewed it; a second was assigned too, then declared
    a conflict with A."""

    users: dict[str, User]
    values: dict[str, object]

    def value(self, key: str, role: str):
        # The conflicted reviewer is asked about their own (withdrawn) assignment.
        if key == "assignment" and role == "conflicted":
            return self.values["conflicted_assignment"]
        return self.values[key]


def _own_storage(monkeypatch, location):
    for model, field in (
        (Attachment, "file"),
        (SubmissionPack, "file"),
        (Feedback, "report"),
        (Organisation, "signed_form"),
    ):
        monkeypatch.setattr(
            model._meta.get_field(field), "storage", FileSystemStorage(location=location)
        )


def build() -> World:
    for module in _DATA_MIGRATIONS:
        importlib.import_module(module).seed(apps, None)
    staff = with_totp(StaffFactory())
    # The round comes first: a stage is reviewed in the round it was due at.
    autumn = review_round(team_size=3)

    this = announced_organisation(name="University of Thisshire")
    this.signed_form.save("signed-form.pdf", signed_form(), save=True)
    lead = lead_of(this)
    contributor = contributor_of(this)
    colleague = contributor_of(this)
    stage_1 = complete(started(this, lead), lead)
    plan_services.attachment_add(actor=lead, submission=stage_1, upload=pdf_upload())
    stage_1 = plan_services.submission_submit(actor=lead, submission=stage_1, confirmed=True)
    pack = rendering.pack_render(pack=packs.pack_request(submission=stage_1, user=lead))

    other = announced_organisation(name="University of Othershire")
    other_lead = lead_of(other)
    plan = submitted(other, other_lead)
    plan_services.submission_publish(actor=other_lead, submission=plan)

    assigned = with_totp(reviewer(name="Ana Ruiz", themes=["visibility"]))
    conflicted = with_totp(reviewer(name="Ben Cole", themes=["recognition"]))
    first, second = review_services.reviewers_assign(
        actor=staff, review_round=autumn, submission=stage_1, reviewers=[assigned, conflicted]
    )
    first = write_review(first)
    conflict = review_services.conflict_declare(
        actor=conflicted,
        organisation=this,
        reason=ConflictReason.COLLABORATION,
        note="We share a facility.",
    )
    feedback = review_services.feedback_start(actor=staff, review_round=autumn, submission=stage_1)
    feedback = review_services.feedback_save(
        actor=staff,
        feedback=feedback,
        version=feedback.version,
        outcome=feedback.outcome,
        summary="A candid plan, shaped with technicians.",
        strengths=feedback.strengths,
        areas_to_develop=feedback.areas_to_develop,
        recommendations=feedback.recommendations,
        themes={},
    )
    feedback = review_services.feedback_release(actor=staff, feedback=feedback)
    documents.feedback_report_render(feedback=feedback)

    stage_2 = complete(started(this, lead, 2), lead)
    plan_services.attachment_add(actor=lead, submission=stage_2, upload=pdf_upload("notes.pdf"))

    invitation = invitation_create(
        inviter=lead,
        email="new.colleague@example.ac.uk",
        role=InvitationRole.CONTRIBUTOR,
        organisation=this,
    )
    spare_round = SubmissionRound.objects.create(
        name="January 2046", deadline=uk_datetime(date(2046, 1, 15), time(17, 0))
    )
    return World(
        users={
            "contributor": contributor,
            "lead_other": other_lead,
            "reviewer": assigned,
            "conflicted": conflicted,
            "staff": staff,
        },
        values={
            "organisation": this.slug,
            "published": other.slug,
            "stage": stage_1.stage_number,
            "open_stage": stage_2.stage_number,
            "submission": stage_1.pk,
            "action": stage_2.actions.first().pk,
            "submitted_action": stage_1.actions.first().pk,
            "evidence": stage_2.voice_evidence.first().pk,
            "attachment": stage_2.attachments.first().pk,
            "submitted_attachment": stage_1.attachments.first().pk,
            "previous": stage_2.previous_action_reviews.first().pk,
            "theme": stage_2.theme_assessments.first().theme.slug,
            "pack": pack.pk,
            "round": autumn.pk,
            "assignment": first.pk,
            "conflicted_assignment": second.pk,
            "feedback": feedback.pk,
            "profile": assigned.pk,
            "conflict": conflict.pk,
            "submission_round": spare_round.pk,
            "rule": ReminderRule.objects.order_by("pk").first().pk,
            "mail": OutboundEmail.objects.order_by("pk").first().pk,
            "invitation": invitation.pk,
            "token": invitation.token,
            "membership": Membership.objects.get(user=colleague, organisation=this).pk,
            "calendar": calendar_token(this),
            "link": "not-a-real-link",
            "transition": "withdraw",
        },
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once and committed; each test's own changes are rolled back with its savepoint,
    and the tables are emptied when the module is done, as a transactional test does."""
    with pytest.MonkeyPatch.context() as monkeypatch, django_db_blocker.unblock():
        _own_storage(monkeypatch, tmp_path_factory.mktemp("private"))
        try:
            yield build()
        finally:
            call_command("flush", interactive=False, verbosity=0)


# The requests -----------------------------------------------------------------------------


def url_of(world: World, name: str, role: str) -> str:
    row = MATRIX[name]
    kwargs = {key: world.value(source, role) for key, source in row.kwargs.items()}
    return reverse(name, kwargs=kwargs)


def answer(response) -> object:
    """What a response amounts to in the table's terms."""
    if response.status_code != 302:
        return response.status_code
    target = urlsplit(response.url)
    view_name = resolve(target.path).view_name
    if view_name == "account_login":
        return SignIn()
    return Redirect(view_name)


def _case(name: str, row, role: str):
    wrong = [e for e in (row.get or {}, row.post or {}) if isinstance(e.get(role), Xfail)]
    marks = [pytest.mark.xfail(strict=True, reason=e[role].reason) for e in wrong]
    return pytest.param(name, role, id=f"{name}-{role}", marks=marks)


CASES = [_case(name, row, role) for name, row in MATRIX.items() for role in ROLES]


def test_every_named_url_has_a_row_and_every_row_a_url():
    ours = {name for name in named_urls() if _ours(name)}

    assert sorted(ours - set(MATRIX)) == []
    assert sorted(set(MATRIX) - ours) == []


def test_every_row_names_every_role():
    incomplete = [
        (name, method)
        for name, row in MATRIX.items()
        for method, expectations in (("get", row.get), ("post", row.post))
        if expectations and set(expectations) != set(ROLES)
    ]

    assert incomplete == []


def _check(client, world: World, name: str, method: str, role: str) -> None:
    url = url_of(world, name, role)

    response = getattr(client, method)(url)

    expected = getattr(MATRIX[name], method)[role]
    if isinstance(expected, Xfail):
        expected = expected.expected
    assert (method, answer(response)) == (method, expected)
    if isinstance(expected, SignIn):
        assert response.url == f"{reverse('account_login')}?next={quote(url)}"
    if response.streaming:
        # Read to the end, which closes the file; closing the response by hand would
        # signal the end of a request and drop the test's database connection.
        b"".join(response.streaming_content)


@pytest.mark.parametrize(("name", "role"), CASES)
def test_url_by_role(client, db, world, name, role):
    """A GET, then the URL's main POST where it is an action (each in the same savepoint:
    a GET never writes)."""
    if role != "anonymous":
        client.force_login(world.users[role])
    row = MATRIX[name]

    for method in ("get", "post"):
        if getattr(row, method):
            _check(client, world, name, method, role)
