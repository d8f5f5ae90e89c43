"""What every provider call goes through: a timeout, a rate limit with jitter, retries with backoff.

Settings (all optional): ``MYSTOCKS_SOURCE_TIMEOUT`` seconds per network call (default 30),
``MYSTOCKS_SOURCE_MIN_INTERVAL`` seconds between two calls to one provider (default 0.3, plus up to
50 % jitter: Eastmoney throttles clients that call at a steady rate), ``MYSTOCKS_SOURCE_RETRIES``
attempts per call (default 3) and ``MYSTOCKS_SOURCE_RETRY_DELAY`` the first backoff in seconds (default 1).
"""
import logging
import random
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)


class SourceError(Exception):
    """A provider answered with an error or with something we cannot read."""


class SourceUnavailable(SourceError):
    """The provider cannot serve this request at all (down, unsupported); another source may."""


class TransientError(SourceError):
    """Worth retrying: a timeout, a dropped connection, a 5xx."""


def setting(name, default):
    return getattr(settings, name, default)


def timeout():
    return float(setting("MYSTOCKS_SOURCE_TIMEOUT", 30))


class RateLimiter:
    """At most one call per ``min_interval`` (+ jitter) per provider, across threads of one process."""

    def __init__(self, name):
        self.name = name
        self._lock = threading.Lock()
        self._next_at = 0.0

    def wait(self):
        """Return when a call may go: ``min_interval`` (+ jitter) after the previous one went.

        The next slot is set from the moment this one really starts (after the sleep, which may
        overshoot), and waiters queue on the lock, so two calls never start closer than the interval.
        """
        interval = float(setting("MYSTOCKS_SOURCE_MIN_INTERVAL", 0.3))
        with self._lock:
            delay = self._next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next_at = time.monotonic() + interval * (1 + random.uniform(0, 0.5))


def call(limiter, fn, *args, retry_on=(TransientError,), what="", **kwargs):
    """Call ``fn`` rate-limited, retrying ``retry_on`` errors with exponential backoff and jitter."""
    attempts = max(int(setting("MYSTOCKS_SOURCE_RETRIES", 3)), 1)
    base = float(setting("MYSTOCKS_SOURCE_RETRY_DELAY", 1.0))
    for attempt in range(1, attempts + 1):
        limiter.wait()
        try:
            return fn(*args, **kwargs)
        except retry_on as exc:
            if attempt == attempts:
                raise
            delay = base * 2 ** (attempt - 1) * random.uniform(1.0, 1.5)
            logger.warning("%s %s failed (%s), retry %d/%d in %.1fs",
                           limiter.name, what or fn.__name__, exc, attempt, attempts - 1, delay)
            time.sleep(delay)


def exchange_of(code):
    """SH, SZ or BJ for a six-digit A-share code (by the exchanges' code ranges)."""
    code = str(code)
    if code.startswith(("4", "8", "92")):
        return "BJ"
    if code.startswith(("6", "9", "5")):
        return "SH"
    return "SZ"
