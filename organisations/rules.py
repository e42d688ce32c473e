import rules

from accounts.rules import is_itss_staff, is_lead_of_organisation, is_member_of_organisation

rules.add_perm("organisations.view_pipeline", is_itss_staff)
rules.add_perm("organisations.manage_organisation", is_itss_staff)
rules.add_perm("organisations.import_organisations", is_itss_staff)
rules.add_perm("organisations.view_workspace", is_itss_staff | is_member_of_organisation)
rules.add_perm("organisations.edit_public_details", is_itss_staff | is_lead_of_organisation)
