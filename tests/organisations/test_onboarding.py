"""The onboarding path: every step the table allows, every step it refuses, and the guards."""

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.db import connection, transaction
from django.utils import timezone

from accounts.enums import MembershipRole
from core.exceptions import ApplicationError, NotPermitted, TransitionNotAllowed
from core.models import ActivityLog
from core.services import activity_for
from core.storage import private_storage
from organisations import services
from organisations.enums import OnboardingStatus, OrganisationKind
from organisations.models import Organisation
from organisations.steps import STEPS
from signatories.models import Signatory
from supporters.models import Supporter
from tests.factories import MembershipFactory, OrganisationFactory, StaffFactory, UserFactory
from tests.organisations.builders import (
    ANNOUNCED_ON,
    ENQUIRY_ON,
    FORM_ON,
    MEETING_ON,
    PATH,
    activity_rows,
    organisation_at,
    signed_form,
    stored,
)

pytestmark = pytest.mark.django_db

S = OnboardingStatus
ANNOUNCEMENT_URL = "https://news.example.org/technician-commitment"

# The six onboarding steps, by their names in the step table, each called with
# data its guards accept for an organisation built by ``organisation_at``: only
# the status can refuse it.
ACTIONS = {
    "meeting": lambda org, actor: services.organisation_record_meeting(
        actor=actor, organisation=org, held_on=MEETING_ON, note="Met the PVC for research."
    ),
    "form": lambda org, actor: services.organisation_receive_form(
        actor=actor,
        organisation=org,
        signed_form=signed_form(),
        received_on=FORM_ON,
        head_name="Professor Jane Whitfield",
        head_title="Vice-Chancellor",
        lead_name="Priya Shah",
        lead_email="Priya.Shah@Example.org",
        note="Scanned copy by email.",
    ),
    "announce": lambda org, actor: services.organisation_announce(
        actor=actor,
        organisation=org,
        announced_on=ANNOUNCED_ON,
        announcement_url=ANNOUNCEMENT_URL,
        note="Joint press release.",
    ),
    "activate": lambda org, actor: services.organisation_activate(
        actor=actor, organisation=org, note="Announcement is public."
    ),
    "withdraw": lambda org, actor: services.organisation_withdraw(
        actor=actor, organisation=org, reason="  Restructuring of technical services.  "
    ),
    "reinstate": lambda org, actor: services.organisation_reinstate(
        actor=actor, organisation=org, note="Back on track."
    ),
}


def is_allowed(status: str, action: str) -> bool:
    """The step table (``organisations.steps.STEPS``) read for one status and step."""
    return STEPS[action].allowed_from(status)


ALLOWED = [(s, a) for s in S for a in ACTIONS if is_allowed(s, a)]
REFUSED = [(s, a) for s in S for a in ACTIONS if not is_allowed(s, a)]


# A withdrawn organisation must be reinstated before it moves on (the staff page
# offers nothing else, and the step page says other steps "will be refused").
def _refused_params():
    for status, action in REFUSED:
        yield pytest.param(status, action, id=f"{status}-{action}")


def test_the_tables_cover_every_status_and_action():
    assert {status for step in STEPS.values() for status in step.sources} == set(S)
    assert len(ALLOWED) + len(REFUSED) == len(S) * len(ACTIONS) == 42
    assert sorted(ALLOWED) == sorted(
        [
            (S.ENQUIRY, "meeting"),
            (S.MEETING_HELD, "form"),
            (S.FORM_RECEIVED, "announce"),
            (S.ANNOUNCED, "activate"),
            *[(s, "withdraw") for s in PATH],
            (S.LAPSED, "withdraw"),
            (S.WITHDRAWN, "reinstate"),
        ]
    )


# Allowed steps.

EXPECTED_VERB = {
    "meeting": "meeting held",
    "form": "signed form received",
    "announce": "announced",
    "activate": "activated",
    "withdraw": "withdrawn",
    "reinstate": "reinstated",
}
EXPECTED_NOTE = {
    "meeting": "Met the PVC for research.",
    "form": "Scanned copy by email.",
    "announce": "Joint press release.",
    "activate": "Announcement is public.",
    "withdraw": "Restructuring of technical services.",
    "reinstate": "Back on track.",
}


