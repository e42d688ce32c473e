"""Extension points of the register, filled by the apps above it.

The register asks; an app higher in the stack answers, registering its answer in its
``AppConfig.ready()`` (``action_plans/register_hooks.py``). The register never imports
those apps, and with no app answering it still works: nothing is lapsing and the pages
show no extra panels.

- *Which organisations are lapsing, and why.* Lapsing is derived from the submission
  cycle, which the register knows nothing of. ``lapsing_answer(finder)`` installs the
  one finder; ``organisations_lapsing`` and ``organisation_lapsing`` ask it.
- *What panels a page shows for one organisation.* ``panel_add(place, renderer)``; the
  page calls ``panels(place, ...)`` and prints each panel's HTML where the place is.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Literal, Protocol

from django.http import HttpRequest
from django.utils.safestring import SafeString

from .models import Organisation


class Overdue(Protocol):
    number: int
    due_at: datetime


class Lapsing(Protocol):
    """Why an organisation is lapsing, as the register's pages word it: the stage that
    is overdue, since when, and by how much."""

    organisation: Organisation
    stage: Overdue
    due_on: date

    @property
    def days_overdue(self) -> int: ...

    @property
    def months_overdue(self) -> int: ...


# Given organisations, those of them lapsing now; given None, every one lapsing now.
# Longest overdue first.
LapsingFinder = Callable[[list[Organisation] | None], list[Lapsing]]

_lapsing_finders: list[LapsingFinder] = []


def lapsing_answer(finder: LapsingFinder) -> None:
    """Install the finder (once: a second, different one is a mistake)."""
    if _lapsing_finders and _lapsing_finders[0] is not finder:
        raise ValueError("Lapsing is already answered by another finder.")
    _lapsing_finders[:] = [finder]


def organisations_lapsing() -> list[Lapsing]:
    """Every organisation lapsing now, longest overdue first."""
    return _lapsing_finders[0](None) if _lapsing_finders else []


def organisation_lapsing(organisation: Organisation) -> Lapsing | None:
    """Why ``organisation`` is lapsing now, or None if it is not."""
    if not _lapsing_finders:
        return None
    found = _lapsing_finders[0]([organisation])
    return found[0] if found else None


# The places a panel can go: the organisation's workspace (under its heading), the
# staff page (above its onboarding card) and the staff page's row of buttons.
Place = Literal["workspace", "staff", "staff_links"]
# Called with the request, the organisation and what the page already knows
# (``lapsing`` on the staff page); returns the panel's HTML, or "" to show nothing.
PanelRenderer = Callable[..., SafeString | str]

_panels: dict[str, list[PanelRenderer]] = {"workspace": [], "staff": [], "staff_links": []}


def panel_add(place: Place, renderer: PanelRenderer) -> None:
    """Add a panel to ``place``; adding the same renderer twice adds it once."""
    if renderer not in _panels[place]:
        _panels[place].append(renderer)


def panels(place: Place, *, request: HttpRequest, organisation: Organisation, **known) -> list:
    """The HTML of each panel at ``place``, in the order they were added."""
    rendered = (render(request, organisation, **known) for render in _panels[place])
    return [html for html in rendered if html]
