"""The Redis cache that a Redis outage cannot turn into an error page (core.cache)."""

import logging
import socket
import time

import pytest

from core.cache import ResilientRedisCache


@pytest.fixture
def silent_redis():
    """Accepts connections and never answers: every call waits for its socket timeout."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"


def _cache(url, fallback="memory"):
    return ResilientRedisCache(
        url,
        {"OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.3, "FALLBACK": fallback}},
    )


def test_after_one_timeout_redis_is_left_alone(silent_redis):
    cache = _cache(silent_redis)
    started = time.monotonic()
    assert cache.get("anything") is None
    first = time.monotonic() - started

    started = time.monotonic()
    for _ in range(100):
        cache.get("anything")
    rest = time.monotonic() - started

    assert first >= 0.25
    assert rest < 0.1
    assert cache.is_down


def test_the_memory_fallback_counts_and_is_shared_by_aliases(silent_redis):
    rate_limits, other_alias = _cache(silent_redis), _cache(silent_redis)
    assert rate_limits.add("attempts", 1, 60) is True
    assert rate_limits.add("attempts", 1, 60) is False
    assert other_alias.incr("attempts") == 2


def test_the_none_fallback_keeps_nothing(silent_redis):
    pages = _cache(silent_redis, fallback="none")
    pages.set("page", "kept", 60)
    assert pages.get("page") is None
    assert pages.get("page", "missing") == "missing"


def test_an_outage_is_logged_once_not_per_call(silent_redis, caplog):
    cache = _cache(silent_redis)
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        for _ in range(20):
            cache.set("key", "value")
    assert [r.getMessage()[:33] for r in caplog.records] == ["The cache cannot be reached (Time"]


def test_an_unknown_fallback_is_refused():
    with pytest.raises(ValueError, match="FALLBACK must be one of"):
        _cache("redis://127.0.0.1:6379/0", fallback="disk")


def test_with_redis_up_it_is_redis(settings):
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL)")
    one, two = (
        _cache(settings.CACHES["default"]["LOCATION"]),
        _cache(settings.CACHES["default"]["LOCATION"]),
    )
    one.set("shared", "through Redis", 60)
    assert two.get("shared") == "through Redis"
    assert not one.is_down
    one.delete("shared")
