"""Fill a bench database fast: N published articles and M assessed intakes, in bulk SQL.

    DATABASE_URL=postgres://.../clinic_portal_bench DJANGO_SETTINGS_MODULE=bench.settings \
        .venv/bin/python -m bench.fill --articles 100000 --intakes 50000

Run by `bench/run_all.py` in a subprocess against a freshly migrated database. Nothing goes through the ORM's save
per row: a few real rows are made the ordinary way (the starter library through `load_articles`, a few dozen intakes
through the intake service, so levels and flags come from the triage rules), then copied with `INSERT ... SELECT`
over `generate_series`. The copy lists the table's columns from the model, so a column added later is copied too.

Articles: copies of the starter articles in turn, each keeping its template's topics, related articles and stored
search vector (computing 100k vectors would take minutes; copying them is exact, as the text is the same).

Intakes: a clinic that receives about 70 intakes a day, so 5,000 intakes are ten weeks of history and 50,000 two
years. Each is a copy of a template intake (2% urgent, 8% serious, 30% sciatica, 60% routine, as in docs/clinical),
with its flags; the appointment is 1-14 days after the intake; everything older than three days has been reviewed.
"""

# ruff: noqa: E402, S608 - Django is set up before the portal's modules are imported; the SQL's table and column
# names come from the models, its values are parameters.

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ["BENCH_PLAIN_BACKEND"] = "1"

import django

django.setup()

from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

INTAKES_PER_DAY = 70
UNREVIEWED_DAYS = 3
# (profile, how many of every 50 template intakes): 2% urgent, 8% serious, 30% sciatica, 60% routine.
INTAKE_MIX = [
    ("urgent_saddle_bladder", 1),
    ("serious_cancer", 1),
    ("serious_fracture", 1),
    ("serious_cord_compression", 1),
    ("serious_foot_drop", 1),
    ("sciatica_below_knee", 10),
    ("sciatica_leg_weak", 5),
    ("routine_plain", 18),
    ("routine_mileage_jump", 6),
    ("routine_stenosis", 3),
    ("routine_minimalist", 3),
]
FIRST_NAMES = [
    "Maria",
    "James",
    "Aisha",
    "Wei",
    "Olga",
    "Pedro",
    "Sofia",
    "Liam",
    "Noah",
    "Emma",
    "Ava",
    "Mia",
    "Lucas",
    "Mateo",
    "Chen",
    "Fatima",
    "Omar",
    "Ines",
    "Hugo",
    "Nora",
    "Elena",
    "Diego",
    "Grace",
    "Henry",
    "Ivy",
    "Jack",
    "Kira",
    "Leo",
    "Maya",
    "Nina",
    "Oscar",
    "Paula",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Victor",
    "Wanda",
    "Yusuf",
]
LAST_NAMES = [
    "Delgado",
    "Whitfield",
    "Smith",
    "Garcia",
    "Nguyen",
    "Okafor",
    "Johansson",
    "Rossi",
    "Kowalski",
    "Haddad",
    "Tanaka",
    "Silva",
    "Murphy",
    "Cohen",
    "Patel",
    "Fischer",
    "Dubois",
    "Moreau",
    "Novak",
    "Ivanova",
    "Costa",
    "Jensen",
    "Kim",
    "Lopez",
    "Martin",
    "Brown",
    "Wilson",
    "Taylor",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
]


def columns(model: type[Model]) -> list[str]:
    return [field.column for field in model._meta.concrete_fields if not field.primary_key and field.column]


def quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def copy_rows(model: type[Model], source: str, overrides: dict[str, str], *, alias: str = "t") -> str:
    """`INSERT INTO <table> (<every column>) SELECT <override or t.column> FROM <source>`."""
    names = columns(model)
    unknown = set(overrides) - set(names)
    if unknown:
        raise ValueError(f"no such columns on {model.__name__}: {unknown}")
    select = ", ".join(overrides.get(name, f"{alias}.{quoted(name)}") for name in names)
    table = quoted(model._meta.db_table)
    return f"INSERT INTO {table} ({', '.join(quoted(n) for n in names)}) SELECT {select} FROM {source}"


# --- Articles ------------------------------------------------------------------------------------------------------


