"""Bars for display, always through ``compute.load_bars`` (adjustments are derived there, on read)."""
from ..compute import load_bars

DISPLAY_ADJUSTS = ("qfq", "none")


def display_bars(*, adjust, codes, since=None, until=None):
    """(bars, adjust used). Forward-adjusted bars come from ``load_bars``; when it yields none while
    unadjusted bars exist (a store without adjustment derivation), the unadjusted ones are shown and
    the adjustment used says so, rather than an empty chart."""
    if adjust not in DISPLAY_ADJUSTS:
        raise ValueError(f"adjust must be one of {', '.join(DISPLAY_ADJUSTS)}, got {adjust!r}")
    bars = load_bars(adjust=adjust, since=since, until=until, codes=codes)
    if bars.empty and adjust != "none":
        fallback = load_bars(adjust="none", since=since, until=until, codes=codes)
        if not fallback.empty:
            return fallback, "none"
    return bars, adjust
