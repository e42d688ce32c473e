"""The submission cycle's answers to the register's questions (``organisations.hooks``):
which organisations are lapsing and why, the workspace's card for the current stage, the
staff page's alert for a lapsing signatory and its link to the stages. Connected in
``ActionPlansConfig.ready``."""

from django.conf import settings
from django.template.loader import render_to_string

from organisations import hooks
from organisations.models import Organisation

from .lapsing import Lapsing, organisation_lapsing, organisations_lapsing
from .selectors import organisation_stages


def lapsing_found(organisations: list[Organisation] | None) -> list[Lapsing]:
    """Given None, every organisation lapsing now (five queries); given organisations,
    those of them lapsing now (four queries for each announced or active signatory)."""
    if organisations is None:
        return organisations_lapsing()
    found = (organisation_lapsing(organisation) for organisation in organisations)
    return [lapsing for lapsing in found if lapsing is not None]


def stages_panel(request, organisation: Organisation, **known) -> str:
    stages = organisation_stages(organisation)
    return render_to_string(
        "action_plans/register/stages_panel.html",
        {"organisation": organisation, "current_stage": stages[-1] if stages else None},
        request=request,
    )


def lapsing_panel(request, organisation: Organisation, *, lapsing=None, **known) -> str:
    """The staff page found whether it is lapsing already; nothing to show if not."""
    if lapsing is None:
        return ""
    return render_to_string(
        "action_plans/register/lapsing_panel.html",
        {
            "organisation": organisation,
            "lapsing": lapsing,
            "lapsing_after_months": settings.LAPSING_AFTER_MONTHS,
        },
        request=request,
    )


def stages_link(request, organisation: Organisation, **known) -> str:
    return render_to_string(
        "action_plans/register/stages_link.html", {"organisation": organisation}, request=request
    )


def connect() -> None:
    hooks.lapsing_answer(lapsing_found)
    hooks.panel_add("workspace", stages_panel)
    hooks.panel_add("staff", lapsing_panel)
    hooks.panel_add("staff_links", stages_link)
