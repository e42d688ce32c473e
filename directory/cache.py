"""Caching of the public pages (directory, map, figures, organisation pages).

For visitors who are not signed in, a page is kept whole in the cache, under its address
and two *generation* numbers: the site's, and its scope's. An organisation's page is in
that organisation's own scope; the directory, the map and the figures are in the scope of
the lists. A change moves on the generation of each scope that shows it, so only those
pages are made afresh for the next visitor:

- an organisation saved: its own page; the lists too when a field they show changed
  (``LISTED``: its name, kind, type, region, coordinates, status, announcement...);
- a submission saved: its organisation's page; the lists too when its status, stage or
  publication changed (the lists show each organisation's latest stage and published plan,
  the figures count published plans);
- an action, a progress update, feedback, or the published plan's PDF saved: the
  organisation's page only (a submission's own PDF is shown on no public page);
- anything deleted: its organisation's page and the lists.

Writes that bypass ``save()`` (bulk updates) call ``organisation_changed``,
``lists_changed`` or, for everything at once, ``public_changed`` themselves. Pages also
expire after ``TIMEOUT`` as a backstop.

Signed-in people always get the page made for them (their navigation differs).

The pages are kept in the "pages" cache, which keeps nothing while Redis is down
(``core.cache``): every visitor then gets a page made afresh from the database. A process
that saw the outage moves the site's generation on when the cache is back, so a change
saved during the outage does not leave pages kept before it in service."""

import hashlib
import time
from functools import partial, wraps

from django.core.cache import caches
from django.db.models.signals import post_delete, post_save, pre_save
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

from action_plans.enums import PackDocument
from action_plans.models import Action, ActionUpdate, Submission, SubmissionPack
from organisations.models import Organisation
from reviews.models import Feedback

GENERATION = "public-pages:generation"
LISTS = "public-pages:lists"
ORGANISATION = "public-pages:organisation:{slug}"
TIMEOUT = 300
# What a cached answer keeps besides its body (a CSV download stays a download).
KEPT_HEADERS = ("Content-Type", "Content-Disposition")

# The fields the lists (directory, map, figures) show or filter on, per model; a save
# that changes none of them leaves the lists in the cache.
LISTED = {
    Organisation: frozenset(
        {
            "kind",
            "name",
            "short_name",
            "slug",
            "org_type",
            "region",
            "country",
            "latitude",
            "longitude",
            "status",
            "announced_on",
        }
    ),
    Submission: frozenset({"status", "stage_number", "published_at"}),
}


def _pages():
    return caches["pages"]


# Each process reads the site's generation from the shared cache at most once a second
# (a change to everything reaches every process within that second); a scope's generation
# is read with each page, so a targeted change shows at once everywhere.
GENERATION_READ_EVERY = 1.0
# ``missed``: the cache was down here, so a change saved meanwhile may not have moved the
# generation on; it is moved on as soon as the cache answers again, and no page kept
# from before the outage is served after it.
_seen = {"value": None, "at": 0.0, "missed": False}


def generation() -> int | None:
    """The site's current generation; None while the cache keeps nothing (Redis down)."""
    now = time.monotonic()
    if _seen["value"] is not None and now - _seen["at"] < GENERATION_READ_EVERY:
        return _seen["value"]
    found = _pages().get(GENERATION)
    if found is None:
        _pages().add(GENERATION, time.time_ns(), None)
        found = _pages().get(GENERATION)
    if found is None:
        _seen.update(value=None, missed=True)
        return None
    if _seen["missed"]:
        _seen["missed"] = False
        public_changed()
        return _seen["value"]
    _seen.update(value=found, at=now)
    return found


def public_changed(**_signal) -> None:
    """Make every cached public page out of date (this process at once, others within
    GENERATION_READ_EVERY)."""
    value = time.time_ns()
    _pages().set(GENERATION, value, None)
    _seen.update(value=value, at=time.monotonic())
    if getattr(_pages(), "is_down", False):
        _seen["missed"] = True


def _scope_generation(scope: str) -> int | None:
    """The current generation of ``scope``; None while the cache keeps nothing."""
    found = _pages().get(scope)
    if found is None:
        _pages().add(scope, time.time_ns(), None)
        found = _pages().get(scope)
    return found


def _move(scope: str) -> None:
    _pages().set(scope, time.time_ns(), None)
    if getattr(_pages(), "is_down", False):
        _seen["missed"] = True  # moved on when the cache is back (``generation``)


def lists_changed() -> None:
    """Make the cached lists (directory, map, figures) out of date."""
    _move(LISTS)


