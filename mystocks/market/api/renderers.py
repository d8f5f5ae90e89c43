"""CSV download of list endpoints (``?format=csv``): one row per item, nested values as JSON text."""
import csv
import io
import json

import orjson
from rest_framework.renderers import BaseRenderer, JSONRenderer


class FastJSONRenderer(JSONRenderer):
    """JSON through orjson: ten years of bars are ~20,000 numbers, and the standard encoder's float
    formatting was most of the request's time. Same media type and output shape as DRF's renderer."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=str, option=orjson.OPT_NON_STR_KEYS)


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data.get("results", data) if isinstance(data, dict) else data
        if isinstance(rows, dict):  # an error body
            rows = [rows]
        rows = list(rows or [])
        out = io.StringIO()
        columns = list(dict.fromkeys(key for row in rows for key in row))
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
        return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens Chinese names correctly


def _cell(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value
