"""The review outcomes report: per rules version and flag, how often each outcome followed; for exporters only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from dashboard import outcome_report
from intake.rules.triage import RULES_VERSION
from intake.services import mark_reviewed
from tests.dashboard.factories import make_intake

pytestmark = pytest.mark.django_db
REPORT = reverse("dashboard:outcome-report")


def table(response) -> dict[tuple[str, str], dict[str, int]]:
    """(rules version, flag code or "" for every reviewed intake) -> reviewed and each outcome's count."""
    outcomes = [code for code, _short, _full in response.context["outcomes"]]
    rows = {}
    for version in response.context["versions"]:
        for row in [version.everyone, *version.flags]:
            counts = dict(zip(outcomes, row.outcomes, strict=True))
            rows[version.rules_version, row.code] = {"reviewed": row.reviewed, **counts}
    return rows


@pytest.fixture
def reviews(clinician):
    """Four intakes of this rules version, one of an older version, and one review without an outcome."""
    bladder = make_intake("urgent_saddle_bladder")  # CE1, CE3
    mark_reviewed(bladder, by=clinician, outcome="emergency_care")
    bowel = make_intake("urgent_bowel")  # CE5: not reached first, then reviewed
    mark_reviewed(bowel, by=clinician, outcome="could_not_reach")
    mark_reviewed(bowel, by=clinician, outcome="could_not_reach")
    mark_reviewed(bowel, by=clinician, outcome="emergency_care", note="Reached on the third try.")
    saddle = make_intake("urgent_saddle_bladder", seed=1)  # CE1, CE3
    mark_reviewed(saddle, by=clinician, outcome="other", note="Already under the spinal team.")
    cancer = make_intake("serious_cancer")  # SP1; a note added later carries no outcome
    mark_reviewed(cancer, by=clinician, outcome="same_day_call_advice")
    mark_reviewed(cancer, by=clinician, note="Bloods normal.")
    old = make_intake("serious_cancer", rules_version="2026.1")
    mark_reviewed(old, by=clinician, outcome="routine_appointment")
    mark_reviewed(make_intake("routine_plain"), by=clinician, note="Nothing to add.")


def test_the_report_counts_intakes_per_flag_and_rules_version_for_each_outcome(client, clinician, reviews):
    client.force_login(clinician)
    response = client.get(REPORT)
    assert response.status_code == 200
    rows = table(response)
    current = {code: counts for (version, code), counts in rows.items() if version == RULES_VERSION}
    assert current[""]["reviewed"] == 4
    assert current["CE1"]["reviewed"] == 2
    assert (current["CE1"]["emergency_care"], current["CE1"]["other"]) == (1, 1)
    assert current["CE3"] == current["CE1"]
    assert current["CE5"]["reviewed"] == 1
    # Two failed calls on one intake count once; it was reviewed afterwards, so it counts there too.
    assert (current["CE5"]["could_not_reach"], current["CE5"]["emergency_care"]) == (1, 1)
    assert current["SP1"] == {**dict.fromkeys(current["SP1"], 0), "reviewed": 1, "same_day_call_advice": 1}
    assert rows["2026.1", "SP1"]["routine_appointment"] == 1
    assert rows["2026.1", ""]["reviewed"] == 1
    # Newest version first; in it the total row, then the flags in triage order (urgent before serious).
    versions = response.context["versions"]
    assert [v.rules_version for v in versions] == [RULES_VERSION, "2026.1"]
    assert [row.code for row in versions[0].flags] == ["CE1", "CE3", "CE5", "SP1"]
    html = response.content.decode()
    assert "Screening support, not diagnosis." in html
    assert 'class="flag-chip flag-urgent">Saddle numbness</span>' in html


def test_the_database_count_matches_the_same_count_done_in_python(reviews):
    assert outcome_report.outcome_counts() == outcome_report.outcome_counts(in_python=True)


def test_the_counts_take_the_same_few_queries_however_many_reviews(clinician, django_assert_num_queries):
    for seed in range(6):
        mark_reviewed(make_intake("urgent_bowel", seed=seed), by=clinician, outcome="emergency_care")
    with django_assert_num_queries(3):
        outcome_report.outcome_counts()


def test_with_no_outcomes_yet_the_report_says_so(client, clinician):
    client.force_login(clinician)
    assert "No review has recorded an outcome yet." in client.get(REPORT).content.decode()


def test_the_report_is_audited_and_never_cached(client, clinician, reviews):
    client.force_login(clinician)
    response = client.get(REPORT)
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="viewed_outcome_report")  # not filed as an export of intakes
    assert event.get_action_display() == "Viewed the review outcomes report"
    assert event.actor_username == "clinician"
    assert event.detail.startswith("5 reviewed intakes, 2 rules versions")
    assert not AuditEvent.objects.filter(action="exported_intakes").exists()


def test_front_desk_and_content_editors_are_refused_and_nobody_signed_out_sees_it(client, front_desk, editor, reviews):
    for user in (front_desk, editor):
        client.force_login(user)
        assert client.get(REPORT).status_code == 403
    client.logout()
    response = client.get(REPORT)
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in/")
    assert not AuditEvent.objects.filter(action="viewed_outcome_report").exists()


def test_the_queue_links_to_the_report_only_for_those_who_may_open_it(client, clinician, front_desk):
    client.force_login(clinician)
    assert REPORT in client.get(reverse("dashboard:queue")).content.decode()
    client.force_login(front_desk)
    assert REPORT not in client.get(reverse("dashboard:queue")).content.decode()
