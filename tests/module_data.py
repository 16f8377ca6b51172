"""Data built once for a whole test module, inside a transaction that stays open until the module is done.

Each test's own transaction (pytest-django's, as in a Django TestCase) nests inside it as a savepoint, so whatever a
test changes is rolled back to the module's data, and that data is rolled back at the end of the module. A module that
uses it must not hold `transaction=True` tests (they would flush the tables under it).

Use from a module-scoped fixture: ``yield from built_for_module(django_db_blocker, build)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import transaction
from django.test import override_settings

from tests.conftest import FAST_AND_QUIET

T = TypeVar("T")


def built_for_module(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(**FAST_AND_QUIET):
                built = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
