"""A bounded load test on loopback: article reads, searches, whole patient intakes and staff dashboards, mixed.

Threads (default 8) loop for --seconds (default 120) against gunicorn and a private PostgreSQL. Each thread's first
action is a whole patient intake (so every run sends some), then the mix below. Every answer is checked (status, and
for intakes that the send landed on the done page); at the end every intake the script sent is looked up in the
database. Prints requests, errors, lost submissions and latency percentiles; both errors and lost submissions must be
zero (exit 1 otherwise). Latency is reported, never judged: a request with no answer within the harness's bound is
reported on a `TOO SLOW:` line (exit 75). No locust dependency: urllib and threads.

Run: `.venv/bin/python reliability/load.py [--seconds 120] [--threads 8] [--workers 4] [--patients N]`
(--patients: invitations made up front, default 200 per thread; a run stops sending intakes when they run out)
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reliability.harness import (
    Answer,
    Browser,
    TooSlow,
    gunicorn,
    portal_env,
    prepare_database,
    private_postgres,
    run_main,
)
from reliability.patients import django_against, fill_over_http, make_patients, open_link, send

STAFF_PASSWORD = "load-test-staff-password-2026"  # noqa: S105 - throwaway accounts in a throwaway database
SEARCHES = ["sciatica", "running", "back pain", "scan", "core", "shoes", "numb", "zzzz-nothing"]
DONE = "/intake/done/"
MIX = [("article", 40), ("search", 20), ("intake", 15), ("queue", 15), ("intake_detail", 10)]


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = Counter[str]()
        self.errors: list[str] = []
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.sent: list[int] = []
        self.slow: list[str] = []

    def seen(self, kind: str, answer, ok: bool) -> None:  # type: ignore[no-untyped-def]
        with self.lock:
            self.requests[kind] += 1
            self.latency[kind].append(answer.seconds)
            if not ok:
                self.errors.append(f"{kind} {answer.url} -> {answer.status}")


def make_staff() -> str:
    """A front-desk and a clinician account, made in this process (Django set up against the private server);
    returns the clinician's authenticator key (hex)."""
    from django.contrib.auth.models import Group, User
    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = "3132333435363738393031323334353637383930"
    desk = User.objects.create_user("load-desk", password=STAFF_PASSWORD)
    desk.groups.add(Group.objects.get(name="Front desk"))
    clinician = User.objects.create_user("load-clinician", password=STAFF_PASSWORD)
    clinician.groups.add(Group.objects.get(name="Clinicians"))
    TOTPDevice.objects.create(user=clinician, name="app", confirmed=True, key=key)
    return key


def sign_in(browser: Browser, base: str, username: str, *, totp_key: str | None = None) -> bool:
    browser.request(f"{base}/staff/sign-in/")
    answer = browser.request(
        f"{base}/staff/sign-in/",
        {"csrfmiddlewaretoken": browser.csrf_token(), "username": username, "password": STAFF_PASSWORD},
    )
    if totp_key:
        from binascii import unhexlify

        from django_otp.oath import totp

        code = str(totp(unhexlify(totp_key))).zfill(6)
        answer = browser.request(
            f"{base}/staff/sign-in/code/", {"csrfmiddlewaretoken": browser.csrf_token(), "code": code}
        )
    return answer.status == 302 and "/staff/sign-in/" not in answer.headers.get("Location", "")


