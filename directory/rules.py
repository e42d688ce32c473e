import rules

from accounts.rules import is_itss_staff, is_lead_of_organisation, is_member_of_organisation

rules.add_perm("directory.view_pipeline", is_itss_staff)
rules.add_perm("directory.manage_organisation", is_itss_staff)
rules.add_perm("directory.import_organisations", is_itss_staff)
rules.add_perm("directory.view_workspace", is_itss_staff | is_member_of_organisation)
rules.add_perm("directory.edit_public_details", is_itss_staff | is_lead_of_organisation)

# The outbox's staff pages live in core, which imports no other app; the ITSS
# staff role is bound to their permission here, beside the other staff pages.
rules.add_perm("core.manage_outbox", is_itss_staff)