def _changed_fields(before: dict, after: dict) -> set[str]:
    return {k for k in before if before[k] != after[k]} - {"updated_at"}


@pytest.mark.parametrize(("status", "action"), ALLOWED, ids=[f"{s}-{a}" for s, a in ALLOWED])
def test_an_allowed_step_moves_the_organisation_and_logs_once(status, action):
    actor = StaffFactory()
    organisation = organisation_at(status)
    before, log_before = stored(organisation), activity_rows()

    result = ACTIONS[action](organisation, actor)

    after = stored(organisation)
    expected_status = S.ENQUIRY if action == "reinstate" else STEPS[action].to
    assert result.status == after["status"] == expected_status
    new_log = activity_rows()[len(log_before) :]
    assert activity_rows()[: len(log_before)] == log_before
    assert [row[1:] for row in new_log] == [
        (actor.pk, EXPECTED_VERB[action], status, expected_status, EXPECTED_NOTE[action])
    ]
    assert after["updated_at"] > before["updated_at"]
    changed = _changed_fields(before, after)
    if action == "meeting":
        assert changed == {"status", "meeting_held_on"}
        assert after["meeting_held_on"] == MEETING_ON
    elif action == "form":
        assert changed == {
            "status",
            "form_received_on",
            "signed_form",
            "head_name",
            "head_title",
            "lead_name",
            "lead_email",
        }
        assert (
            after["form_received_on"],
            after["head_name"],
            after["head_title"],
            after["lead_name"],
            after["lead_email"],
        ) == (
            FORM_ON,
            "Professor Jane Whitfield",
            "Vice-Chancellor",
            "Priya Shah",
            "priya.shah@example.org",
        )
        assert after["signed_form"].startswith(f"signed-forms/{organisation.slug}/")
    elif action == "announce":
        assert changed == {"status", "announced_on", "announcement_url"}
        assert (after["announced_on"], after["announcement_url"]) == (
            ANNOUNCED_ON,
            ANNOUNCEMENT_URL,
        )
    elif action == "activate":
        assert changed == {"status"}
    elif action == "withdraw":
        assert changed == {"status", "withdrawn_on"}
        assert after["withdrawn_on"] == timezone.localdate()
    else:  # reinstate, with no withdrawal on record: back to the start
        assert changed == {"status", "withdrawn_on"}
        assert after["withdrawn_on"] is None


def test_the_whole_path_from_enquiry_to_active_keeps_every_date():
    actor = StaffFactory()
    organisation = organisation_at(S.ENQUIRY)

    for action in ("meeting", "form", "announce", "activate"):
        organisation = ACTIONS[action](organisation, actor)

    organisation.refresh_from_db()
    assert organisation.status == S.ACTIVE
    assert (
        organisation.enquiry_received_on,
        organisation.meeting_held_on,
        organisation.form_received_on,
        organisation.announced_on,
        organisation.withdrawn_on,
    ) == (ENQUIRY_ON, MEETING_ON, FORM_ON, ANNOUNCED_ON, None)
    assert [(e.verb, e.from_status, e.to_status) for e in activity_for(organisation)] == [
        ("activated", S.ANNOUNCED, S.ACTIVE),
        ("announced", S.FORM_RECEIVED, S.ANNOUNCED),
        ("signed form received", S.MEETING_HELD, S.FORM_RECEIVED),
        ("meeting held", S.ENQUIRY, S.MEETING_HELD),
    ]


# Refused steps: the whole status × verb table.


@pytest.mark.parametrize(("status", "action"), list(_refused_params()))
def test_a_refused_step_raises_and_changes_nothing(status, action):
    actor = StaffFactory()
    organisation = organisation_at(status)
    before, log_before = stored(organisation), activity_rows()

    with pytest.raises(ApplicationError):
        ACTIONS[action](organisation, actor)

    assert stored(organisation) == before
    assert activity_rows() == log_before
    assert not (Path(settings.PRIVATE_MEDIA_ROOT) / "signed-forms" / organisation.slug).exists()


