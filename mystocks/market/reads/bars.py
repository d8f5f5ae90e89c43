"""Bars for display, always through ``compute.load_bars`` (adjustments are derived there, on read)."""
from ..compute import load_bars

DISPLAY_ADJUSTS = ("qfq", "none")


def display_bars(*, adjust, codes, since=None, until=None):
    """(bars, adjust used): bars as shown, forward-adjusted (derived on read) or unadjusted."""
    if adjust not in DISPLAY_ADJUSTS:
        raise ValueError(f"adjust must be one of {', '.join(DISPLAY_ADJUSTS)}, got {adjust!r}")
    return load_bars(adjust=adjust, since=since, until=until, codes=codes), adjust
