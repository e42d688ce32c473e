"""A Redis cache that a Redis outage cannot turn into an error page.

Everything the portal keeps in the cache can be done without: pages are made afresh,
rate limits count somewhere else for a while. So when Redis cannot be reached,
``ResilientRedisCache`` logs it (at most once a minute per process), stops asking Redis
for a few seconds (``OUTAGES``), and meanwhile answers from its fallback:

- ``"FALLBACK": "memory"`` (the default): a cache in this process's memory. Rate limits
  (allauth's sign-in limits and used two-factor codes, the API throttle) keep counting,
  per process, so they still hold, if less tightly.
- ``"FALLBACK": "none"``: nothing is kept, every read misses. For the public page cache,
  where a page kept in one process's memory would outlive a change made in another.

Short socket timeouts (``OPTIONS``) bound what one failed attempt costs.
"""

import logging

from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from .outages import Outages

logger = logging.getLogger(__name__)

# After a failure, Redis is left alone for a few seconds; shared per process by every
# thread and cache alias, keyed by the Redis address.
OUTAGES = Outages(
    logger=logger,
    what="The cache",
    meanwhile="serving without it, trying again every few seconds.",
    retry_after=5.0,
)

FALLBACKS = {"memory", "none"}


def _guarded(name: str):
    def operation(self, *args, **kwargs):
        return self._attempt(name, *args, **kwargs)

    operation.__name__ = name
    return operation


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        fallback = options.pop("FALLBACK", "memory")
        if fallback not in FALLBACKS:
            raise ValueError(f"FALLBACK must be one of {sorted(FALLBACKS)}, not {fallback!r}.")
        super().__init__(server, {**params, "OPTIONS": options})
        self._address = server if isinstance(server, str) else ",".join(server)
        fallback_params = {
            key: params[key] for key in ("TIMEOUT", "KEY_PREFIX", "VERSION") if key in params
        }
        if fallback == "memory":
            # Named after the Redis address, so every alias and thread of the process
            # shares one fallback store, as they share the one Redis.
            self._fallback = LocMemCache(f"fallback:{self._address}", fallback_params)
        else:
            self._fallback = DummyCache("", fallback_params)

    @property
    def is_down(self) -> bool:
        """Whether Redis failed a moment ago (``OUTAGES.retry_after`` seconds)."""
        return OUTAGES.is_down(self._address)

    def _attempt(self, method: str, *args, **kwargs):
        if self.is_down:
            return getattr(self._fallback, method)(*args, **kwargs)
        try:
            result = getattr(super(), method)(*args, **kwargs)
        except RedisError as exc:
            OUTAGES.went_down(self._address, exc)
            return getattr(self._fallback, method)(*args, **kwargs)
        OUTAGES.came_back(self._address)
        return result

    # Every operation Django's cache API offers, tried on Redis, else on the fallback.
    add = _guarded("add")
    get = _guarded("get")
    set = _guarded("set")
    touch = _guarded("touch")
    delete = _guarded("delete")
    get_many = _guarded("get_many")
    has_key = _guarded("has_key")
    incr = _guarded("incr")
    set_many = _guarded("set_many")
    delete_many = _guarded("delete_many")
    clear = _guarded("clear")
