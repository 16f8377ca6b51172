"""Database stopped or frozen: pages answer 503 with Retry-After within seconds, and the portal recovers by itself.

Starts a private PostgreSQL (never the machine's shared one) and, in turn, the portal under gunicorn with sync workers
and with threaded workers (`--worker-class gthread --threads 4`), with its production settings (DEBUG off, rate limits
on). Under each, for each fault:
  - stopped: `pg_ctl stop -m immediate`, as in a crash or a restart: connections are refused at once;
  - frozen: SIGSTOP to the private server's postmaster and all its children (only that server's, found from its own
    postmaster.pid): its sockets stay open and its kernel still acknowledges data, but nothing answers, as with a
    server stuck on a hung disk. The workers' kept connections are then the hard case;
it
  1. checks pages answer normally (which also leaves kept connections in the workers);
  2. makes the fault and times the answers: each must be 503 with Retry-After and a clear message within --deadline;
     a patient's step posted meanwhile must come back in the 503 page with the answers kept in a "Try again" form;
  3. ends the fault (starts the server again; SIGCONT) and times how long until pages answer 200 without restarting
     the portal, then presses "Try again" (re-sends the kept answers) and checks the step was saved.

Prints its figures, a summary, and exits 1 when a behaviour is wrong, including a request that hangs: no answer within
--hang-after seconds while the database is down, when pages answered within --deadline just before. Timing alone
never fails it: a correct 503 later than --deadline, recovery later than --recovery-limit, or a step the machine was
too busy to finish in its bound, is reported on a `TOO SLOW:` line with exit status 75, which the suite turns into a
skip.

Run: `.venv/bin/python reliability/db_down.py [--deadline 5] [--recovery-limit 30] [--faults stopped,frozen]
[--worker-classes sync,gthread] [--pages /,/articles/,/staff/queue/]`
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reliability.harness import (
    Answer,
    Browser,
    PrivatePostgres,
    TooSlow,
    gunicorn,
    portal_env,
    prepare_database,
    private_postgres,
    run_main,
)
from reliability.patients import Patient, answers_for, django_against, make_patients, open_link

# Pages a signed-in front-desk browser opens (its session lives in the database, so every one of them needs it).
PAGES = ["/", "/articles/", "/staff/queue/"]
FAULTS = ["stopped", "frozen"]
# Two worker processes each: sync (one request at a time each), and gthread with 4 threads each.
WORKER_CLASSES: dict[str, dict[str, Any]] = {
    "sync": {"worker_class": "sync", "workers": 2, "threads": 1},
    "gthread": {"worker_class": "gthread", "workers": 2, "threads": 4},
}
DESK_USER = "reliability-desk"
DESK_PASSWORD = "reliability-desk-password-2026"  # noqa: S105 - a throwaway account in a throwaway database
DEADLINE_SECONDS = 5.0
RECOVERY_LIMIT_SECONDS = 30.0
# No answer this long while the database is down is a hang (the portal's own bounds are a few seconds), not slowness.
HANG_SECONDS = 30.0


@dataclass
class Figures:
    fault: str
    workers: str
    slowest_503: float | None = None
    recovered_after: float | None = None


def saved_safety_answers(patient: Patient) -> bool:
    from django.db import connections

    from intake.models import Intake

    connections.close_all()  # this process's connection may have died with the server
    intake = Intake.objects.filter(invitation_id=patient.invitation_id).first()
    return intake is not None and "ce_saddle_numbness" in intake.answers


def describe(kind: str) -> str:
    spec = WORKER_CLASSES[kind]
    threads = f" x {spec['threads']} threads" if spec["threads"] > 1 else ""
    return f"{kind}, {spec['workers']} workers{threads}"


def create_desk() -> None:
    """The front-desk account, made in this process (Django set up against the private server): a `manage.py shell`
    would start Django a second time for two statements."""
    from django.contrib.auth.models import Group, User

    desk = User.objects.create_user(DESK_USER, password=DESK_PASSWORD)
    desk.groups.add(Group.objects.get(name="Front desk"))


def sign_in_desk(base: str, problems: list[str]) -> Browser:
    desk = Browser()
    desk.request(base + "/staff/sign-in/")
    signed_in = desk.request(
        base + "/staff/sign-in/",
        {"csrfmiddlewaretoken": desk.csrf_token(), "username": DESK_USER, "password": DESK_PASSWORD},
    )
    if signed_in.status != 302:
        problems.append(f"front desk could not sign in ({signed_in.status})")
    return desk


class Run:
    """One fault under one gunicorn: the checks, the problems and slowness found, the figures."""

    def __init__(self, args: argparse.Namespace, problems: list[str], slow: list[str], figures: Figures) -> None:
        self.args, self.problems, self.slow, self.figures = args, problems, slow, figures
        self.slowest_up = 0.0
        self.label = f"({figures.fault}, {figures.workers})"

    def down_request(self, browser: Browser, url: str, data: Any = None) -> Answer | None:
        """A request while the database is down; None (and a problem, or slowness) when no answer came."""
        try:
            return browser.request(url, data, timeout=self.args.hang_after)
        except TooSlow:
            if self.slowest_up <= self.args.deadline:
                self.problems.append(
                    f"{url} gave no answer within {self.args.hang_after:.0f} s with the database {self.figures.fault} "
                    f"(pages answered within {self.slowest_up:.2f} s just before): requests hang {self.label}"
                )
            else:
                self.slow.append(f"{url} gave no answer within {self.args.hang_after:.0f} s {self.label}")
            return None

    def timed_503(self, what: str, answer: Answer) -> None:
        self.figures.slowest_503 = max(self.figures.slowest_503 or 0.0, answer.seconds)
        if answer.status == 503 and answer.seconds > self.args.deadline:
            self.slow.append(
                f"{what} answered 503 as it should, but in {answer.seconds:.2f} s (> {self.args.deadline} s) "
                f"{self.label}"
            )

    def exercise(self, postgres: PrivatePostgres, base: str, desk: Browser, patient_record: Patient) -> None:
        from intake.forms import as_post_data
        from intake.rules.questionnaire import step_by_slug

        args, fault = self.args, self.figures.fault
        for path in args.pages:
            answer = desk.request(base + path)
            self.slowest_up = max(self.slowest_up, answer.seconds)
            print(f"  up     {path:<20} {answer.status} in {answer.seconds * 1000:.0f} ms")
            if answer.status != 200:
                self.problems.append(f"{path} answered {answer.status} with the database up {self.label}")

        patient = Browser()
        if not open_link(patient, base, patient_record):
            self.problems.append(f"the patient could not open their link {self.label}")
        safety: dict[str, object] = dict(as_post_data(step_by_slug("safety"), answers_for(2)).items())
        safety["csrfmiddlewaretoken"] = patient.csrf_token()

        if fault == "stopped":
            postgres.stop("immediate")
            print("PostgreSQL stopped (pg_ctl stop -m immediate)")
        else:
            frozen = postgres.freeze()
            print(f"PostgreSQL frozen (SIGSTOP to its {frozen} processes)")
        kept_fields: list[tuple[str, str]] = []
        try:
            for path in args.pages:
                reply = self.down_request(desk, base + path)
                if reply is None:
                    break
                ok = (
                    reply.status == 503
                    and reply.headers.get("Retry-After", "").isdigit()
                    and "busy for a moment" in reply.body
                )
                print(
                    f"  down   {path:<20} {reply.status} in {reply.seconds * 1000:.0f} ms, "
                    f"Retry-After {reply.headers.get('Retry-After')}"
                )
                if not ok:
                    self.problems.append(
                        f"{path} replyed {reply.status} in {reply.seconds:.1f} s with the database {fault} {self.label}"
                    )
                self.timed_503(path, reply)
            else:
                post = self.down_request(patient, base + "/intake/step/safety/", safety)
                if post is not None:
                    kept_fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', post.body)
                    kept = sorted(kept_fields) == sorted(safety.items()) and "Try again" in post.body
                    print(
                        f"  down   POST a patient's step {post.status} in {post.seconds * 1000:.0f} ms, "
                        f"answers kept: {kept} ({len(kept_fields)} fields)"
                    )
                    if post.status != 503 or not kept:
                        self.problems.append(
                            f"a patient's POST answered {post.status}; answers kept: {kept} {self.label}"
                        )
                    self.timed_503("a patient's POST", post)
        finally:
            if fault == "stopped":
                postgres.start()
                print("PostgreSQL started again")
            else:
                postgres.thaw()
                print("PostgreSQL resumed (SIGCONT)")
        self.recover(base, desk, patient, patient_record, postgres, kept_fields)

    def recover(
        self,
        base: str,
        desk: Browser,
        patient: Browser,
        patient_record: Patient,
        postgres: PrivatePostgres,
        kept_fields: list[tuple[str, str]],
    ) -> None:
        args = self.args
        restarted = time.monotonic()
        recovered = None
        while time.monotonic() - restarted < args.recovery_limit:
            statuses = [desk.request(base + path).status for path in args.pages]
            if all(status == 200 for status in statuses):
                recovered = time.monotonic() - restarted
                break
            time.sleep(0.05)
        if recovered is None:
            # One more round, past the limit, tells a slow machine from a portal that stays broken.
            statuses = [desk.request(base + path).status for path in args.pages]
            print(f"  not recovered within {args.recovery_limit:.0f} s; then {statuses}")
            if all(status == 200 for status in statuses):
                self.slow.append(f"pages recovered, but later than {args.recovery_limit:.0f} s {self.label}")
            elif not postgres.accepts_connections():
                self.slow.append(
                    f"PostgreSQL itself was not accepting connections {args.recovery_limit:.0f} s on {self.label}"
                )
            else:
                # PostgreSQL is back (pg_ctl -w waited for it; SIGCONT is immediate) yet pages still fail.
                self.problems.append(
                    f"pages did not recover within {args.recovery_limit:.0f} s: {statuses} {self.label}"
                )
            return
        self.figures.recovered_after = recovered
        print(f"  recovered: every page answers normally {recovered:.2f} s after PostgreSQL came back")
        if not kept_fields:
            return  # the POST gave nothing to retry; already a problem
        # The patient presses "Try again"; a worker that has not yet served a request since the database came back
        # may still answer one 503 (seen once in CI, frozen case), and the page asks them to try again: so do we,
        # within the recovery limit, and say how many presses it took.
        presses, statuses, saved = 0, [], False
        while not saved and (presses == 0 or time.monotonic() - restarted < args.recovery_limit):
            presses += 1
            retry = patient.request(base + "/intake/step/safety/", kept_fields)
            statuses.append(retry.status)
            saved = retry.status == 302 and saved_safety_answers(patient_record)
            if not saved:
                time.sleep(0.5)
        print(f"  'Try again' re-sent the kept answers: {statuses}, step saved: {saved} after {presses} press(es)")
        if not saved:
            self.problems.append(f"'Try again' after recovery did not save the step ({statuses}) {self.label}")


def exercise(args: argparse.Namespace, problems: list[str], slow: list[str], figures: list[Figures]) -> None:
    with private_postgres() as postgres:
        # Rate limits on, as in production: their counter is the first thing some pages ask the database.
        env = portal_env(postgres.url(), RATELIMIT_ENABLE="1")
        prepare_database(env)
        django_against(env)
        create_desk()
        patients = iter(make_patients(len(args.worker_classes) * len(args.faults)))
        for kind in args.worker_classes:
            with gunicorn(env, **WORKER_CLASSES[kind]) as base:
                print(f"portal at {base} ({describe(kind)}), private PostgreSQL on port {postgres.port}")
                desk = sign_in_desk(base, problems)
                for fault in args.faults:
                    figures.append(Figures(fault, describe(kind)))
                    Run(args, problems, slow, figures[-1]).exercise(postgres, base, desk, next(patients))


def print_summary(figures: list[Figures]) -> None:
    print("summary: slowest 503 while down; pages recovered after the database came back")
    for item in figures:
        slowest = "no answer" if item.slowest_503 is None else f"{item.slowest_503:.2f} s"
        recovered = "not recovered" if item.recovered_after is None else f"{item.recovered_after:.2f} s"
        print(f"  {item.fault:<8} {item.workers:<32} 503 within {slowest:<10} recovered in {recovered}")


def comma_list(allowed: list[str] | None = None) -> Any:
    def parse(value: str) -> list[str]:
        items = [item.strip() for item in value.split(",") if item.strip()]
        wrong = [item for item in items if allowed is not None and item not in allowed]
        if not items or wrong:
            raise argparse.ArgumentTypeError(f"expected a comma-separated list of {', '.join(allowed or ['paths'])}")
        return items

    return parse


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--deadline", type=float, default=DEADLINE_SECONDS, help="seconds a 503 may take (5)")
    parser.add_argument(
        "--recovery-limit", type=float, default=RECOVERY_LIMIT_SECONDS, help="seconds pages may take to recover (30)"
    )
    parser.add_argument(
        "--faults", type=comma_list(FAULTS), default=FAULTS, help="which faults, in order (stopped,frozen)"
    )
    parser.add_argument(
        "--worker-classes",
        type=comma_list(list(WORKER_CLASSES)),
        default=list(WORKER_CLASSES),
        help="gunicorn workers: sync (2 workers) and/or gthread (2 workers x 4 threads) (sync,gthread)",
    )
    parser.add_argument(
        "--pages", type=comma_list(), default=PAGES, help=f"pages the front desk opens ({','.join(PAGES)})"
    )
    parser.add_argument(
        "--hang-after",
        type=float,
        default=HANG_SECONDS,
        help="seconds without an answer, while the database is down, that count as a hang (30)",
    )
    args = parser.parse_args()
    problems: list[str] = []
    slow: list[str] = []
    figures: list[Figures] = []
    started = time.monotonic()
    try:
        exercise(args, problems, slow, figures)
    except TooSlow as error:
        slow.append(str(error))
    print_summary(figures)
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
