"""Model instances from the rows of a hand-written statement, read the way the ORM reads them.

For the few statements every request sends (issue 16): written once per process and prepared on the server
(`clinic_portal.db_backend.prepared_cursor`), where building them through the ORM cost several times what the
database spent answering them. `RowReader.of(Model)` names the model's columns for the SELECT list, in the model's
order, and turns that slice of a row back into an instance, each value through the converters the ORM would apply
(a JSON field's decoding; SQLite's dates and booleans), so a field added later is read too and reads the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


def quoted_column(model: type[Model], name: str, connection: BaseDatabaseWrapper | None = None) -> str:
    """The quoted database column of a model's field (by name or attname), for statements written out."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return (connection or default_connection).ops.quote_name(field.column)


_readers: dict[tuple[type[Model], str], RowReader[Any]] = {}


@dataclass(frozen=True)
class RowReader(Generic[M]):
    model: type[M]
    fields: tuple[Field[Any, Any], ...]
    attnames: tuple[str, ...]
    # (position, column expression, converters) of the values that need converting
    conversions: tuple[tuple[int, Any, tuple[Converter, ...]], ...]

    @classmethod
    def of(cls, model: type[M], connection: BaseDatabaseWrapper) -> RowReader[M]:
        """The reader of every concrete field of `model` (made once per model and database)."""
        key = (model, connection.alias)
        reader = _readers.get(key)
        if reader is None:
            fields = tuple(model._meta.concrete_fields)
            conversions = []
            for position, field in enumerate(fields):
                column = field.get_col(model._meta.db_table)
                converters = (*connection.ops.get_db_converters(column), *column.get_db_converters(connection))
                if converters:
                    conversions.append((position, column, tuple(converters)))
            reader = cls(model, fields, tuple(field.attname for field in fields), tuple(conversions))
            _readers[key] = reader
        return reader

    @property
    def width(self) -> int:
        return len(self.fields)

    def columns(self, table_alias: str, connection: BaseDatabaseWrapper) -> str:
        """The SELECT list of the model's columns, as `alias."column", ...`."""
        quote = connection.ops.quote_name
        return ", ".join(f"{table_alias}.{quote(str(field.column))}" for field in self.fields)  # concrete: a column

    def read(self, values: Sequence[Any], connection: BaseDatabaseWrapper) -> M:
        """The instance from `values` (this reader's slice of a row, in `columns` order), as loaded by the ORM."""
        row = list(values)
        for position, column, converters in self.conversions:
            for convert in converters:
                row[position] = convert(row[position], column, connection)
        return self.model.from_db(connection.alias, self.attnames, row)
