"""What every role gets from every named URL: the table tests/test_permission_matrix.py reads.

The roles: the anonymous; a contributor of the organisation concerned (A); the lead of
another organisation (B); the peer reviewer assigned to A's submission in review; a peer
reviewer who was assigned too and then declared a conflict with A (asked about their own
assignment); and ITSS staff. The house rules: the anonymous are sent to sign in; what a
user may not see answers 404, never 403; a URL that only acts answers a GET with 405.

Each row names where its URL's arguments come from in the world (the test module's
``World.values``) and, per method, what each role gets: a status code, ``SIGN_IN`` (302
to the sign-in page, coming back afterwards), or ``to("view:name")`` (302 elsewhere).
The POST is sent empty: the matrix asks who may act, not whether the form is valid, so a
role allowed in gets the form again (200), its refusal (400) or a redirect with a message.
A case that answers wrongly today is recorded with its correct answer, wrapped in
``wrong(...)`` with the reason; its test is a strict xfail until the view is fixed."""

from dataclasses import dataclass, field

ROLES = ("anonymous", "contributor", "lead_other", "reviewer", "conflicted", "staff")

# URL sets that belong to the libraries, not to the portal; their own tests cover them.
EXCLUDED_NAMESPACES = {
    "admin",  # the Django admin: staff only, behind the portal's own sign-in
}
EXCLUDED_NAMES = (
    "account_",  # allauth's sign-in, sign-up, password and email pages
    "mfa_",  # allauth's two-factor pages
    "api:schema",  # drf-spectacular's OpenAPI schema and its viewer
    "api:docs",
)


@dataclass(frozen=True)
class SignIn:
    """302 to the sign-in page."""


@dataclass(frozen=True)
class Redirect:
    """302 to another page of the portal, named by its view."""

    view_name: str


@dataclass(frozen=True)
class Xfail:
    """The correct answer, which the URL does not give yet."""

    expected: object
    reason: str


SIGN_IN = SignIn()


def to(view_name: str) -> Redirect:
    return Redirect(view_name)


def wrong(expected, reason: str) -> Xfail:
    return Xfail(expected, reason)


@dataclass(frozen=True)
class Row:
    kwargs: dict[str, str] = field(default_factory=dict)
    get: dict[str, object] | None = None
    post: dict[str, object] | None = None


def everyone(answer) -> dict[str, object]:
    return dict.fromkeys(ROLES, answer)


def private(default=404, **answers) -> dict[str, object]:
    """Signed-in pages: the anonymous sign in; everyone else gets ``default`` but for
    the roles named."""
    return {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], default), **answers}


