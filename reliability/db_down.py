"""Database down: pages answer 503 with Retry-After within seconds, and the portal recovers by itself.

Starts a private PostgreSQL (never the machine's shared one) and the portal under gunicorn, then:
  1. checks pages answer normally;
  2. stops PostgreSQL abruptly (pg_ctl stop -m immediate) and times the answers: each must be 503 with Retry-After
     and a clear message, within DEADLINE_SECONDS; a patient's step posted meanwhile comes back in the 503 page with
     the answers kept in a "Try again" form;
  3. starts PostgreSQL again and times how long until pages answer 200 without restarting the portal, then presses
     "Try again" (re-sends the kept answers) and checks the step was saved.

Prints its figures and exits 1 when a behaviour is wrong. Timing alone never fails it: a correct 503 that came later
than --deadline (default 5 s), or a step the machine was too busy to finish in its bound, is reported on a `TOO SLOW:`
line with exit status 75, which the test suite turns into a skip.

Run: `.venv/bin/python reliability/db_down.py [--deadline 5] [--recovery-limit 30]`
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reliability.harness import (
    Browser,
    TooSlow,
    gunicorn,
    manage,
    portal_env,
    prepare_database,
    private_postgres,
    run_main,
)
from reliability.patients import answers_for, django_against, make_patients, open_link


def saved_safety_answers() -> bool:
    from django.db import connections

    from intake.models import Intake

    connections.close_all()  # this process's connection died with the server
    intake = Intake.objects.order_by("-pk").first()
    return intake is not None and "ce_saddle_numbness" in intake.answers


# Pages a signed-in front-desk browser opens (its session lives in the database, so every one of them needs it).
PAGES = ["/", "/articles/", "/staff/queue/"]
DESK_USER = "reliability-desk"
DESK_PASSWORD = "reliability-desk-password-2026"  # noqa: S105 - a throwaway account in a throwaway database
CREATE_DESK = (
    "from django.contrib.auth.models import Group, User; "
    f"u = User.objects.create_user({DESK_USER!r}, password={DESK_PASSWORD!r}); "
    "u.groups.add(Group.objects.get(name='Front desk'))"
)
DEADLINE_SECONDS = 5.0
RECOVERY_LIMIT_SECONDS = 30.0


def exercise(args: argparse.Namespace, problems: list[str], slow: list[str]) -> None:
    with private_postgres() as postgres:
        env = portal_env(postgres.url())
        prepare_database(env)
        manage(env, "shell", "-c", CREATE_DESK)
        django_against(env)
        from intake.forms import as_post_data
        from intake.rules.questionnaire import step_by_slug

        with gunicorn(env, workers=2) as base:
            print(f"portal at {base}, private PostgreSQL on port {postgres.port}")
            desk = Browser()
            desk.request(base + "/staff/sign-in/")
            signed_in = desk.request(
                base + "/staff/sign-in/",
                {"csrfmiddlewaretoken": desk.csrf_token(), "username": DESK_USER, "password": DESK_PASSWORD},
            )
            if signed_in.status != 302:
                problems.append(f"front desk could not sign in ({signed_in.status})")
            for path in PAGES:
                answer = desk.request(base + path)
                print(f"  up     {path:<20} {answer.status} in {answer.seconds * 1000:.0f} ms")
                if answer.status != 200:
                    problems.append(f"{path} answered {answer.status} with the database up")

            patient = Browser()
            if not open_link(patient, base, make_patients(1)[0]):
                problems.append("the patient could not open their link")
            safety: dict[str, object] = dict(as_post_data(step_by_slug("safety"), answers_for(2)).items())
            safety["csrfmiddlewaretoken"] = patient.csrf_token()

            postgres.stop("immediate")
            print("PostgreSQL stopped (immediate)")
            for path in PAGES:
                answer = desk.request(base + path)
                ok = (
                    answer.status == 503
                    and answer.headers.get("Retry-After", "").isdigit()
                    and "busy for a moment" in answer.body
                )
                print(
                    f"  down   {path:<20} {answer.status} in {answer.seconds * 1000:.0f} ms, "
                    f"Retry-After {answer.headers.get('Retry-After')}"
                )
                if not ok:
                    problems.append(f"{path} answered {answer.status} in {answer.seconds:.1f} s with the database down")
                elif answer.seconds > args.deadline:
                    slow.append(
                        f"{path} answered 503 as it should, but in {answer.seconds:.2f} s (> {args.deadline} s)"
                    )

            post = patient.request(base + "/intake/step/safety/", safety)
            kept_fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', post.body)
            kept = sorted(kept_fields) == sorted(safety.items()) and "Try again" in post.body
            print(
                f"  down   POST a patient's step {post.status} in {post.seconds * 1000:.0f} ms, "
                f"answers kept: {kept} ({len(kept_fields)} fields)"
            )
            if post.status != 503 or not kept:
                problems.append(f"a patient's POST answered {post.status}; answers kept: {kept}")

            postgres.start()
            restarted = time.monotonic()
            print("PostgreSQL started again")
            recovered = None
            while time.monotonic() - restarted < args.recovery_limit:
                statuses = [desk.request(base + path).status for path in PAGES]
                if all(status == 200 for status in statuses):
                    recovered = time.monotonic() - restarted
                    break
                time.sleep(0.25)
            if recovered is None:
                # One more round, past the limit, tells a slow machine from a portal that stays broken.
                statuses = [desk.request(base + path).status for path in PAGES]
                print(f"  not recovered within {args.recovery_limit:.0f} s; then {statuses}")
                if all(status == 200 for status in statuses):
                    slow.append(f"pages recovered, but later than {args.recovery_limit:.0f} s")
                elif not postgres.accepts_connections():
                    slow.append(f"PostgreSQL itself was not accepting connections {args.recovery_limit:.0f} s on")
                else:
                    # PostgreSQL is back (pg_ctl -w waited for it) yet pages still fail: the portal did not recover.
                    problems.append(f"pages did not recover within {args.recovery_limit:.0f} s: {statuses}")
            else:
                print(f"  recovered: every page answers normally {recovered:.2f} s after PostgreSQL came back")
                retry = patient.request(base + "/intake/step/safety/", kept_fields)
                saved = retry.status == 302 and saved_safety_answers()
                print(f"  'Try again' re-sent the kept answers: {retry.status}, step saved: {saved}")
                if not saved:
                    problems.append(f"'Try again' after recovery did not save the step ({retry.status})")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--deadline", type=float, default=DEADLINE_SECONDS, help="seconds a 503 may take")
    parser.add_argument(
        "--recovery-limit", type=float, default=RECOVERY_LIMIT_SECONDS, help="seconds pages may take to recover"
    )
    args = parser.parse_args()
    problems: list[str] = []
    slow: list[str] = []
    started = time.monotonic()
    try:
        exercise(args, problems, slow)
    except TooSlow as error:
        slow.append(str(error))
    print(f"total {time.monotonic() - started:.1f} s")
    for problem in problems:
        print("FAIL:", problem)
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    if slow:
        raise TooSlow("; ".join(slow))
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main))