@pytest.mark.parametrize(
    ("status", "action"),
    [(s, a) for s, a in REFUSED if a != "reinstate" and s != S.WITHDRAWN],
)
def test_a_step_out_of_order_is_refused_as_a_transition(status, action):
    organisation = organisation_at(status)

    with pytest.raises(TransitionNotAllowed) as refused:
        ACTIONS[action](organisation, StaffFactory())

    label = S(status).label
    assert refused.value.message == f"This cannot be done while the status is “{label}”."
    assert refused.value.extra == {"from": status, "to": STEPS[action].to}


@pytest.mark.parametrize("status", [*PATH, S.LAPSED])
def test_only_a_withdrawn_organisation_can_be_reinstated(status):
    organisation = organisation_at(status)

    with pytest.raises(ApplicationError) as refused:
        services.organisation_reinstate(actor=StaffFactory(), organisation=organisation)

    assert refused.value.message == "Only a withdrawn organisation can be reinstated."


# Guards.


def _refusal(organisation, call) -> str:
    """Run ``call``; it must refuse and leave the row and the log as they were."""
    before, log_before = stored(organisation), activity_rows()
    with pytest.raises(ApplicationError) as refused:
        call()
    assert stored(organisation) == before
    assert activity_rows() == log_before
    return refused.value.message


def _receive(organisation, **overrides):
    kwargs = {
        "actor": StaffFactory(),
        "organisation": organisation,
        "signed_form": signed_form(),
        "received_on": FORM_ON,
        "head_name": "Professor Jane Whitfield",
        "head_title": "Vice-Chancellor",
        "lead_name": "Priya Shah",
        "lead_email": "priya.shah@example.org",
        **overrides,
    }
    return services.organisation_receive_form(**kwargs)


def _tomorrow():
    return timezone.localdate() + timedelta(days=1)


def test_a_meeting_in_the_future_is_refused():
    organisation = organisation_at(S.ENQUIRY)

    message = _refusal(
        organisation,
        lambda: services.organisation_record_meeting(
            actor=StaffFactory(), organisation=organisation, held_on=_tomorrow()
        ),
    )

    assert message == "The meeting date cannot be in the future."


def test_a_meeting_before_the_enquiry_is_refused():
    organisation = organisation_at(S.ENQUIRY)

    message = _refusal(
        organisation,
        lambda: services.organisation_record_meeting(
            actor=StaffFactory(),
            organisation=organisation,
            held_on=ENQUIRY_ON - timedelta(days=1),
        ),
    )

    assert message == "The meeting cannot come before the enquiry."


@pytest.mark.parametrize("held_on", ["enquiry day", "today"])
def test_a_meeting_on_the_enquiry_day_or_today_is_accepted(held_on):
    organisation = organisation_at(S.ENQUIRY)
    day = ENQUIRY_ON if held_on == "enquiry day" else timezone.localdate()

    services.organisation_record_meeting(
        actor=StaffFactory(), organisation=organisation, held_on=day
    )

    organisation.refresh_from_db()
    assert (organisation.status, organisation.meeting_held_on) == (S.MEETING_HELD, day)


def test_a_form_received_in_the_future_is_refused():
    organisation = organisation_at(S.MEETING_HELD)

    message = _refusal(organisation, lambda: _receive(organisation, received_on=_tomorrow()))

    assert message == "The form received date cannot be in the future."


def test_a_form_before_the_meeting_is_refused():
    organisation = organisation_at(S.MEETING_HELD)

    message = _refusal(
        organisation,
        lambda: _receive(organisation, received_on=MEETING_ON - timedelta(days=1)),
    )

    assert message == "The form cannot arrive before the meeting was held."


@pytest.mark.parametrize("missing", ["head_name", "lead_name", "lead_email"])
def test_a_form_must_name_who_signed_and_the_lead(missing):
    organisation = organisation_at(S.MEETING_HELD)

    message = _refusal(organisation, lambda: _receive(organisation, **{missing: "   "}))

    assert message == (
        "The form must name the head of organisation who signed and the nominated lead."
    )


