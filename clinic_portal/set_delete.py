"""Deleting rows with everything that cascades from them in a fixed number of statements, whatever the number of rows.

Django's `QuerySet.delete()` reads the rows it deletes (every column, when a delete signal listens on the model),
sends the signals a row at a time, and deletes by lists of ids, a hundred a statement: a retention purge of 4,000
intakes sent about 12,000 statements (intake.retention). `plan(rows)` follows the relations Django's delete follows
(the `on_delete` of every foreign key to the model, read from the models), and `Plan.delete()` deletes the same rows:
each table's by one statement whose WHERE is a subquery back to `rows`, children before the rows they point to, and
a SET_NULL relation emptied by one UPDATE first. No row is read into memory.

No delete signal is sent: the caller does, for the whole set at once, what the receivers of those models would have
done row by row (`Plan.rows_of` gives it each model's rows that go, as subqueries, to run before `delete`).

It refuses what it does not do rather than get it wrong: PROTECT, RESTRICT, SET_DEFAULT and SET(...) relations,
generic relations, multi-table inheritance, and a model met again below itself (a cycle).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, cast

from django.db import models, transaction
from django.db.models import Model, QuerySet
from django.db.models.deletion import get_candidate_relations_to_delete
from django.db.models.fields.reverse_related import ForeignObjectRel


@dataclass(frozen=True)
class Plan:
    # (rows, field): the rows whose `field` points to a row that goes, and is set to NULL (on_delete=SET_NULL).
    emptied: tuple[tuple[QuerySet[Any], str], ...]
    # Each model's rows that go, as subqueries back to the rows asked for: children before their parents, those last.
    deleted: tuple[QuerySet[Any], ...]

    @property
    def models(self) -> set[type[Model]]:
        return {rows.model for rows in self.deleted}

    def rows_of(self, model: type[Model]) -> list[QuerySet[Any]]:
        """The querysets of `model`'s rows that go (one per way down to it): subqueries, read when used."""
        return [rows for rows in self.deleted if rows.model is model]

    def delete(self) -> dict[str, int]:
        """Delete, in one transaction; how many rows of each model went (by label, as `QuerySet.delete` counts)."""
        counts: Counter[str] = Counter()
        with transaction.atomic():
            for rows, field in self.emptied:
                rows.update(**{field: None})
            for rows in self.deleted:
                # None: nothing to delete, known without asking (`pk__in=[]`), and no statement sent.
                counts[rows.model._meta.label] += rows._raw_delete(rows.db) or 0
        return dict(counts)


def plan(rows: QuerySet[Any]) -> Plan:
    """What deleting `rows` deletes and empties, as `rows.delete()` would, each step a queryset to run."""
    emptied: list[tuple[QuerySet[Any], str]] = []
    deleted: list[QuerySet[Any]] = []

    def walk(rows: QuerySet[Any], above: tuple[type[Model], ...]) -> None:
        opts = rows.model._meta
        if opts.parents or any(hasattr(field, "bulk_related_objects") for field in opts.private_fields):
            raise NotImplementedError(f"{opts.label}: inherited or generic relations are not followed")
        # The foreign keys (and one-to-one fields) pointing to the model, as Django's delete reads them.
        for relation in cast("list[ForeignObjectRel]", get_candidate_relations_to_delete(opts)):
            field, on_delete, target = relation.field, relation.on_delete, relation.field_name or "pk"
            related = relation.related_model._base_manager.filter(**{f"{field.name}__in": rows.values(target)})
            if on_delete is models.DO_NOTHING:
                continue
            if on_delete is models.SET_NULL:
                emptied.append((related, field.name))
            elif on_delete is models.CASCADE:
                if related.model in above:
                    raise NotImplementedError(f"{related.model._meta.label}: a cascade back to itself")
                walk(related, (*above, related.model))
            else:
                raise NotImplementedError(f"{field.model._meta.label}.{field.name}: on_delete={on_delete!r}")
        deleted.append(rows)

    walk(rows, (rows.model,))
    return Plan(emptied=tuple(emptied), deleted=tuple(deleted))
