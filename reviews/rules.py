import rules

from accounts.rules import is_itss_staff

rules.add_perm("reviews.manage_pool", is_itss_staff)
