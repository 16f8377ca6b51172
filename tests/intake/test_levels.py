"""One Level: the model's choices are the triage engine's level codes, in the engine's order."""

from intake.models import Level
from intake.rules.triage import LEVELS, level_rank


def test_the_model_levels_are_the_engine_levels_in_the_same_order():
    assert [level.code for level in Level] == list(LEVELS)
    assert [Level.from_code(code) for code in LEVELS] == sorted(Level)


def test_sorting_by_the_stored_number_puts_the_most_urgent_first():
    assert sorted(Level, key=int) == sorted(Level, key=lambda level: level_rank(level.code))