MATRIX: dict[str, Row] = {
    # The site itself, and the outbox staff watch.
    "core:home": Row({}, get=everyone(200)),
    "core:healthz": Row({}, get=everyone(200)),
    "core:mail_bounce": Row({}, get=everyone(405), post=everyone(404)),
    "core:mail": Row({}, get=private(staff=200)),
    "core:mail_resend": Row({"pk": "mail"}, get=private(405), post=private(staff=to("core:mail"))),
    # Accounts: the signed-in home, invitations, memberships, two-factor enrolment.
    "accounts:home": Row(
        {},
        get=private(
            to("organisations:workspace"),
            reviewer=to("reviews:dashboard"),
            conflicted=to("reviews:dashboard"),
            staff=to("organisations:pipeline"),
        ),
    ),
    "accounts:invitation_accept": Row({"token": "token"}, get=everyone(200), post=everyone(200)),
    "accounts:invitation_revoke": Row(
        {"pk": "invitation"}, get=private(405), post=private(staff=to("organisations:workspace"))
    ),
    "accounts:membership_remove": Row(
        {"pk": "membership"}, get=private(405), post=private(staff=to("organisations:workspace"))
    ),
    "accounts:two_factor_confirm": Row(
        {},
        get=private(to("mfa_index"), contributor=200, lead_other=200),
        post=private(
            to("mfa_index"),
            contributor=to("accounts:two_factor_confirm"),
            lead_other=to("accounts:two_factor_confirm"),
        ),
    ),
    "accounts:two_factor_link": Row(
        {"token": "link"},
        get=private(to("mfa_index"), contributor=404, lead_other=404),
        post=private(to("mfa_index"), contributor=404, lead_other=404),
    ),
    # The register: the staff pipeline and organisation pages, import, the workspace and team.
    "organisations:pipeline": Row({}, get=private(staff=200)),
    "organisations:organisation_create": Row({}, get=private(staff=200), post=private(staff=200)),
    "organisations:staff_organisation": Row({"slug": "organisation"}, get=private(staff=200)),
    "organisations:organisation_edit": Row(
        {"slug": "organisation"}, get=private(staff=200), post=private(staff=200)
    ),
    "organisations:signed_form_download": Row({"slug": "organisation"}, get=private(staff=200)),
    "organisations:organisation_transition": Row(
        {"slug": "organisation", "action": "transition"},
        get=private(staff=200),
        post=private(staff=200),
    ),
    "organisations:import_upload": Row({}, get=private(staff=200), post=private(staff=200)),
    "organisations:import_confirm": Row(
        {}, get=private(405), post=private(staff=to("organisations:import_upload"))
    ),
    "organisations:workspace": Row(
        {"slug": "organisation"}, get=private(contributor=200, staff=200)
    ),
    "organisations:public_details": Row(
        {"slug": "organisation"}, get=private(staff=200), post=private(staff=200)
    ),
    "organisations:invitation_create": Row(
        {"slug": "organisation"}, get=private(staff=200), post=private(staff=200)
    ),
    # The public front.
    "directory:directory": Row({}, get=everyone(200)),
    "directory:feed": Row({}, get=everyone(200)),
    "directory:map": Row({}, get=everyone(200)),
    "directory:network": Row({}, get=everyone(200)),
    "directory:public_organisation": Row({"slug": "published"}, get=everyone(200)),
    "directory:published_plan_pdf": Row({"slug": "published"}, get=everyone(200)),
    "directory:published_plan_prepare": Row(
        {"slug": "published"},
        get=private(405),
        post=private(
            lead_other=to("directory:public_organisation"),
            staff=to("directory:public_organisation"),
        ),
    ),
    # Submissions: stage 1 of A is submitted and in review, stage 2 is open.
    "action_plans:dashboard": Row(
        {"slug": "organisation"}, get=private(contributor=200, staff=200)
    ),
    "action_plans:calendar": Row({"token": "calendar"}, get=everyone(200)),
    "action_plans:submission": Row(
        {"slug": "organisation", "number": "stage"}, get=private(contributor=200, staff=200)
    ),
    "action_plans:start": Row(
        {"slug": "organisation", "number": "open_stage"},
        get=private(405),
        post=private(contributor=to("action_plans:dashboard")),
    ),
    "action_plans:self_assessment": Row(
        {"slug": "organisation", "number": "open_stage"},
        get=private(405),
        post=private(
            contributor=to("action_plans:submission"), staff=to("action_plans:submission")
        ),
    ),
    "action_plans:theme": Row(
        {"slug": "organisation", "number": "open_stage", "theme": "theme"},
        get=private(405),
        post=private(
            contributor=to("action_plans:submission"), staff=to("action_plans:submission")
        ),
    ),
    "action_plans:previous": Row(
        {"slug": "organisation", "number": "open_stage", "pk": "previous"},
        get=private(405),
        post=private(
            contributor=to("action_plans:submission"), staff=to("action_plans:submission")
        ),
    ),
    "action_plans:action_add": Row(
        {"slug": "organisation", "number": "open_stage"},
        get=private(contributor=to("action_plans:submission"), staff=to("action_plans:submission")),
        post=private(
            contributor=to("action_plans:submission"), staff=to("action_plans:submission")
        ),
    ),
    "action_plans:action_edit": Row(
        {"slug": "organisation", "number": "open_stage", "pk": "action"},
        get=private(contributor=200, staff=to("action_plans:submission")),
        post=private(
            contributor=to("action_plans:action_edit"), staff=to("action_plans:action_edit")
        ),
    ),
    # Staff see the stage but never change its content: refused with a message (400).
    "action_plans:action_remove": Row(
        {"slug": "organisation", "number": "open_stage", "pk": "action"},
        get=private(405),
        post=private(contributor=to("action_plans:submission"), staff=400),
    ),
    "action_plans:action_move": Row(
        {"slug": "organisation", "number": "open_stage", "pk": "action"},
        get=private(405),
        post=private(contributor=to("action_plans:submission"), staff=400),
    ),
    "action_plans:progress": Row(
        {"slug": "organisation", "number": "stage", "pk": "submitted_action"},
        get=private(405),
        post=private(
            contributor=to("action_plans:submission"), staff=to("action_plans:submission")
        ),
    ),
    "action_plans:voice_add": Row(
        {"slug": "organisation", "number": "open_stage"},
        get=private(contributor=to("action_plans:submission"), staff=to("action_plans:submission")),
        post=private(
            contributor=to("action_plans:submission"), staff=to("action_plans:submission")
        ),
    ),
    "action_plans:voice_edit": Row(
        {"slug": "organisation", "number": "open_stage", "pk": "evidence"},
        get=private(contributor=200, staff=to("action_plans:submission")),
        post=private(
            contributor=to("action_plans:voice_edit"), staff=to("action_plans:voice_edit")
        ),
    ),
    "action_plans:voice_remove": Row(
        {"slug": "organisation", "number": "open_stage", "pk": "evidence"},
        get=private(405),
        post=private(contributor=to("action_plans:submission"), staff=400),
    ),
    "action_plans:attachment_add": Row(
        {"slug": "organisation", "number": "open_stage"},
        get=private(405),
        post=private(
            contributor=to("action_plans:submission"), staff=to("action_plans:submission")
        ),
    ),
    "action_plans:attachment": Row(
        {"slug": "organisation", "number": "open_stage", "pk": "attachment"},
        get=private(contributor=200, staff=200),
    ),
    "action_plans:attachment_remove": Row(
        {"slug": "organisation", "number": "open_stage", "pk": "attachment"},
        get=private(405),
        post=private(contributor=to("action_plans:submission"), staff=400),
    ),
    "action_plans:pack_request": Row(
        {"slug": "organisation", "number": "stage"},
        get=private(405),
        post=private(
            contributor=to("action_plans:submission"), staff=to("action_plans:submission")
        ),
    ),
    "action_plans:pack_status": Row(
        {"slug": "organisation", "number": "stage", "pk": "pack"},
        get=private(contributor=to("action_plans:submission"), staff=to("action_plans:submission")),
    ),
    "action_plans:pack_download": Row(
        {"slug": "organisation", "number": "stage", "pk": "pack"},
        get=private(contributor=200, staff=200),
    ),
    "action_plans:submit": Row(
        {"slug": "organisation", "number": "open_stage"},
        get=private(contributor=200, staff=200),
        post=private(contributor=400, staff=400),
    ),
    "action_plans:publish": Row(
        {"slug": "organisation", "number": "stage"},
        get=private(405),
        post=private(
            contributor=to("action_plans:submission"), staff=to("action_plans:submission")
        ),
    ),
    "action_plans:reopen": Row(
        {"slug": "organisation", "number": "stage"}, get=private(staff=200), post=private(staff=200)
    ),
    "action_plans:extend": Row(
        {"slug": "organisation", "number": "open_stage"},
        get=private(staff=200),
        post=private(staff=200),
    ),
    "action_plans:rounds": Row({}, get=private(staff=200), post=private(staff=200)),
    "action_plans:reminder_rules": Row({}, get=private(staff=200)),
    "action_plans:reminder_rule_add": Row({}, get=private(staff=200), post=private(staff=200)),
    "action_plans:reminder_rule_edit": Row(
        {"pk": "rule"}, get=private(staff=200), post=private(staff=200)
    ),
    "action_plans:reminders_send_now": Row(
        {}, get=private(405), post=private(staff=to("action_plans:reminder_rules"))
    ),
    "action_plans:round_remove": Row(
        {"pk": "submission_round"}, get=private(405), post=private(staff=to("action_plans:rounds"))
    ),
    # Peer review.
    "reviews:pool": Row({}, get=private(staff=200), post=private(staff=200)),
    "reviews:profile_edit": Row({"pk": "profile"}, get=private(staff=200), post=private(staff=200)),
    "reviews:rounds": Row({}, get=private(staff=200), post=private(staff=200)),
    "reviews:round": Row({"pk": "round"}, get=private(staff=200)),
    "reviews:round_edit": Row({"pk": "round"}, get=private(staff=200), post=private(staff=200)),
    "reviews:round_assign": Row(
        {"pk": "round"}, get=private(staff=200), post=private(staff=to("reviews:round"))
    ),
    "reviews:round_export": Row({"pk": "round"}, get=private(staff=200)),
    "reviews:assign": Row(
        {"pk": "round", "submission": "submission"}, get=private(staff=200), post=private(staff=200)
    ),
    "reviews:moderate": Row(
        {"pk": "round", "submission": "submission"},
        get=private(staff=200),
        post=private(staff=to("reviews:moderate")),
    ),
    "reviews:resume": Row(
        {"pk": "round", "submission": "submission"},
        get=private(405),
        post=private(staff=to("reviews:round")),
    ),
    "reviews:reopen": Row(
        {"submission": "submission"}, get=private(staff=200), post=private(staff=200)
    ),
    "reviews:withdraw": Row({"pk": "assignment"}, get=private(staff=200), post=private(staff=200)),
    "reviews:release": Row(
        {"pk": "feedback"}, get=private(405), post=private(staff=to("reviews:moderate"))
    ),
    "reviews:dashboard": Row({}, get=private(reviewer=200, conflicted=200)),
    "reviews:conflicts": Row(
        {}, get=private(reviewer=200, conflicted=200), post=private(reviewer=200, conflicted=200)
    ),
    "reviews:conflict_remove": Row(
        {"pk": "conflict"}, get=private(405), post=private(conflicted=to("reviews:conflicts"))
    ),
    "reviews:certificate": Row({}, get=private(reviewer=200, conflicted=200)),
    "reviews:assignment": Row({"pk": "assignment"}, get=private(reviewer=200)),
    "reviews:accept": Row(
        {"pk": "assignment"}, get=private(405), post=private(reviewer=to("reviews:assignment"))
    ),
    "reviews:decline": Row(
        {"pk": "assignment"}, get=private(405), post=private(reviewer=to("reviews:assignment"))
    ),
    "reviews:declare_conflict": Row(
        {"pk": "assignment"}, get=private(405), post=private(reviewer=to("reviews:assignment"))
    ),
    "reviews:review": Row(
        {"pk": "assignment"}, get=private(405), post=private(reviewer=to("reviews:assignment"))
    ),
    # An empty draft carries no version, so the assigned reviewer is told it is stale.
    "reviews:review_draft": Row({"pk": "assignment"}, get=private(405), post=private(reviewer=409)),
    "reviews:lead_feedback": Row(
        {"pk": "assignment"},
        get=private(reviewer=200),
        post=private(reviewer=to("reviews:lead_feedback")),
    ),
    "reviews:feedback_ready": Row(
        {"pk": "assignment"}, get=private(405), post=private(reviewer=to("reviews:lead_feedback"))
    ),
    "reviews:pack": Row({"pk": "assignment"}, get=private(reviewer=200)),
    "reviews:pack_prepare": Row(
        {"pk": "assignment"}, get=private(405), post=private(reviewer=to("reviews:assignment"))
    ),
    "reviews:attachment": Row(
        {"pk": "assignment", "attachment": "submitted_attachment"}, get=private(reviewer=200)
    ),
    "reviews:feedback": Row(
        {"slug": "organisation", "number": "stage"}, get=private(contributor=200, staff=200)
    ),
    "reviews:feedback_report_prepare": Row(
        {"slug": "organisation", "number": "stage"},
        get=private(405),
        post=private(contributor=to("reviews:feedback"), staff=to("reviews:feedback")),
    ),
    "reviews:feedback_pdf": Row(
        {"slug": "organisation", "number": "stage"}, get=private(contributor=200, staff=200)
    ),
    # The public API.
    "api:organisations": Row({}, get=everyone(200)),
    "api:organisation": Row({"slug": "published"}, get=everyone(200)),
    "api:action_plan": Row({"slug": "published"}, get=everyone(200)),
    # Crawlers.
    "sitemap": Row({}, get=everyone(200)),
    "robots": Row({}, get=everyone(200)),
}