def run(base: str, seconds: float, threads: int, tally: Tally, *, totp_key: str, patient_count: int) -> None:
    from education.models import Article
    from intake.models import Intake

    article_paths = [f"/articles/{slug}/" for slug in Article.objects.values_list("slug", flat=True)] or ["/articles/"]
    patients = make_patients(patient_count, start=10_000)
    pool = iter(patients)
    pool_lock = threading.Lock()
    desk = Browser()
    clinician = Browser()
    if not sign_in(desk, base, "load-desk") or not sign_in(clinician, base, "load-clinician", totp_key=totp_key):
        tally.errors.append("staff could not sign in")
        return
    deadline = time.monotonic() + seconds

    def worker(seed: int) -> None:
        try:
            actions(seed)
        except TooSlow as error:
            with tally.lock:
                tally.slow.append(str(error))

    def actions(seed: int) -> None:
        rng = random.Random(seed)
        kinds = [kind for kind, weight in MIX for _ in range(weight)]
        first = True
        while time.monotonic() < deadline:
            kind = "intake" if first else rng.choice(kinds)
            first = False
            if kind == "article":
                answer = Browser().request(base + rng.choice(article_paths))
                tally.seen(kind, answer, answer.status == 200)
            elif kind == "search":
                answer = Browser().request(f"{base}/search/?q={rng.choice(SEARCHES).replace(' ', '+')}")
                tally.seen(kind, answer, answer.status == 200)
            elif kind == "queue":
                answer = desk.request(f"{base}/staff/queue/")
                tally.seen(kind, answer, answer.status == 200)
            elif kind == "intake_detail":
                with tally.lock:
                    sent = list(tally.sent[-20:])
                if not sent:
                    continue
                intake_id = Intake.objects.filter(invitation_id=rng.choice(sent)).values_list("pk", flat=True).first()
                answer = clinician.request(f"{base}/staff/intakes/{intake_id}/")
                tally.seen(kind, answer, answer.status == 200)
            else:
                with pool_lock:
                    patient = next(pool, None)
                if patient is None:
                    continue
                browser = Browser()
                started = time.monotonic()
                ok = open_link(browser, base, patient)
                statuses = fill_over_http(browser, base, patient) if ok else []
                receipt = send(browser, base) if ok else None
                # Every step must move on (a 200 is the form shown again with errors) and the send must land on the
                # done page (the review page sends an incomplete intake back to a step, also with a 302).
                landed = (
                    receipt is not None and receipt.status == 302 and receipt.headers.get("Location", "").endswith(DONE)
                )
                ok = ok and all(s == 302 for s in statuses) and landed
                where = f"intake #{patient.number}: steps {statuses}, send " + (
                    f"{receipt.status} to {receipt.headers.get('Location')}" if receipt else "not reached"
                )
                tally.seen(
                    kind, Answer(receipt.status if receipt else 0, time.monotonic() - started, {}, "", where), ok
                )
                if landed:
                    with tally.lock:
                        tally.sent.append(patient.invitation_id)

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--patients", type=int, default=None, help="invitations made up front (200 per thread)")
    args = parser.parse_args()
    patient_count = args.patients if args.patients is not None else args.threads * 200
    tally = Tally()
    with private_postgres() as postgres:
        env = portal_env(postgres.url())
        prepare_database(env)
        # In this process: two `manage.py` runs would each start Django again (a second or more apiece).
        django_against(env)
        from django.core.management import call_command

        call_command("load_articles", stdout=io.StringIO())
        totp_key = make_staff()
        from intake.models import Intake

        with gunicorn(env, workers=args.workers, threads=2) as base:
            print(f"load for {args.seconds:.0f} s with {args.threads} threads against {base} ({args.workers} workers)")
            started = time.monotonic()
            run(base, args.seconds, args.threads, tally, totp_key=totp_key, patient_count=patient_count)
            elapsed = time.monotonic() - started
        submitted = Intake.objects.filter(invitation_id__in=tally.sent, status=Intake.Status.SUBMITTED).count()
    lost = len(tally.sent) - submitted
    total = sum(tally.requests.values())
    print(f"{total} actions in {elapsed:.0f} s ({total / elapsed:.0f}/s); an intake action is a whole patient visit")
    for kind, _weight in MIX:
        times = sorted(tally.latency[kind]) or [0.0]
        p95 = times[int(len(times) * 0.95) - 1] if len(times) > 1 else times[0]
        print(
            f"  {kind:<14} {tally.requests[kind]:>6}  median {statistics.median(times) * 1000:6.0f} ms  "
            f"p95 {p95 * 1000:6.0f} ms"
        )
    print(f"intakes sent {len(tally.sent)}, found submitted {submitted}, lost {lost}")
    print(f"errors {len(tally.errors)}")
    for error in tally.errors[:20]:
        print("  ", error)
    if not tally.errors and lost == 0 and tally.slow:  # wrong answers and lost submissions fail whatever the speed
        raise TooSlow(f"{len(tally.slow)} thread(s) got no answer in time, e.g. {tally.slow[0]}")
    ok = not tally.errors and lost == 0 and len(tally.sent) > 0
    print("OK" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(run_main(main))
