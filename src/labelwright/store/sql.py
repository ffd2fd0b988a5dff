"""SQL constructs and ways of running statements that the repositories share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from psycopg.rows import namedtuple_row
from psycopg.types.json import Json, Jsonb
from sqlalchemy import JSON, Boolean, Table, bindparam, insert, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import any_
from sqlalchemy.sql.visitors import InternalTraversal

from labelwright.store.db import json_text


class AnyOf(ColumnElement[bool]):
    """`column IN (:name)` for a list parameter `name`.

    On PostgreSQL it is `column = ANY(:name)` with the list sent as one array: the statement's
    text is the same whatever the list's length, so the driver parses it once and the server
    prepares and plans it once. An expanding `IN` is a new statement for every length, parsed,
    planned and (after five uses) prepared again for each. SQLite keeps the expanding `IN`.
    """

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a predicate as it is (no `= 1` on SQLite)
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        self.column = column
        self.name = name


def any_of(column: Any, name: str) -> AnyOf:
    """`column` is one of the values of the list parameter `name`."""
    return AnyOf(column, name)


@compiles(AnyOf)
def _expanding_in(element: AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    clause = element.column.in_(bindparam(element.name, expanding=True))
    return compiler.process(clause, **kw)


@compiles(AnyOf, "postgresql")
def _any_array(element: AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    values = bindparam(element.name, type_=ARRAY(element.column.type))
    clause = element.column == any_(type_coerce(values, ARRAY(element.column.type)))
    return compiler.process(clause, **kw)


_COMPILED: dict[int, tuple[Any, str, dict[str, Any]]] = {}


def _driver_sql(statement: Any, dialect: Any) -> tuple[str, dict[str, Any]]:
    """The PostgreSQL text of a module-level statement and its literal parameters, compiled
    once (it must not expand lists at execution: lists go through `any_of`)."""
    found = _COMPILED.get(id(statement))
    if found is None or found[0] is not statement:
        compiled = statement.compile(dialect=dialect)
        found = _COMPILED[id(statement)] = (statement, compiled.string, dict(compiled.params))
    return found[1], found[2]


def rows_of(session: Session, statement: Any, params: Mapping[str, Any]) -> list[Any]:
    """The rows of `statement` run with `params` (none for a statement without RETURNING).

    On PostgreSQL the statement runs on psycopg's own cursor, its text compiled once:
    SQLAlchemy's work around each execution (parameters in, rows out) cost the queue writer's
    short statements as much CPU as the driver's own (two of them measured: 225 against 98 µs,
    208 against 99 µs). Rows are named tuples there (`row.id`, `row._asdict()`), as SQLAlchemy's
    rows are on SQLite, where the statement runs as usual."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        result = connection.execute(statement, params)
        return list(result) if result.returns_rows else []
    sql, literals = _driver_sql(statement, connection.dialect)
    driver = connection.connection.driver_connection
    with driver.cursor(row_factory=namedtuple_row) as cursor:  # type: ignore[union-attr]
        cursor.execute(sql, {**literals, **params})
        return cursor.fetchall() if cursor.description is not None else []


def rows_after_advisory_lock(
    session: Session, key: int, statement: Any, params: Mapping[str, Any]
) -> list[Any]:
    """PostgreSQL: take the transaction-scoped advisory lock `key`, then read `statement`, in
    one round trip (a pipeline). The server runs the read once the lock is granted, with a
    snapshot taken then, so it sees what the lock's previous holder committed."""
    connection = session.connection()
    sql, literals = _driver_sql(statement, connection.dialect)
    driver = connection.connection.driver_connection
    with driver.pipeline():  # type: ignore[union-attr]
        driver.execute("SELECT pg_advisory_xact_lock(%s)", (key,))  # type: ignore[union-attr]
        cursor = driver.cursor(row_factory=namedtuple_row)  # type: ignore[union-attr]
        cursor.execute(sql, {**literals, **params})
    with cursor:
        return cursor.fetchall()


@dataclass(frozen=True)
class _InsertText:
    """An insert of some columns from one array per column, as PostgreSQL text compiled once:
    the columns in parameter order, the defaults of the columns the rows leave out (a value,
    or a function of no argument), and how to send the JSON columns."""

    sql: str
    names: tuple[str, ...]
    defaults: dict[str, Any]
    jsons: dict[str, type[Json] | type[Jsonb]]


_INSERTS: dict[tuple[Any, ...], _InsertText] = {}


