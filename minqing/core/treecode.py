"""Subtrees as index ranges. Region codes and unit paths are digit strings whose
prefixes are their ancestors; `prefix <= code < prefix+1` finds a subtree with an
index range scan on SQLite and PostgreSQL alike (LIKE 'x%' cannot, on SQLite)."""

from django.db.models import Q


def prefix_upper(prefix: str) -> str | None:
    bumped = str(int(prefix) + 1)
    return bumped.zfill(len(prefix)) if len(bumped) <= len(prefix) else None


def prefix_q(field: str, prefix: str) -> Q:
    upper = prefix_upper(prefix)
    q = Q(**{f"{field}__gte": prefix})
    return q & Q(**{f"{field}__lt": upper}) if upper else q


def prefixes_q(field: str, prefixes) -> Q:
    """`field` lies in any of these subtrees; with none, in nothing."""
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= prefix_q(field, prefix)
    return condition


def startswith_q(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, written so that an index serves it: a range on
    SQLite (whose LIKE ... ESCAPE never uses an index; its BINARY collation orders by
    code point), LIKE on PostgreSQL (Django adds a pattern_ops index to indexed text)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})
    return Q(**{f"{field}__startswith": prefix})
