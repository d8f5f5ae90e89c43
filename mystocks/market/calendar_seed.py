"""The trading calendar's seed: the SSE calendar file akshare ships (1990-12-19 … end of its
publishing year), read from the installed package without importing it or reaching the network.

Registered with the engine (``tasks_app.calendar.register_seed``) in ``MarketConfig.ready()``;
the ``sync_trade_calendar`` job refreshes the calendar from a provider later.
"""
import datetime
import importlib.util
import json
import logging
from pathlib import Path

logger = logging.getLogger(__name__)
SOURCE = "akshare-bundled"


def bundled_calendar_path():
    """The calendar file inside the installed akshare package, or None."""
    spec = importlib.util.find_spec("akshare")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "file_fold" / "calendar.json"
    return path if path.exists() else None


def bundled_calendar():
    """``(source, open days)`` from akshare's bundled file, or None when it is not installed."""
    path = bundled_calendar_path()
    if path is None:
        logger.warning("akshare's bundled calendar was not found; weekdays count as trading days")
        return None
    days = [datetime.datetime.strptime(d, "%Y%m%d").date() for d in json.loads(path.read_text())]
    return SOURCE, days
