"""Writing CSV that spreadsheets open safely."""

from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """``value`` as a CSV cell a spreadsheet will not run as a formula: text that starts
    like one gets a leading apostrophe. Numbers are written as they are."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
