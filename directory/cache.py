"""Caching of the public pages (directory, map, figures, organisation pages, feed).

For visitors who are not signed in, a page is kept whole in the cache, under the address
and a *generation* number. Any change that the public pages show moves the generation on,
so every cached page is out of date at once: the next visitor gets a fresh one. The changes
are saves and deletes of organisations, submissions, actions, progress updates, feedback
and the PDFs the pages offer (``connect``); writes that bypass ``save()`` (bulk updates)
call ``public_changed`` themselves. Pages also expire after ``TIMEOUT`` as a backstop.

Signed-in people always get the page made for them (their navigation differs).

The pages are kept in the "pages" cache, which keeps nothing while Redis is down
(``core.cache``): every visitor then gets a page made afresh from the database. A process
that saw the outage moves the generation on when the cache is back, so a change saved
during the outage does not leave pages kept before it in service."""

import hashlib
import time
from functools import wraps

from django.core.cache import caches
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

GENERATION = "public-pages:generation"
TIMEOUT = 300
# What a cached answer keeps besides its body (a CSV download stays a download).
KEPT_HEADERS = ("Content-Type", "Content-Disposition")


def _pages():
    return caches["pages"]


# Each process reads the generation from the shared cache at most once a second, so a
# kept page costs one cache read; a change reaches every process within that second.
GENERATION_READ_EVERY = 1.0
# ``missed``: the cache was down here, so a change saved meanwhile may not have moved the
# generation on; it is moved on as soon as the cache answers again, and no page kept
# from before the outage is served after it.
_seen = {"value": None, "at": 0.0, "missed": False}


def generation() -> int | None:
    """The current generation; None while the cache keeps nothing (Redis down)."""
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


def cached_for_visitors(view):
    """Serve ``view``'s GET answers to visitors who are not signed in from the cache."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        current = generation()
        if current is None:
            # The cache is down: nothing is kept, the page is made afresh.
            response = view(request, *args, **kwargs)
        else:
            response = _kept_or_made(view, request, current, *args, **kwargs)
        patch_vary_headers(response, ["Cookie", "HX-Request", "HX-Target"])
        return response

    return wrapper


def _kept_or_made(view, request, current: int, *args, **kwargs):
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


def connect() -> None:
    """Move the generation on whenever something the public pages show is saved."""
    from action_plans.models import Action, ActionUpdate, Submission, SubmissionPack
    from organisations.models import Organisation
    from reviews.models import Feedback

    for model in (Organisation, Submission, Action, ActionUpdate, Feedback, SubmissionPack):
        for signal in (post_save, post_delete):
            signal.connect(public_changed, sender=model, dispatch_uid=f"public-{model.__name__}")