def test_an_announcement_before_the_form_is_refused():
    organisation = organisation_at(S.FORM_RECEIVED)

    message = _refusal(
        organisation,
        lambda: services.organisation_announce(
            actor=StaffFactory(),
            organisation=organisation,
            announced_on=FORM_ON - timedelta(days=1),
        ),
    )

    assert message == "The announcement cannot come before the signed form."


def test_an_announcement_may_be_scheduled_ahead():
    organisation = organisation_at(S.FORM_RECEIVED)
    ahead = timezone.localdate() + timedelta(days=14)

    services.organisation_announce(
        actor=StaffFactory(), organisation=organisation, announced_on=ahead
    )

    organisation.refresh_from_db()
    assert (organisation.status, organisation.announced_on) == (S.ANNOUNCED, ahead)
    assert organisation.get_status_display() == "Announcement scheduled"


def test_activating_before_a_scheduled_announcement_is_refused():
    ahead = timezone.localdate() + timedelta(days=14)
    organisation = organisation_at(S.ANNOUNCED, announced_on=ahead)

    message = _refusal(
        organisation,
        lambda: services.organisation_activate(actor=StaffFactory(), organisation=organisation),
    )

    assert message == (
        f"The organisation can be activated on or after its announcement date ({ahead:%d %B %Y})."
    )


def test_activating_on_the_announcement_day_is_accepted():
    organisation = organisation_at(S.ANNOUNCED, announced_on=timezone.localdate())

    services.organisation_activate(actor=StaffFactory(), organisation=organisation)

    organisation.refresh_from_db()
    assert organisation.status == S.ACTIVE


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_withdrawing_without_a_reason_is_refused(reason):
    organisation = organisation_at(S.MEETING_HELD)

    message = _refusal(
        organisation,
        lambda: services.organisation_withdraw(
            actor=StaffFactory(), organisation=organisation, reason=reason
        ),
    )

    assert message == "Give the reason for the withdrawal."


def test_a_withdrawal_may_be_dated():
    organisation = organisation_at(S.FORM_RECEIVED)
    day = FORM_ON + timedelta(days=3)

    services.organisation_withdraw(
        actor=StaffFactory(), organisation=organisation, reason="Merger", withdrawn_on=day
    )

    organisation.refresh_from_db()
    assert (organisation.status, organisation.withdrawn_on) == (S.WITHDRAWN, day)


# Reinstating.


@pytest.mark.parametrize("status", [*PATH, S.LAPSED])
def test_reinstating_returns_to_the_status_before_the_withdrawal(status):
    staff = StaffFactory()
    organisation = organisation_at(status)
    dates = stored(organisation)
    withdrawn = services.organisation_withdraw(
        actor=staff, organisation=organisation, reason="Paused"
    )

    services.organisation_reinstate(actor=staff, organisation=withdrawn, note="Resumed")

    after = stored(organisation)
    assert after["status"] == status
    assert after["withdrawn_on"] is None
    for name in (
        "enquiry_received_on",
        "meeting_held_on",
        "form_received_on",
        "announced_on",
        "lapsed_on",
    ):
        assert after[name] == dates[name]
    latest = activity_for(organisation).first()
    assert (latest.actor, latest.verb, latest.from_status, latest.to_status, latest.note) == (
        staff,
        "reinstated",
        S.WITHDRAWN,
        status,
        "Resumed",
    )


def test_reinstating_after_a_second_withdrawal_returns_to_the_later_status():
    staff = StaffFactory()
    organisation = organisation_at(S.ENQUIRY)
    for step in (
        lambda org: services.organisation_withdraw(actor=staff, organisation=org, reason="Paused"),
        lambda org: services.organisation_reinstate(actor=staff, organisation=org),
        lambda org: services.organisation_record_meeting(
            actor=staff, organisation=org, held_on=MEETING_ON
        ),
        lambda org: services.organisation_withdraw(actor=staff, organisation=org, reason="Again"),
    ):
        organisation = step(organisation)

    services.organisation_reinstate(actor=staff, organisation=organisation)

    organisation.refresh_from_db()
    assert organisation.status == S.MEETING_HELD


