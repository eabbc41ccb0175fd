"""INSERT … SELECT from a queryset: set-based writes that never bring rows into Python."""

from __future__ import annotations

from typing import Any

from django.db import connection, models


def insert_select(model: type[models.Model], columns: list[str], queryset: models.QuerySet[Any]) -> int:
    """Insert the rows `queryset` selects (a values_list with one entry per column, in order) into `model`.

    Returns the number of rows inserted.
    """
    query = queryset.query
    selected = list(query.selected or ())
    if len(selected) != len(columns):
        raise ValueError(f"queryset selects {len(selected)} values for {len(columns)} columns")
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table(model)} ({column_list(model, columns)}) {sql}", params)
        return int(cursor.rowcount)


def table(model: type[models.Model]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def column_list(model: type[models.Model], fields: list[str]) -> str:
    """The quoted column names of `fields`, comma-separated."""
    return ", ".join(connection.ops.quote_name(_column(model, name)) for name in fields)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"{model.__name__}.{name} is not a concrete column")
    return field.column