def fill_articles(total: int) -> None:
    from education.models import Article
    from education.services import load_starter_library

    load_starter_library()
    now = timezone.now()
    # Every starter article is a template (the loader may leave some awaiting review): published years ago, as in a
    # clinic that loaded them first and wrote the rest since, so the featured ones are the oldest of the library.
    Article.objects.update(status=Article.Status.PUBLISHED, published_at=now - datetime.timedelta(days=4 * 365))
    templates = list(Article.objects.order_by("id").values_list("id", flat=True))
    if total <= len(templates):
        Article.objects.exclude(pk__in=templates[:total]).delete()
        return
    article = quoted(Article._meta.db_table)
    topics = Article.topics.through
    related = Article.related.through
    count = total - len(templates)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_article_templates ON COMMIT DROP AS "
            f"SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM {article} WHERE id = ANY(%s)",
            [templates],
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_new_articles ON COMMIT DROP AS "
            "SELECT n, t.id AS template_id FROM generate_series(1, %s) AS n "
            "JOIN bench_article_templates t ON t.k = n %% %s",
            [count, len(templates)],
        )
        cursor.execute(
            copy_rows(
                Article,
                f"bench_new_articles b JOIN {article} t ON t.id = b.template_id",
                {
                    "title": "t.title || ' (' || b.n || ')'",
                    "slug": "'bench-' || b.n",
                    "featured": "false",
                    "published_at": "%(published)s::timestamptz - b.n * interval '1 minute'",
                    "created_at": "%(now)s::timestamptz",
                    "updated_at": "%(now)s::timestamptz",
                },
            ),
            {"published": now - datetime.timedelta(days=1), "now": now},
        )
        cursor.execute(
            f"INSERT INTO {quoted(topics._meta.db_table)} (article_id, topic_id) "
            f"SELECT a.id, tt.topic_id FROM bench_new_articles b JOIN {article} a ON a.slug = 'bench-' || b.n "
            f"JOIN {quoted(topics._meta.db_table)} tt ON tt.article_id = b.template_id"
        )
        cursor.execute(
            f"INSERT INTO {quoted(related._meta.db_table)} (from_article_id, to_article_id) "
            f"SELECT a.id, rr.to_article_id FROM bench_new_articles b JOIN {article} a ON a.slug = 'bench-' || b.n "
            f"JOIN {quoted(related._meta.db_table)} rr ON rr.from_article_id = b.template_id"
        )


# --- Intakes -------------------------------------------------------------------------------------------------------


def bench_users() -> User:
    clinician, _ = User.objects.get_or_create(
        username="bench-clinician", defaults={"first_name": "Bench", "last_name": "Clinician"}
    )
    clinician.groups.add(Group.objects.get(name="Clinicians"))
    return clinician


def template_intakes(clinician: User) -> list[int]:
    from dashboard.demo import answers_for
    from intake.models import Intake
    from intake.services import create_assessed_intake
    from tests.dashboard.factories import InvitationFactory

    today = timezone.localdate()
    made = []
    seed = 0
    for profile, copies in INTAKE_MIX:
        for _ in range(copies):
            seed += 1
            answers = answers_for(profile, rng=random.Random(seed), today=today)
            invitation = InvitationFactory.create(
                patient_name=f"Template {seed}", email="", date_of_birth=answers["date_of_birth"]
            )
            intake = create_assessed_intake(
                invitation=invitation, answers=answers, today=today, submitted_at=timezone.now()
            )
            made.append(intake.pk)
    assert Intake.objects.filter(pk__in=made, level__isnull=False).count() == len(made)
    return made


