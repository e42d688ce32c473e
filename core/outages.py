"""Remembering, per process, which service addresses failed a moment ago.

The cache (``core.cache``) and the task broker (``core.queueing``) both carry on without
their service when it cannot be reached. After a failure each leaves the address alone
for a few seconds, so a request pays for an outage at most once, and says so in its log
at most once a minute, so an outage does not flood it.
"""

import logging
import threading
import time


class Outages:
    """The addresses of one kind of service that failed lately in this process.

    ``retry_after``: seconds an address is left alone after a failure. ``log_every``:
    seconds between two warnings about the same address. ``what`` and ``meanwhile`` word
    the warning: "<what> cannot be reached (<error>); <meanwhile>"."""

    def __init__(
        self,
        *,
        logger: logging.Logger,
        what: str,
        meanwhile: str,
        retry_after: float,
        log_every: float = 60.0,
    ):
        self.logger, self.what, self.meanwhile = logger, what, meanwhile
        self.retry_after, self.log_every = retry_after, log_every
        self._down_until: dict[str, float] = {}
        self._logged_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def is_down(self, address: str) -> bool:
        """Whether ``address`` failed within the last ``retry_after`` seconds."""
        return self._down_until.get(address, 0.0) > time.monotonic()

    def went_down(self, address: str, exc: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self._down_until[address] = now + self.retry_after
            if now - self._logged_at.get(address, -self.log_every) < self.log_every:
                return
            self._logged_at[address] = now
        self.logger.warning(
            "%s cannot be reached (%s: %s); %s",
            self.what,
            type(exc).__name__,
            exc,
            self.meanwhile,
        )

    def came_back(self, address: str) -> None:
        """Forget an outage of ``address`` once it answers again (and say so, once)."""
        if address not in self._down_until:
            return
        with self._lock:
            was_down = self._down_until.pop(address, None) is not None
            self._logged_at.pop(address, None)
        if was_down:
            self.logger.warning("%s can be reached again.", self.what)
