"""Bars for display, always through ``compute.load_bars`` (adjustments are derived there, on read)."""
from ..compute import load_bars

DISPLAY_ADJUSTS = ("qfq", "none")


def display_bars(*, adjust, codes, since=None, until=None):
    """Bars as shown: forward-adjusted (derived on read from the stored bars and factors) or unadjusted.

    A stock without stored factors has qfq prices equal to its unadjusted ones (factor 1.0: no
    ex-rights event known), so what is shown is always the adjustment asked for."""
    if adjust not in DISPLAY_ADJUSTS:
        raise ValueError(f"adjust must be one of {', '.join(DISPLAY_ADJUSTS)}, got {adjust!r}")
    return load_bars(adjust=adjust, since=since, until=until, codes=codes)