def test_reinstating_reads_the_stored_status_like_every_other_step():
    staff = StaffFactory()
    organisation = organisation_at(S.MEETING_HELD)
    services.organisation_withdraw(actor=staff, organisation=organisation, reason="Paused")

    services.organisation_reinstate(actor=staff, organisation=organisation)

    organisation.refresh_from_db()
    assert organisation.status == S.MEETING_HELD


def test_every_forward_step_reads_the_stored_status():
    staff = StaffFactory()
    organisation = organisation_at(S.ENQUIRY)
    services.organisation_record_meeting(actor=staff, organisation=organisation, held_on=MEETING_ON)

    # ``organisation`` still says "enquiry"; the service re-reads the row under lock.
    _receive(organisation)

    organisation.refresh_from_db()
    assert organisation.status == S.FORM_RECEIVED


def test_an_organisation_recorded_as_withdrawn_without_history_restarts_as_an_enquiry():
    organisation = organisation_at(S.WITHDRAWN)

    services.organisation_reinstate(actor=StaffFactory(), organisation=organisation)

    organisation.refresh_from_db()
    assert organisation.status == S.ENQUIRY


# The signed form.


def test_the_signed_form_is_kept_in_private_storage_with_its_content():
    organisation = organisation_at(S.MEETING_HELD)
    upload = signed_form("Signed form (scan).pdf")
    content = upload.read()
    upload.seek(0)

    _receive(organisation, signed_form=upload)

    organisation.refresh_from_db()
    path = Path(organisation.signed_form.path).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert path.read_bytes() == content
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*"))


def test_the_signed_form_field_uses_the_private_storage():
    _, _, _, options = Organisation._meta.get_field("signed_form").deconstruct()

    assert options["storage"] is private_storage
    assert private_storage() is storages["private"]
    location = Path(private_storage().location).resolve()
    assert location == Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    assert not location.is_relative_to(Path(settings.MEDIA_ROOT).resolve())


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        pytest.param(
            lambda: signed_form("form.pdf", b"Signed by the Vice-Chancellor on 3 May.\n"),
            "This file is not a PDF. Please upload the signed form as a PDF document.",
            id="text-named-pdf",
        ),
        pytest.param(
            lambda: signed_form("form.pdf", b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n"),
            "This file is not a PDF. Please upload the signed form as a PDF document.",
            id="truncated-pdf",
        ),
        pytest.param(
            lambda: signed_form("form.pdf", b""),
            "The file is empty.",
            id="empty",
        ),
    ],
)
def test_a_signed_form_that_is_not_a_pdf_is_refused(upload, message):
    organisation = organisation_at(S.MEETING_HELD)

    refused = _refusal(organisation, lambda: _receive(organisation, signed_form=upload()))

    assert refused == message
    assert not Path(settings.PRIVATE_MEDIA_ROOT).exists() or not any(
        Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.pdf")
    )


def test_an_oversized_signed_form_is_refused(settings):
    pdf = signed_form()
    settings.SIGNED_FORM_MAX_BYTES = pdf.size - 1
    organisation = organisation_at(S.MEETING_HELD)

    message = _refusal(organisation, lambda: _receive(organisation, signed_form=pdf))

    assert message.startswith(f"The file is {pdf.size}")
    assert message.endswith(f"the limit is {pdf.size - 1}\xa0bytes.")


def test_a_signed_form_exactly_at_the_limit_is_accepted(settings):
    pdf = signed_form()
    settings.SIGNED_FORM_MAX_BYTES = pdf.size
    organisation = organisation_at(S.MEETING_HELD)

    _receive(organisation, signed_form=pdf)

    organisation.refresh_from_db()
    assert organisation.status == S.FORM_RECEIVED


# The two kinds, through their proxy models.


