"""Idempotent bulk upserts keyed by natural keys: the one way market rows reach the database.

PostgreSQL: COPY (CSV) into a temporary table, then one ``INSERT … SELECT … ON CONFLICT DO UPDATE``
that skips rows whose values did not change, so counts say what really happened and a re-run writes
nothing. Other databases (SQLite): ``bulk_create(update_conflicts=True)``.
"""
import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

PG_BATCH_ROWS = 500_000
ORM_BATCH_ROWS = 2_000


@dataclass
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other):
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self

    def as_dict(self):
        return {"inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged}


def upsert(model, rows, *, keys, using_copy=None):
    """Insert or update ``rows`` (a DataFrame or a list of dicts named like model fields) by ``keys``.

    Returns UpsertCounts. Rows repeating a key keep the last one (a provider may page twice over
    a row). Columns missing from ``rows`` are left alone on update and take the field default on insert.
    """
    frame = _as_frame(rows)
    if frame.empty:
        return UpsertCounts()
    frame = frame.drop_duplicates(subset=list(keys), keep="last")
    if using_copy is None:
        using_copy = connection.vendor == "postgresql"
    if using_copy:
        return _pg_copy_upsert(model, frame, keys)
    return _orm_upsert(model, frame, keys)


def _as_frame(rows):
    if isinstance(rows, pd.DataFrame):
        return rows
    return pd.DataFrame(list(rows))


def _columns(model, frame, keys):
    fields = {f.name: f for f in model._meta.concrete_fields if not f.primary_key}
    unknown = [c for c in frame.columns if c not in fields]
    if unknown:
        raise ValueError(f"{model.__name__} has no field(s) {', '.join(unknown)}")
    columns = list(frame.columns)
    missing_keys = [k for k in keys if k not in columns]
    if missing_keys:
        raise ValueError(f"rows lack key column(s) {', '.join(missing_keys)}")
    return [fields[c] for c in columns]


def _defaults_for_missing(model, frame):
    """Insert-time defaults of NOT NULL fields absent from ``frame`` (COPY bypasses Django defaults)."""
    extra = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in frame.columns or field.null:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            extra[field.name] = timezone.now()
        elif field.get_default() is not None:  # "" for text fields without an explicit default
            extra[field.name] = field.get_default()
    return frame.assign(**extra) if extra else frame


# --- PostgreSQL ---------------------------------------------------------------------------------

def _pg_copy_upsert(model, frame, keys):
    updated = [c for c in frame.columns if c not in keys]  # columns given, so columns to update
    frame = _defaults_for_missing(model, frame)
    fields = _columns(model, frame, keys)
    counts = UpsertCounts()
    for start in range(0, len(frame), PG_BATCH_ROWS):
        chunk = frame.iloc[start:start + PG_BATCH_ROWS]
        with transaction.atomic():
            counts.add(_pg_copy_chunk(model, chunk, fields, keys, updated))
    return counts


def _pg_copy_chunk(model, frame, fields, keys, updated):
    table = connection.ops.quote_name(model._meta.db_table)
    qcols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        # AS SELECT … WITH NO DATA copies the column types only: no NOT NULL on id, no constraints.
        raw.execute(f"CREATE TEMP TABLE _market_upsert ON COMMIT DROP AS SELECT {qcols} FROM {table} WITH NO DATA")
        with raw.copy(f"COPY _market_upsert ({qcols}) FROM STDIN") as copy:
            for row in _copy_rows(frame, fields):
                copy.write_row(row)
        raw.execute(_pg_upsert_sql(table, fields, keys, updated))
        inserted, written = raw.fetchone()
        # ON COMMIT DROP does not fire inside an outer transaction (a caller's atomic block): drop now.
        raw.execute("DROP TABLE _market_upsert")
    return UpsertCounts(inserted=inserted, updated=written - inserted, unchanged=len(frame) - written)


def _pg_upsert_sql(table, fields, keys, updated):
    q = connection.ops.quote_name
    cols = [f.column for f in fields]
    key_cols = [f.column for f in fields if f.name in keys]
    value_cols = [f.column for f in fields if f.name in updated]
    select = ", ".join(q(c) for c in cols)
    if value_cols:
        assignments = ", ".join(f"{q(c)} = EXCLUDED.{q(c)}" for c in value_cols)
        old = ", ".join(f"t.{q(c)}" for c in value_cols)
        new = ", ".join(f"EXCLUDED.{q(c)}" for c in value_cols)
        # ROW(...) so a single value column is compared as a row too.
        action = f"DO UPDATE SET {assignments} WHERE ROW({old}) IS DISTINCT FROM ROW({new})"
    else:
        action = "DO NOTHING"
    return (
        f"WITH up AS (INSERT INTO {table} AS t ({select}) SELECT {select} FROM _market_upsert "
        f"ON CONFLICT ({', '.join(q(c) for c in key_cols)}) {action} RETURNING (xmax = 0) AS fresh) "
        "SELECT count(*) FILTER (WHERE fresh), count(*) FROM up"
    )


def _copy_rows(frame, fields):
    """Row tuples of Python values for psycopg's COPY (missing → None → NULL), built column-wise:
    formatting a million rows as CSV text in pandas costs several times more than this."""
    columns = []
    for field in fields:
        series = frame[field.name]
        if field.get_internal_type() == "JSONField":
            values = [None if v is None else json.dumps(v, ensure_ascii=False, default=str) for v in series]
        else:
            values = series.tolist()  # NumPy scalars become Python ones
            if series.hasnans:
                values = [None if missing else v for v, missing in zip(values, series.isna().tolist())]
        columns.append(values)
    return zip(*columns)


# --- Other databases ----------------------------------------------------------------------------

def _orm_upsert(model, frame, keys):
    fields = _columns(model, frame, keys)
    update_fields = [f.name for f in fields if f.name not in keys]
    objs = [model(**row) for row in _records(frame)]
    before = model.objects.count()
    with transaction.atomic():
        for start in range(0, len(objs), ORM_BATCH_ROWS):
            batch = objs[start:start + ORM_BATCH_ROWS]
            if update_fields:
                model.objects.bulk_create(batch, update_conflicts=True, unique_fields=list(keys),
                                          update_fields=update_fields)
            else:
                model.objects.bulk_create(batch, ignore_conflicts=True)
    inserted = model.objects.count() - before
    # bulk_create cannot tell a changed row from an unchanged one here: all existing rows count as updated.
    return UpsertCounts(inserted=inserted, updated=len(objs) - inserted)


def _records(frame):
    """Rows as dicts with NaN/NaT turned into None and NumPy scalars into Python ones."""
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for record in records:
        for name, value in record.items():
            if isinstance(value, np.generic):
                record[name] = value.item()
            elif isinstance(value, float) and math.isnan(value):
                record[name] = None
            elif isinstance(value, pd.Timestamp):
                record[name] = value.to_pydatetime()
    return records
