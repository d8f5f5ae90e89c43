"""Number formatting of the market pages: signed percentages, rise/fall classes, 万/亿 amounts."""
import math

from django import template
from django.utils.translation import get_language

register = template.Library()


def _number(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


@register.filter
def pct(value, digits=2):
    """0.0123 → "+1.23%"; empty for a missing value."""
    number = _number(value)
    return "" if number is None else f"{number * 100:+.{int(digits)}f}%"


@register.filter
def pct_points(value, digits=2):
    """1.23 (already in percent, as the follow-up returns are stored) → "+1.23%"; empty for a missing value."""
    number = _number(value)
    return "" if number is None else f"{number:+.{int(digits)}f}%"


@register.filter
def ratio(value, digits=2):
    """0.1502 → "15.02%" (no sign: drawdowns, win rates)."""
    number = _number(value)
    return "" if number is None else f"{number * 100:.{int(digits)}f}%"


@register.filter
def updown(value):
    """CSS class for a change: "up", "down" or "flat" (colours follow MYSTOCKS_PRICE_COLORS)."""
    number = _number(value)
    if not number:
        return "flat"
    return "up" if number > 0 else "down"


@register.filter
def amount(value):
    """Yuan the Chinese way (1.23亿, 4,567.8万) in Chinese, with thousands separators otherwise."""
    number = _number(value)
    if number is None:
        return ""
    if not (get_language() or "").startswith("zh"):
        return f"{number:,.0f}"
    for unit, size in (("亿", 1e8), ("万", 1e4)):
        if abs(number) >= size:
            return f"{number / size:,.2f}{unit}"
    return f"{number:,.2f}"


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)
