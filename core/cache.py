"""A Redis cache that a Redis outage cannot turn into an error page.

Everything the portal keeps in the cache can be done without: pages are made afresh,
rate limits count somewhere else for a while. So when Redis cannot be reached,
``ResilientRedisCache`` logs it (at most once a minute per process), stops asking Redis
for ``RETRY_AFTER`` seconds, and meanwhile answers from its fallback:

- ``"FALLBACK": "memory"`` (the default): a cache in this process's memory. Rate limits
  (allauth's sign-in limits and used two-factor codes, the API throttle) keep counting,
  per process, so they still hold, if less tightly.
- ``"FALLBACK": "none"``: nothing is kept, every read misses. For the public page cache,
  where a page kept in one process's memory would outlive a change made in another.

Short socket timeouts (``OPTIONS``) bound what one failed attempt costs.
"""

import logging
import threading
import time

from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# After a failure, Redis is left alone this long before it is tried again.
RETRY_AFTER = 5.0
# A process says "the cache is down" in its log at most this often.
LOG_EVERY = 60.0

# Per process and Redis address, shared by every thread and cache alias.
_down_until: dict[str, float] = {}
_logged_at: dict[str, float] = {}
_lock = threading.Lock()

FALLBACKS = {"memory", "none"}


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
        """Whether Redis failed within the last ``RETRY_AFTER`` seconds."""
        return _down_until.get(self._address, 0.0) > time.monotonic()

    def _attempt(self, method: str, *args, **kwargs):
        if self.is_down:
            return getattr(self._fallback, method)(*args, **kwargs)
        try:
            result = getattr(super(), method)(*args, **kwargs)
        except RedisError as exc:
            self._went_down(exc)
            return getattr(self._fallback, method)(*args, **kwargs)
        if self._address in _down_until:
            self._came_back()
        return result

    def _went_down(self, exc: RedisError) -> None:
        now = time.monotonic()
        with _lock:
            _down_until[self._address] = now + RETRY_AFTER
            if now - _logged_at.get(self._address, -LOG_EVERY) < LOG_EVERY:
                return
            _logged_at[self._address] = now
        logger.warning(
            "The cache cannot be reached (%s: %s); serving without it, trying again every %.0f s.",
            type(exc).__name__,
            exc,
            RETRY_AFTER,
        )

    def _came_back(self) -> None:
        with _lock:
            was_down = _down_until.pop(self._address, None) is not None
            _logged_at.pop(self._address, None)
        if was_down:
            logger.warning("The cache can be reached again.")

    def add(self, *args, **kwargs):
        return self._attempt("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._attempt("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._attempt("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._attempt("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._attempt("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._attempt("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._attempt("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._attempt("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._attempt("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._attempt("delete_many", *args, **kwargs)

    def clear(self):
        return self._attempt("clear")
