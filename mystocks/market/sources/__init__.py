"""Provider adapters. Each returns DataFrames with English column names and the project's units
(volume in shares, amounts in yuan); ``get_source(name)`` picks one by the jobs' ``data_source`` param.
"""
from . import akshare, baostock
from .base import SourceError, SourceUnavailable


def get_source(name):
    """The adapter module for ``name`` ("akshare" or "baostock")."""
    if name == "akshare":
        return akshare
    if name == "baostock":
        return baostock
    raise ValueError(f"unknown data source {name!r}; use akshare or baostock")


def other_source(name):
    return "baostock" if name == "akshare" else "akshare"


__all__ = ["SourceError", "SourceUnavailable", "get_source", "other_source"]
