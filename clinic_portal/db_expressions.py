"""Query expressions the apps share, where the ORM's own make PostgreSQL read a table more often than it needs to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import BooleanField, Expression, F, QuerySet, Subquery


class OneOf(Expression):
    """`column IN (subquery)`; on PostgreSQL `column = ANY(ARRAY(subquery))`: the array is made once per outer row
    for a subquery that names one (and looked up in the column's index), once per statement for one that names none
    (an InitPlan, whatever the tables' sizes), where an IN or EXISTS may be run again for each row.

    An `IN` beside an OR (intake.selectors `_link_messages`) read every pre-visit reminder message ever sent, for each
    subquery of each row of the list (measured, 300 invitations with reminders and 21,000 messages: the list's query
    took 100 to 170 ms; with this, 15 ms, 3 ms of it in PostgreSQL). An EXISTS per topic (education.selectors
    `_count_library`) read every Spanish translation once per topic at 100,000 (22 ms a topic)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, values: QuerySet[Any]) -> None:
        super().__init__()
        self.column, self.values = F(column), Subquery(values)

    def get_source_expressions(self) -> list[Any]:
        return [self.column, self.values]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.column, self.values = exprs

    def as_sql(self, compiler: Any, connection: Any, template: str = "%s IN %s") -> tuple[str, tuple[Any, ...]]:
        column, column_params = compiler.compile(self.column)
        values, values_params = compiler.compile(self.values)
        return template % (column, values), (*column_params, *values_params)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        return self.as_sql(compiler, connection, template="%s = ANY(ARRAY%s)")
