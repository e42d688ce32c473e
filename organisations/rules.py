"""The register's permissions that are not about one organisation. Those about one
organisation (managing it, its workspace, its public details) are declared on the
model, in ``Organisation.Meta.rules_permissions``."""

import rules

from accounts.rules import is_itss_staff

rules.add_perm("organisations.view_pipeline", is_itss_staff)
rules.add_perm("organisations.import_organisations", is_itss_staff)
