"""tests/browser/datasets.py: a copy put back with `times_from_now` reads as if it had just been built."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from tests.browser import datasets

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("Copies are kept and put back on PostgreSQL only; elsewhere the data is built each time.")


@pytest.mark.parametrize("times_from_now", [True, False])
def test_a_copy_put_back_later_has_its_times_moved_on_by_its_age_only_when_asked(on_postgresql, times_from_now):
    users = get_user_model()
    builds = []

    def build() -> None:
        builds.append(1)
        users.objects.create_user("built", last_login=timezone.now() - datetime.timedelta(minutes=12))

    name = f"probe_{times_from_now}"
    datasets.built_once(name, build, times_from_now=times_from_now)
    built = users.objects.get(username="built")
    users.objects.all().delete()
    # The copy as if it had been taken an hour ago (its rows are as they were built, a moment ago).
    datasets._copies[name] = dataclasses.replace(
        datasets._copies[name], taken_at=datasets._copies[name].taken_at - datetime.timedelta(hours=1)
    )

    datasets.built_once(name, build, times_from_now=times_from_now)

    assert len(builds) == 1  # put back, not built again
    again = users.objects.get(username="built")
    assert again.pk == built.pk
    moved = datetime.timedelta(hours=1) if times_from_now else datetime.timedelta(0)
    for field in ("last_login", "date_joined"):
        shift = getattr(again, field) - getattr(built, field)
        assert moved <= shift < moved + datetime.timedelta(minutes=1), field


def test_a_build_that_ran_past_midnight_is_built_again_not_put_back_on_the_new_day(on_postgresql, time_machine):
    """Its rows are of the day it began ("reviewed today" the day before): the copy was marked with the day it was
    taken, after midnight, and put back all the next ten minutes, its dates a day old."""
    users = get_user_model()
    builds = []
    evening = datetime.datetime.combine(datetime.date(2030, 3, 20), datetime.time(23, 59, 58))
    time_machine.move_to(timezone.make_aware(evening), tick=False)

    def build() -> None:
        builds.append(1)
        users.objects.create_user(f"built-{len(builds)}", date_joined=timezone.now())
        time_machine.shift(datetime.timedelta(seconds=5))  # a build takes seconds: this one ends past midnight

    datasets.built_once("midnight", build, times_from_now=True)
    users.objects.all().delete()
    datasets.built_once("midnight", build, times_from_now=True)

    assert len(builds) == 2  # built again on the new day
    assert timezone.localdate(users.objects.get().date_joined) == datetime.date(2030, 3, 21)