def organisation_changed(slug: str) -> None:
    """Make the cached pages of the organisation at ``slug`` out of date."""
    _move(ORGANISATION.format(slug=slug))


def lists_scope(**_view_kwargs) -> str:
    return LISTS


def organisation_scope(*, slug: str, **_view_kwargs) -> str:
    return ORGANISATION.format(slug=slug)


def cached_for_visitors(view=None, *, scope=lists_scope):
    """Serve ``view``'s GET answers to visitors who are not signed in from the cache, in
    ``scope`` (from the view's arguments; the lists unless told)."""
    if view is None:
        return partial(cached_for_visitors, scope=scope)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        site = generation()
        own = None if site is None else _scope_generation(scope(**kwargs))
        if own is None:
            # The cache is down: nothing is kept, the page is made afresh.
            response = view(request, *args, **kwargs)
        else:
            response = _kept_or_made(view, request, f"{site}:{own}", *args, **kwargs)
        patch_vary_headers(response, ["Cookie", "HX-Request", "HX-Target"])
        return response

    return wrapper


def _kept_or_made(view, request, current: str, *args, **kwargs):
    # The address is the visitor's to write: hashed, it makes a key of fixed length
    # whatever its length or characters (memcached-safe, no CacheKeyWarning).
    address = "\n".join(
        [
            request.get_full_path(),
            request.headers.get("HX-Request", ""),
            request.headers.get("HX-Target", ""),
        ]
    )
    key = f"public-page:{current}:{hashlib.sha256(address.encode()).hexdigest()}"
    kept = _pages().get(key)
    if kept is not None:
        headers, content = kept
        return HttpResponse(content, headers=headers)
    response = view(request, *args, **kwargs)
    if response.status_code == 200 and not response.streaming and not response.cookies:
        headers = {h: response[h] for h in KEPT_HEADERS if response.has_header(h)}
        _pages().set(key, (headers, response.content), TIMEOUT)
    return response


# What moves which generation on --------------------------------------------------------


def _note_listed_change(sender, instance, update_fields=None, **_signal) -> None:
    """Before a save: note whether it changes a field the lists show, and the slug the
    organisation's pages were kept under (for an organisation whose slug changes)."""
    fields = LISTED[sender]
    previous = None
    if instance._state.adding or instance.pk is None:
        changed = True
    elif update_fields is not None:
        changed = bool(fields & set(update_fields))
        if sender is Organisation and "slug" in update_fields:
            previous = sender.objects.filter(pk=instance.pk).values(*fields).first()
    else:
        previous = sender.objects.filter(pk=instance.pk).values(*fields).first()
        changed = previous is None or any(
            previous[name] != getattr(instance, name) for name in fields
        )
    instance._public_lists_changed = changed
    instance._public_old_slug = (previous or {}).get("slug")


def _slug_of(instance) -> str | None:
    """The slug of the organisation whose public pages show ``instance``."""
    if isinstance(instance, Organisation):
        return instance.slug
    if isinstance(instance, Submission):
        if Submission.organisation.is_cached(instance):
            return instance.organisation.slug
        found = Organisation.objects.filter(pk=instance.organisation_id)
    elif isinstance(instance, ActionUpdate):
        found = Organisation.objects.filter(submissions__actions=instance.action_id)
    else:  # Action, Feedback, SubmissionPack: of a submission
        found = Organisation.objects.filter(submissions=instance.submission_id)
    return found.values_list("slug", flat=True).first()


def _saved(sender, instance, **_signal) -> None:
    if sender is SubmissionPack and instance.document != PackDocument.PUBLISHED_PLAN:
        return  # a stage's own PDF is on no public page
    slug = _slug_of(instance)
    if slug is None:
        public_changed()
        return
    organisation_changed(slug)
    old_slug = getattr(instance, "_public_old_slug", None)
    if old_slug and old_slug != slug:
        organisation_changed(old_slug)
    if getattr(instance, "_public_lists_changed", False):
        lists_changed()


def _deleted(sender, instance, **_signal) -> None:
    slug = _slug_of(instance) if not isinstance(instance, Organisation) else instance.slug
    if slug is None:
        public_changed()  # gone with its organisation: rare, and everything is safe
        return
    organisation_changed(slug)
    lists_changed()


def connect() -> None:
    """Move the generations on whenever something the public pages show is saved."""
    for model in LISTED:
        pre_save.connect(_note_listed_change, sender=model, dispatch_uid=f"public-{model.__name__}")
    for model in (Organisation, Submission, Action, ActionUpdate, Feedback, SubmissionPack):
        post_save.connect(_saved, sender=model, dispatch_uid=f"public-{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"public-{model.__name__}")
