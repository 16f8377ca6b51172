"""Double submission and concurrency against gunicorn on loopback and a private PostgreSQL.

  1. One patient's intake, ready to send, gets 50 simultaneous "Send" POSTs: exactly one submission, one alert at most.
  2. N different intakes (default 500) are sent at the same time: exactly N submitted rows, and exactly one alert
     per urgent or serious intake (so at most N), none for the others.

Prints its figures and exits 1 when an expectation fails. Timing is reported, never judged: a step the machine was
too busy to finish within the harness's bounds is reported on a `TOO SLOW:` line (exit 75).
Run: `.venv/bin/python reliability/concurrency.py [--intakes 500] [--workers 4] [--threads 4]`
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reliability.harness import Browser, TooSlow, gunicorn, portal_env, prepare_database, private_postgres, run_main
from reliability.patients import django_against, fill_in_process, make_patients, open_link, submit


def double_submission(base: str, problems: list[str]) -> None:
    from alerts.models import Alert
    from intake.models import Intake

    (patient,) = make_patients(1, start=0)  # number 0: urgent answers, so an alert is due
    browser = Browser()
    if not open_link(browser, base, patient):
        problems.append("the patient could not open their link")
        return
    fill_in_process(patient)
    gate = threading.Barrier(50)

    def send(_: int) -> int:
        gate.wait()
        return submit(browser, base)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(send, range(50)))
    seconds = time.monotonic() - started
    intake = Intake.objects.get(invitation_id=patient.invitation_id)
    alerts = Alert.objects.filter(intake=intake).count()
    print(
        f"50 simultaneous sends of one intake: statuses {sorted(set(statuses))}, status {intake.status}, "
        f"alerts {alerts}, {seconds:.2f} s"
    )
    if intake.status != Intake.Status.SUBMITTED or intake.submitted_at is None:
        problems.append("the intake was not submitted")
    if any(status >= 500 for status in statuses):
        problems.append(f"server errors among the 50 sends: {statuses}")
    if alerts != 1:
        problems.append(f"{alerts} alerts for one urgent intake sent 50 times (expected exactly 1)")


def many_intakes(base: str, count: int, problems: list[str]) -> None:
    from alerts.models import Alert
    from intake.models import Intake, Level

    patients = make_patients(count, start=1000)
    browsers = [Browser() for _ in patients]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        opened = list(pool.map(lambda pair: open_link(pair[0], base, pair[1]), zip(browsers, patients, strict=True)))
    for patient in patients:
        fill_in_process(patient)
    prepared = time.monotonic() - started
    if not all(opened):
        problems.append(f"{opened.count(False)} patients could not open their links")

    gate = threading.Event()

    def send(pair) -> int:  # type: ignore[no-untyped-def]
        browser, _patient = pair
        gate.wait()  # every sender lined up, then all at once (64 in flight at any moment)
        return submit(browser, base)

    with ThreadPoolExecutor(max_workers=64) as pool:
        pending = pool.map(send, zip(browsers, patients, strict=True))
        time.sleep(0.5)
        started = time.monotonic()
        gate.set()
        statuses = list(pending)
    seconds = time.monotonic() - started
    ids = [p.invitation_id for p in patients]
    submitted = Intake.objects.filter(invitation_id__in=ids, status=Intake.Status.SUBMITTED)
    alerting = submitted.filter(level__in=[Level.URGENT, Level.SERIOUS])
    alerts = Alert.objects.filter(intake__invitation_id__in=ids)
    per_intake_ok = alerts.values("intake").distinct().count() == alerts.count()
    print(
        f"{count} different intakes sent at once: {submitted.count()} submitted rows, {alerting.count()} urgent or "
        f"serious, {alerts.count()} alerts; {sum(s >= 500 for s in statuses)} server errors; "
        f"set-up {prepared:.1f} s, sending {seconds:.2f} s ({count / seconds:.0f} submissions/s)"
    )
    if submitted.count() != count:
        problems.append(f"{submitted.count()} submitted rows for {count} intakes")
    if alerts.count() != alerting.count() or not per_intake_ok or alerts.count() > count:
        problems.append(f"{alerts.count()} alerts for {alerting.count()} urgent or serious intakes")
    if alerts.exclude(intake__level__in=[Level.URGENT, Level.SERIOUS]).exists():
        problems.append("an alert for a routine or sciatica intake")
    if any(status >= 500 for status in statuses):
        problems.append("server errors while sending")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--intakes", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    problems: list[str] = []
    slow = ""
    started = time.monotonic()
    try:
        with private_postgres() as postgres:
            env = portal_env(postgres.url())
            prepare_database(env)
            django_against(env)
            with gunicorn(env, workers=args.workers, threads=args.threads) as base:
                print(f"gunicorn {args.workers} workers x {args.threads} threads at {base}; private PostgreSQL")
                double_submission(base, problems)
                many_intakes(base, args.intakes, problems)
    except TooSlow as error:  # a problem already found still fails the run
        slow = str(error)
    print(f"total {time.monotonic() - started:.1f} s")
    for problem in problems:
        print("FAIL:", problem)
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    if slow:
        raise TooSlow(slow)
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main))
