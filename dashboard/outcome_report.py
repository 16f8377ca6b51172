"""The review outcomes report (docs/clinical/TRIAGE.md, "Review outcomes"): per rules version and flag, how often each
outcome followed.

Counted from the review notes that carry an outcome (not those of a review undone since), with the rules version and
flags the reviewer saw (`ReviewNote` keeps them), so later re-triage never rewrites what was counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, QuerySet

from clinic_portal.db_rows import quoted_column
from intake.models import ReviewNote
from intake.rules.triage import FLAG_GROUPS, FLAGS_BY_CODE

REVIEWED = ""  # the key of "reviewed intakes" among the outcome counts (no outcome is the empty string)


@dataclass(frozen=True)
class FlagOutcomes:
    rules_version: str
    code: str  # "" for the row of every reviewed intake of the version, flagged or not
    counts: dict[str, int]  # outcome code (or REVIEWED) -> distinct intakes

    @property
    def reviewed(self) -> int:
        return self.counts.get(REVIEWED, 0)

    def count(self, outcome: str) -> int:
        return self.counts.get(outcome, 0)


# One query on each database: the flag list is unnested by the database's own JSON function (PostgreSQL's jsonb
# functions, SQLite's json_each), then grouped; only the counts come back. Two halves: the intakes per outcome, and
# the reviewed intakes (any outcome but "could not reach", which leaves an intake unreviewed), marked by an empty
# outcome.
_UNNESTED = {
    "postgresql": (
        "{table} AS n CROSS JOIN LATERAL jsonb_array_elements_text("
        "CASE WHEN jsonb_typeof(n.{flags}) = 'array' THEN n.{flags} ELSE '[]'::jsonb END) AS f(code)"
    ),
    "sqlite": "{table} AS n, json_each(CASE WHEN json_type(n.{flags}) = 'array' THEN n.{flags} ELSE '[]' END) AS f",
}
_CODE = {"postgresql": "f.code", "sqlite": "f.value"}
_OUTCOME_COUNTS_SQL = """
SELECT n.{version}, {code}, n.{outcome}, COUNT(DISTINCT n.{intake})
FROM {unnested} WHERE n.{outcome} <> '' AND n.{undone_at} IS NULL GROUP BY n.{version}, {code}, n.{outcome}
UNION ALL
SELECT n.{version}, {code}, '', COUNT(DISTINCT n.{intake})
FROM {unnested} WHERE n.{outcome} <> '' AND n.{outcome} <> %s AND n.{undone_at} IS NULL GROUP BY n.{version}, {code}
"""


def _notes_with_outcome() -> QuerySet[ReviewNote]:
    # A review undone (saved on the wrong patient) is kept on the intake's page, and counted nowhere.
    return ReviewNote.objects.exclude(outcome="").filter(undone_at__isnull=True)


def _per_flag_in_sql(vendor: str) -> list[tuple[str, str, str, int]]:
    flags = quoted_column(ReviewNote, "flag_codes")
    unnested = _UNNESTED[vendor].format(table=connection.ops.quote_name(ReviewNote._meta.db_table), flags=flags)
    sql = _OUTCOME_COUNTS_SQL.format(
        version=quoted_column(ReviewNote, "rules_version"),
        outcome=quoted_column(ReviewNote, "outcome"),
        undone_at=quoted_column(ReviewNote, "undone_at"),
        intake=quoted_column(ReviewNote, "intake"),
        code=_CODE[vendor],
        unnested=unnested,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ReviewNote.Outcome.COULD_NOT_REACH.value])
        return [(version, str(code), outcome, count) for version, code, outcome, count in cursor.fetchall()]


def _per_flag_in_python() -> list[tuple[str, str, str, int]]:
    """The same counts on a database without those JSON functions: the notes are streamed in chunks (never all in
    memory at once) and only the intake ids per version, flag and outcome are kept."""
    intakes: dict[tuple[str, str, str], set[int]] = {}
    notes = _notes_with_outcome().values_list("rules_version", "flag_codes", "outcome", "intake_id")
    for version, codes, outcome, intake_id in notes.iterator(chunk_size=2000):
        for code in codes if isinstance(codes, list) else []:
            intakes.setdefault((version, str(code), outcome), set()).add(intake_id)
            if outcome != ReviewNote.Outcome.COULD_NOT_REACH:
                intakes.setdefault((version, str(code), REVIEWED), set()).add(intake_id)
    return [(version, code, outcome, len(ids)) for (version, code, outcome), ids in intakes.items()]


def outcome_counts(*, in_python: bool = False) -> list[FlagOutcomes]:
    """Per rules version (newest first) a row of every reviewed intake, then one row per flag in triage order.

    Counts are of distinct intakes: an intake first not reached and later reviewed counts under both outcomes.
    Three queries, whatever the number of notes (on PostgreSQL and SQLite; elsewhere the notes are streamed).
    """
    vendor = connection.vendor
    per_flag = _per_flag_in_sql(vendor) if vendor in _UNNESTED and not in_python else _per_flag_in_python()
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for version, code, outcome, count in per_flag:
        counts.setdefault((version, code), {})[outcome] = count
    notes = _notes_with_outcome()
    for row in notes.values("rules_version", "outcome").annotate(n=Count("intake", distinct=True)):
        counts.setdefault((row["rules_version"], ""), {})[row["outcome"]] = row["n"]
    reviewed = notes.exclude(outcome=ReviewNote.Outcome.COULD_NOT_REACH)
    for version_row in reviewed.values("rules_version").annotate(n=Count("intake", distinct=True)):
        counts.setdefault((version_row["rules_version"], ""), {})[REVIEWED] = version_row["n"]
    return [
        FlagOutcomes(version, code, by_outcome)
        for (version, code), by_outcome in sorted(counts.items(), key=lambda item: _report_order(*item[0]))
    ]


_CODE_PARTS = re.compile(r"([A-Z]+)(\d*)")


def flag_order(code: str) -> tuple[int, str, int]:
    """Flags as the triage engine lists them: by group (urgent first), then letters, then number (SP9 < SP12).

    A code this rules version does not know (from an older version) comes after every known one.
    """
    flag = FLAGS_BY_CODE.get(code)
    group = FLAG_GROUPS.index(flag.group) if flag else len(FLAG_GROUPS)
    match = _CODE_PARTS.fullmatch(code)
    letters, number = (match.group(1), match.group(2)) if match else (code, "")
    return group, letters, int(number) if number else -1


def _report_order(version: str, code: str) -> tuple[tuple[int, ...], str, bool, tuple[int, str, int]]:
    """Newest rules version first; in a version the row of every reviewed intake, then flags in triage order."""
    newest_first = tuple(-int(part) if part.isdigit() else 0 for part in version.split("."))
    return newest_first, version, bool(code), flag_order(code)
