"""Who may do what with submissions: the named predicates, and the permissions that
are not about one submission (they take an Organisation, or nothing). A submission's
own permissions are declared on it, in ``Submission.Meta.rules_permissions``."""

import rules

from accounts.rules import is_itss_staff, is_lead_of_organisation, is_member_of_organisation

from .enums import EDITABLE_STATUSES, SubmissionStatus


@rules.predicate
def is_member_of_submitting_organisation(user, submission) -> bool:
    return submission is not None and is_member_of_organisation(user, submission.organisation)


@rules.predicate
def is_lead_of_submitting_organisation(user, submission) -> bool:
    return submission is not None and is_lead_of_organisation(user, submission.organisation)


@rules.predicate
def is_being_written(_user, submission) -> bool:
    return submission is not None and submission.status in EDITABLE_STATUSES


@rules.predicate
def is_submitted(_user, submission) -> bool:
    return submission is not None and submission.status != SubmissionStatus.IN_PROGRESS


@rules.predicate
def is_published(_user, submission) -> bool:
    return submission is not None and submission.published_at is not None


# Organisation level.
rules.add_perm("action_plans.view_stages", is_itss_staff | is_member_of_organisation)
rules.add_perm("action_plans.start_stage", is_member_of_organisation)
rules.add_perm("action_plans.extend_due_date", is_itss_staff)
rules.add_perm("action_plans.manage_rounds", is_itss_staff)
rules.add_perm("action_plans.manage_reminders", is_itss_staff)