def fill_intakes(total: int) -> None:
    from intake.models import Intake, IntakeFlag, Invitation

    clinician = bench_users()
    templates = template_intakes(clinician)
    now = timezone.now()
    invitation, intake, flag = (quoted(m._meta.db_table) for m in (Invitation, Intake, IntakeFlag))
    step = f"{86400 / INTAKES_PER_DAY} seconds"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_intake_templates ON COMMIT DROP AS "
            f"SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, invitation_id FROM {intake} WHERE id = ANY(%s)",
            [templates],
        )
        # n = 0 is the newest intake; each is `step` older than the one before. Appointments 1-14 days later.
        cursor.execute(
            "CREATE TEMP TABLE bench_new_intakes ON COMMIT DROP AS "
            "SELECT n, t.id AS template_id, t.invitation_id AS template_invitation_id, "
            "%(now)s::timestamptz - n * %(step)s::interval AS sent, "
            "%(now)s::timestamptz - n * %(step)s::interval + (1 + n %% 14) * interval '1 day' "
            "+ (n %% 17) * interval '30 minutes' AS appointment, "
            "md5('bench-a' || n) || md5('bench-b' || n) AS token, "
            "(%(first)s::text[])[1 + n %% %(nfirst)s] || ' ' || (%(last)s::text[])[1 + (n / %(nfirst)s) %% %(nlast)s]"
            " AS name FROM generate_series(0, %(last_n)s) AS n JOIN bench_intake_templates t ON t.k = n %% %(k)s",
            {
                "now": now, "step": step, "first": FIRST_NAMES, "nfirst": len(FIRST_NAMES), "last": LAST_NAMES,
                "nlast": len(LAST_NAMES), "last_n": total - len(templates) - 1, "k": len(templates),
            },
        )  # fmt: skip
        cursor.execute(
            copy_rows(
                Invitation,
                f"bench_new_intakes b JOIN {invitation} t ON t.id = b.template_invitation_id",
                {
                    "patient_name": "b.name",
                    "token_hash": "b.token",
                    "appointment_at": "b.appointment",
                    "expires_at": "b.appointment + interval '1 day'",
                    "created_at": "b.sent - interval '3 days'",
                },
            )
        )
        recent = now - datetime.timedelta(days=UNREVIEWED_DAYS)
        cursor.execute(
            copy_rows(
                Intake,
                f"bench_new_intakes b JOIN {intake} t ON t.id = b.template_id "
                f"JOIN {invitation} i ON i.token_hash = b.token",
                {
                    "invitation_id": "i.id",
                    "appointment_at": "b.appointment",
                    "submitted_at": "b.sent",
                    "assessed_at": "b.sent",
                    "emergency_shown_at": "CASE WHEN t.emergency_shown_at IS NULL THEN NULL ELSE b.sent END",
                    "created_at": "b.sent - interval '20 minutes'",
                    "updated_at": "b.sent",
                    "is_reviewed": "b.sent < %(recent)s",
                    "reviewed_at": "CASE WHEN b.sent < %(recent)s THEN b.sent + interval '1 day' END",
                    "reviewed_by_id": "CASE WHEN b.sent < %(recent)s THEN %(clinician)s::integer END",
                    "last_review_before_sending": "false",  # reviewed a day after sending, or not yet
                    # A serious template's promise, moved with its sending time (the queue shows it).
                    "call_back_by": "t.call_back_by + (b.sent - t.submitted_at)",
                },
            ),
            {"recent": recent, "clinician": clinician.pk},
        )
        flag_columns = [name for name in columns(IntakeFlag) if name != "intake_id"]
        cursor.execute(
            f"INSERT INTO {flag} (intake_id, {', '.join(quoted(n) for n in flag_columns)}) "
            f"SELECT x.id, {', '.join('f.' + quoted(n) for n in flag_columns)} FROM bench_new_intakes b "
            f"JOIN {invitation} i ON i.token_hash = b.token JOIN {intake} x ON x.invitation_id = i.id "
            f"JOIN {flag} f ON f.intake_id = b.template_id"
        )
        # The templates themselves are today's intakes; send them back a few years so they do not crowd the queue.
        cursor.execute(
            f"UPDATE {intake} SET submitted_at = submitted_at - interval '5 years', "
            "call_back_by = call_back_by - interval '5 years', "
            "created_at = created_at - interval '5 years', is_reviewed = true WHERE id = ANY(%s)",
            [templates],
        )


def ensure_declared_indexes() -> None:
    """Make any index a model declares that no migration has made yet, and say so.

    So the bench measures the schema the code is written for while the migration adding an index is being written
    (a no-op once it exists: `makemigrations --check` is the guard against forgetting it).
    """
    from django.apps import apps

    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for model in apps.get_models():
            table = model._meta.db_table
            if table not in tables or not model._meta.indexes:
                continue
            existing = set(connection.introspection.get_constraints(cursor, table))
            for index in model._meta.indexes:
                if index.name not in existing:
                    with connection.schema_editor() as editor:
                        editor.add_index(model, index)
                    print(f"made index {index.name} on {table}: declared by the model, not yet by a migration")


def vacuum() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def bump_public_pages() -> None:
    """Tell every server process that the library changed under it (the rows above bypassed the models' signals)."""
    try:
        from education import cache
    except ImportError:  # a checkout from before the public-page cache
        return
    cache.library_changed()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=0)
    parser.add_argument("--intakes", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    ensure_declared_indexes()
    if args.articles:
        fill_articles(args.articles)
    if args.intakes:
        fill_intakes(args.intakes)
    vacuum()
    bump_public_pages()
    from education.models import Article
    from intake.models import Intake

    print(
        f"filled {Article.objects.count():,} articles and {Intake.objects.count():,} intakes "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


if __name__ == "__main__":
    main()