def test_signatories_and_supporters_list_only_their_own_kind():
    universities = [
        OrganisationFactory(kind=OrganisationKind.SIGNATORY, name=f"University {n}")
        for n in ("of Leeds", "of York")
    ]
    society = OrganisationFactory(kind=OrganisationKind.SUPPORTER, name="Royal Society of Biology")

    assert list(Signatory.objects.order_by("name")) == universities
    assert list(Supporter.objects.all()) == [society]
    assert Organisation.objects.count() == 3


def test_a_proxy_saves_its_own_kind_and_moves_along_the_path():
    supporter = Supporter.objects.create(
        kind=OrganisationKind.SIGNATORY,  # corrected by the proxy
        name="Institute of Physics",
        slug="institute-of-physics",
        org_type="learned_society",
        region="london",
        enquiry_received_on=ENQUIRY_ON,
    )

    services.organisation_record_meeting(
        actor=StaffFactory(), organisation=supporter, held_on=MEETING_ON
    )

    assert Organisation.objects.get(pk=supporter.pk).kind == OrganisationKind.SUPPORTER
    assert Supporter.objects.get().status == S.MEETING_HELD
    assert not Signatory.objects.exists()
    assert ActivityLog.objects.get().object_id == supporter.pk


# Two people at once.


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_second_step_waits_for_the_first_and_is_refused():
    """The row lock serialises two staff recording the same meeting at the same moment."""
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks (PostgreSQL); SQLite serialises whole transactions")
    organisation = organisation_at(S.ENQUIRY)
    first, second = StaffFactory(), StaffFactory()
    outcome = {}

    def second_attempt():
        try:
            services.organisation_record_meeting(
                actor=second,
                organisation=Organisation.objects.get(pk=organisation.pk),
                held_on=MEETING_ON,
            )
            outcome["second"] = "recorded"
        except ApplicationError as exc:
            outcome["second"] = exc.message
        finally:
            connection.close()

    with transaction.atomic():
        services.organisation_record_meeting(
            actor=first, organisation=organisation, held_on=MEETING_ON
        )
        racer = threading.Thread(target=second_attempt)
        racer.start()
        racer.join(timeout=0.5)
        # Still waiting on the lock the first step holds.
        assert racer.is_alive()
    racer.join(timeout=10)

    assert outcome["second"] == "This cannot be done while the status is “Meeting held”."
    assert [(e.actor, e.verb) for e in activity_for(organisation)] == [(first, "meeting held")]


# Every service checks its actor with the permission the step table names.


@pytest.mark.parametrize("role", ["lead", "contributor", "outsider"])
@pytest.mark.parametrize(("status", "action"), ALLOWED, ids=[f"{s}-{a}" for s, a in ALLOWED])
def test_a_step_by_anyone_but_staff_is_refused_and_changes_nothing(status, action, role):
    organisation = organisation_at(status)
    if role == "outsider":
        actor = UserFactory()
    else:
        actor = MembershipFactory(organisation=organisation, role=role).user
    before, log_before = stored(organisation), activity_rows()

    with pytest.raises(NotPermitted):
        ACTIONS[action](organisation, actor)

    assert STEPS[action].permission == "organisations.manage_organisation"
    assert stored(organisation) == before
    assert activity_rows() == log_before


def test_creating_or_editing_an_organisation_is_refused_to_its_lead():
    organisation = OrganisationFactory(name="University of Thisshire")
    lead = MembershipFactory(organisation=organisation, role=MembershipRole.LEAD).user
    before = stored(organisation)

    with pytest.raises(NotPermitted):
        services.organisation_create(
            actor=lead,
            kind="signatory",
            name="Another University",
            org_type="university",
            region="london",
        )
    with pytest.raises(NotPermitted):
        services.organisation_update(actor=lead, organisation=organisation, short_name="This")

    assert Organisation.objects.count() == 1
    assert stored(organisation) == before
    # Its public details are the lead's to change.
    services.organisation_update_public_details(
        actor=lead, organisation=organisation, contact_name="Priya Shah"
    )
    assert Organisation.objects.get().contact_name == "Priya Shah"
