"""Rate limits in the shared cache (Redis), or with no Redis in a table of the database
(core.RateCount), so that every application server counts the same requests.

A limit is "N/period" (second, minute, hour, day) and counts hits in fixed windows of
that period. Keys are hashed before they reach the cache, so a phone number used as a
key (public intake) is never stored in clear."""

import datetime as dt
import functools
import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import prepared

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"rate limit reached; retry after {retry_after} s")
        self.retry_after = max(1, int(retry_after))


def parse_rate(text: str) -> Rate:
    """ "60/minute" → Rate(60, 60); "5/day" → Rate(5, 86400); also "10/5minute"."""
    count, _, unit = text.strip().partition("/")
    digits = "".join(c for c in unit if c.isdigit())
    unit = unit[len(digits) :].strip().lower().rstrip("s")
    if unit not in PERIODS or not count.strip().isdigit():
        raise ValueError(f"bad rate {text!r}: use N/second|minute|hour|day")
    return Rate(int(count), PERIODS[unit] * (int(digits) if digits else 1))


def _now() -> float:
    return time.time()


def hit(name: str, key: str, rate: Rate | str) -> int:
    """Count one hit of `key` under the limit `name`; return how many hits remain in the
    window, or raise RateLimited with the seconds until the window ends."""
    rate = parse_rate(rate) if isinstance(rate, str) else rate
    now = _now()
    window = int(now // rate.period)
    digest = hashlib.sha256(f"{name}\x00{key}".encode()).hexdigest()[:40]
    cache_key = f"rl:{name}:{digest}:{window}"
    retry_after = rate.period - (now % rate.period)
    backend = settings.CACHES["default"]["BACKEND"]
    if backend == "django.core.cache.backends.db.DatabaseCache":
        count = _count_in_database(cache_key, rate.period)
    elif backend == "django.core.cache.backends.redis.RedisCache":
        count = _count_in_redis(cache_key, rate.period)
    else:
        # One round trip for all but the first hit of a window: count, and start the
        # window only when there was none.
        try:
            count = cache.incr(cache_key)
        except ValueError:
            if cache.add(cache_key, 1, timeout=rate.period + 1):
                count = 1
            else:  # another server started the window in between
                count = cache.incr(cache_key)
    if count > rate.limit:
        raise RateLimited(int(retry_after) + 1)
    return rate.limit - count


def _count_in_redis(key: str, period: int) -> int:
    """Start the window with its expiry unless it exists, and count, in one atomic round
    trip (Django's incr asks whether the key exists first, then increments)."""
    full_key = cache.make_and_validate_key(key)
    pipeline = cache._cache.get_client(full_key, write=True).pipeline()
    pipeline.set(full_key, 0, ex=period + 1, nx=True)
    pipeline.incr(full_key)
    return pipeline.execute()[1]


def _count_in_database(key: str, period: int) -> int:
    """Count one hit in the RateCount table with one atomic upsert: the database cache's
    incr reads and writes back (five statements and a transaction, and two servers
    counting at once could both write the same number)."""
    from .models import RateCount

    table = connection.ops.quote_name(RateCount._meta.db_table)
    expires = timezone.now() + dt.timedelta(seconds=period + 1)
    with prepared.server_cursor(connection) as cursor:  # prepared on PostgreSQL
        cursor.execute(
            f"INSERT INTO {table} (key, count, expires) VALUES (%s, 1, %s) "
            f"ON CONFLICT (key) DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [key, connection.ops.adapt_datetimefield_value(expires)],
        )
        count = cursor.fetchone()[0]
    if count == 1:  # a new window: forget the ended ones
        RateCount.objects.filter(expires__lt=timezone.now()).delete()
    return count


def too_many_requests(retry_after: int) -> HttpResponse:
    response = HttpResponse(
        _("Too many requests. Try again in %(n)d seconds.") % {"n": retry_after},
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(retry_after)
    return response


def client_ip(request) -> str:
    from . import context

    return context.current().ip or request.META.get("REMOTE_ADDR", "")


def rate_limit(name: str, rate, key=client_ip):
    """A view decorator: `@rate_limit("intake-ip", lambda: settings.INTAKE_RATE_IP)` answers
    429 with Retry-After once the key (by default the client's IP) is over the limit.
    `rate` may be a callable, so that settings are read per request."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                hit(name, key(request), rate() if callable(rate) else rate)
            except RateLimited as exc:
                return too_many_requests(exc.retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