def _arrays(table: Table, names: Sequence[str], dialect: Any) -> str:
    """One binary array parameter per column, cast to the column's type."""
    return ", ".join(f"%b::{table.c[name].type.compile(dialect=dialect)}[]" for name in names)


def _insert_text(
    table: Table, keys: tuple[str, ...], returning: tuple[str, ...], dialect: Any
) -> _InsertText:
    cache_key = (table.name, keys, returning)
    found = _INSERTS.get(cache_key)
    if found is None:
        statement = insert(table)
        if returning:
            statement = statement.returning(*(table.c[name] for name in returning))
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        names = tuple(compiled.params)  # the row's columns, the defaults' included
        text = compiled.string
        arrays = _arrays(table, names, dialect)
        tail = text[text.index(" RETURNING ") :] if returning else ""
        found = _INSERTS[cache_key] = _InsertText(
            sql=f"{text[: text.index(' VALUES (')]} SELECT * FROM unnest({arrays}){tail}",
            names=names,
            defaults={
                name: table.c[name].default
                for name in names
                if name not in keys and table.c[name].default is not None
            },
            jsons={
                name: Jsonb if table.c[name].type.compile(dialect=dialect) == "JSONB" else Json
                for name in names
                if isinstance(table.c[name].type, JSON)
            },
        )
    return found


def insert_many(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    returning: Sequence[str] = (),
    match: Sequence[str] = ("id",),
) -> list[Any]:
    """Insert `rows` (dicts of the same columns); the `returning` columns of the new rows in
    the order given (none without), matched to them by the `match` columns, which must be
    among those and tell the rows apart.

    On PostgreSQL this is one INSERT ... SELECT from one array per column, on psycopg's
    cursor: its text is compiled once and is the same whatever the number of rows (a prepared
    statement; psycopg parses a statement of many parameters anew at every execution, and
    SQLAlchemy's own multi-row insert spent ~0.1 ms of CPU per row on its parameters).
    Columns left out take their defaults as the ORM would give them.
    """
    if not rows:
        return []
    connection = session.connection()
    names = tuple(returning)
    if connection.dialect.name != "postgresql":
        statement: Any = insert(table)
        if names:
            statement = statement.returning(
                *(table.c[name] for name in names), sort_by_parameter_order=True
            )
        result = connection.execute(statement, list(rows))
        return list(result) if names else []
    text = _insert_text(table, tuple(rows[0]), names, connection.dialect)
    columns: dict[str, list[Any]] = {name: [] for name in text.names}
    for row in rows:
        for name, column in columns.items():
            if name in row:
                value = row[name]
            else:
                default = text.defaults[name]
                value = default.arg(None) if default.is_callable else default.arg
            if name in text.jsons and value is not None:
                value = text.jsons[name](value, dumps=json_text)
            column.append(value)
    driver = connection.connection.driver_connection
    with driver.cursor(row_factory=namedtuple_row) as cursor:  # type: ignore[union-attr]
        cursor.execute(text.sql, list(columns.values()))
        if not names:
            return []
        found = {tuple(getattr(new, m) for m in match): new for new in cursor.fetchall()}
    return [found[tuple(row[m] for m in match)] for row in rows]


_UPDATES: dict[tuple[Any, ...], str] = {}


def update_many(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], *, key: str = "id"
) -> None:
    """Set the columns of each of `rows` (dicts of the same columns) on the row of `table`
    whose `key` column has the value the dict gives under `key`.

    On PostgreSQL this is one UPDATE ... FROM one array per column, on psycopg's cursor (its
    text compiled once); elsewhere one statement per row."""
    if not rows:
        return
    connection = session.connection()
    names = tuple(rows[0])
    if connection.dialect.name != "postgresql":
        where = table.c[key] == bindparam(f"new_{key}")
        values = {name: bindparam(f"new_{name}") for name in names if name != key}
        connection.execute(
            table.update().where(where).values(values),
            [{f"new_{name}": value for name, value in row.items()} for row in rows],
        )
        return
    cache_key = (table.name, names, key)
    sql = _UPDATES.get(cache_key)
    if sql is None:
        dialect = connection.dialect
        arrays = _arrays(table, names, dialect)
        sets = ", ".join(f"{n} = v.{n}" for n in names if n != key)
        sql = _UPDATES[cache_key] = (
            f"UPDATE {table.name} SET {sets} FROM unnest({arrays}) AS v({', '.join(names)}) "
            f"WHERE {table.name}.{key} = v.{key}"
        )
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(sql, [[row[name] for row in rows] for name in names])
