"""Amounts of money as every page and document writes them: yuan with two decimals and a
comma between thousands (61,100.00), whatever the language; the label or the sentence says
元. Django's floatformat groups by the language's own rule, and Chinese has none, so one
figure read 61100.00 on the tile and 61,100.00 in the table below it."""

from decimal import Decimal, InvalidOperation


def yuan_text(value) -> str:
    """61100 → "61,100.00"; None or "" → ""; text that is no number, as it is."""
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)
