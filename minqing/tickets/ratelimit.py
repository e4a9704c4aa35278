"""Fixed-window counters in Django's cache for the public pages: per IP and per phone."""

import hashlib
import time

from django.core.cache import cache


class Limited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def hit(kind: str, who: str, *, limit: int, window: int) -> None:
    """Count one request of `who`; raise Limited (with the seconds until the window ends) past `limit`."""
    now = int(time.time())
    start = now - now % window
    # Phones are hashed so that the cache never holds one in clear.
    key = f"mq:rl:{kind}:{hashlib.sha256(who.encode()).hexdigest()[:32]}:{start}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window + 5)
        count = 1
    if count > limit:
        raise Limited(max(1, start + window - now))
