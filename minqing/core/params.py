"""Values sent in query strings and forms."""

MAX_ID = 2**63 - 1  # the largest id a database column holds (bigint)


def id_param(value) -> int | None:
    """The database id in `value` (a query-string or form value): a whole number from 1 to
    MAX_ID written in ASCII digits; anything else (empty, "x", "-1", "²", too large) → None."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
