"""CSV export of the filtered queue: clinicians only, audited, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from dashboard.export import safe_cell
from tests.dashboard.factories import make_intake

pytestmark = pytest.mark.django_db
EXPORT = reverse("dashboard:export")


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_clinician_exports_the_filtered_list_in_queue_order(client, clinician):
    make_intake("routine_plain", name="Rob Routine")
    make_intake("urgent_saddle_bladder", name="Ann Urgent")
    make_intake("serious_cancer", name="Sue Serious")
    client.force_login(clinician)
    response = client.get(EXPORT, {"level": "urgent"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:3] == ["Intake", "Patient", "Age"]
    assert [row[1] for row in rows[1:]] == ["Ann Urgent"]
    assert rows[1][5] == "Urgent"
    assert "Saddle numbness (CE1)" in rows[1][6]


def test_the_export_is_audited_without_the_searched_name(client, clinician):
    make_intake("routine_plain", name="Maria Delgado")
    client.force_login(clinician)
    client.post(reverse("dashboard:queue-search"), {"name": "Delgado"})
    read_csv(client.get(EXPORT, {"level": "routine"}))
    event = AuditEvent.objects.get(action="exported_intakes")
    assert event.actor_username == "clinician"
    assert "1 rows" in event.detail
    assert "level=routine" in event.detail
    assert "Delgado" not in event.detail


def test_the_trail_finds_an_export_by_any_intake_it_held(client, clinician, administrator):
    exported = [make_intake("routine_plain", name="Rob Routine", seed=n) for n in range(3)]
    left_out = make_intake("urgent_saddle_bladder", name="Ann Urgent")
    client.force_login(clinician)
    read_csv(client.get(EXPORT, {"level": "routine"}))
    event = AuditEvent.objects.get(action="exported_intakes")
    assert sorted(event.intakes.values_list("intake_id", flat=True)) == sorted(intake.pk for intake in exported)

    client.force_login(administrator)
    trail = reverse("dashboard:audit")
    found = client.get(trail, {"intake": exported[1].pk}).content.decode()
    assert 'data-label="What">Exported intakes</td>' in found
    assert 'data-label="What">Exported intakes</td>' not in client.get(trail, {"intake": left_out.pk}).content.decode()


def test_front_desk_and_editors_cannot_export(client, front_desk, editor):
    for user in (front_desk, editor):
        client.force_login(user)
        assert client.get(EXPORT).status_code == 403
    assert not AuditEvent.objects.filter(action="exported_intakes").exists()


def test_a_name_that_looks_like_a_formula_is_exported_as_text(client, clinician):
    make_intake("routine_plain", name='=HYPERLINK("http://evil.example","x")')
    client.force_login(clinician)
    rows = read_csv(client.get(EXPORT))
    assert rows[1][1].startswith("'=HYPERLINK")


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\n=1+1"])
def test_cells_starting_like_a_formula_are_prefixed(value):
    assert safe_cell(value) == "'" + value


def test_ordinary_cells_are_unchanged():
    assert safe_cell("Ann O'Neil") == "Ann O'Neil"
    assert safe_cell(None) == ""


def test_the_new_flags_and_the_rules_version_are_exported(client, clinician):
    from intake.rules.triage import RULES_VERSION

    make_intake("urgent_mscc", name="Mo Mscc")
    make_intake("serious_cord_compression", name="Cy Cord")
    client.force_login(clinician)
    rows = read_csv(client.get(EXPORT))
    by_name = {row[1]: row for row in rows[1:]}
    assert "Possible MSCC (MSCC)" in by_name["Mo Mscc"][6]
    assert "Possible cord compression (CM1)" in by_name["Cy Cord"][6]
    version = rows[0].index("Rules version")
    assert by_name["Mo Mscc"][version] == RULES_VERSION


def test_the_csv_starts_with_a_byte_order_mark_so_spreadsheets_read_accented_names(client, clinician):
    make_intake("routine_plain", name="Zoë Fernández")
    client.force_login(clinician)
    body = b"".join(client.get("/staff/queue/export.csv").streaming_content)
    assert body.startswith("\ufeff".encode())
    assert "Zoë Fernández" in body.decode("utf-8-sig")


def test_a_bad_date_filter_gets_a_message_instead_of_a_server_error_or_an_unfiltered_export(client, clinician):
    client.force_login(clinician)
    page = client.get("/staff/queue/?appointment_to=9999-12-31")
    assert page.status_code == 200
    assert "Enter a date between 1900 and 2199." in page.content.decode()
    export = client.get("/staff/queue/export.csv?appointment_to=9999-12-31")
    assert export.status_code == 400
    assert "Enter a date between 1900 and 2199." in export.content.decode()


def test_times_are_exported_in_the_clinics_time_zone_to_the_minute(client, clinician):
    import datetime

    from django.utils import timezone

    sent = datetime.datetime(2026, 7, 4, 14, 5, 59, tzinfo=datetime.UTC)  # 10:05 in New York (EDT)
    appointment = datetime.datetime(2026, 7, 6, 13, 30, tzinfo=datetime.UTC)
    make_intake("routine_plain", name="Tim Zone", submitted_at=sent, appointment_at=appointment)
    client.force_login(clinician)
    row = read_csv(client.get(EXPORT))[1]
    assert timezone.get_current_timezone_name() == "America/New_York"
    assert (row[3], row[4]) == ("2026-07-06 09:30", "2026-07-04 10:05")
    assert (row[7], row[8], row[9]) == ("No", "", "")


def scores_of(intake) -> list[str]:
    """What the export should show for the questionnaire: each measure's score of `intake`'s answers."""
    from dashboard import scores
    from outcomes.instruments.scoring import score

    found = [score(instrument, intake.answers) for instrument in scores.measures()]
    return ["" if result is None else str(result.value) for result in found]


def test_a_visit_and_its_follow_ups_carry_the_visits_scores_at_each_time_point(client, clinician):
    from tests.dashboard.factories import make_follow_up

    visit = make_intake("routine_plain", name="Vic Visit")
    six_weeks = make_follow_up(visit, "6w", sent_days_ago=60, seed=1)
    make_follow_up(visit, "3m", sent_days_ago=10, answered=False)
    client.force_login(clinician)
    rows = read_csv(client.get(EXPORT))
    header, lines = rows[0], {row[0]: row for row in rows[1:]}
    answered = six_weeks.invitation.intake
    (peg_before, psfs_before), (peg_6w, psfs_6w) = scores_of(visit), scores_of(answered)
    expected = {
        "PEG before the visit": peg_before,
        "PEG 6 weeks": peg_6w,
        "PEG 3 months": "",
        "PSFS before the visit": psfs_before,
        "PSFS 6 weeks": psfs_6w,
        "PSFS 12 months": "",
    }
    assert all((peg_before, peg_6w, psfs_before, psfs_6w))  # all scored: the columns below say something
    for line in (lines[str(visit.pk)], lines[str(answered.pk)]):
        assert {column: line[header.index(column)] for column in expected} == expected
    assert lines[str(visit.pk)][header.index("Questionnaire")] == "Pre-visit intake"
    assert lines[str(answered.pk)][header.index("Questionnaire")] == "Follow-up 6 weeks"


def test_the_trail_finds_an_export_by_a_follow_up_whose_scores_it_held_on_its_visits_line(client, clinician):
    """A line carries its visit's PEG and PSFS at every time point, worked out from the follow-ups' answers; an export
    filtered to the visit alone recorded the visit only, so "who exported this follow-up" found nothing."""
    from tests.dashboard.factories import make_follow_up

    visit = make_intake("urgent_saddle_bladder", name="Una Urgent")
    answered = make_follow_up(visit, "6w", sent_days_ago=60, seed=1).invitation.intake
    client.force_login(clinician)
    rows = read_csv(client.get(EXPORT, {"level": "urgent"}))
    header, lines = rows[0], {row[0]: row for row in rows[1:]}
    assert list(lines) == [str(visit.pk)]
    assert lines[str(visit.pk)][header.index("PEG 6 weeks")] == scores_of(answered)[0] != ""
    event = AuditEvent.objects.get(action="exported_intakes")
    assert sorted(event.intakes.values_list("intake_id", flat=True)) == sorted([visit.pk, answered.pk])


def test_the_lines_are_the_same_whatever_page_a_follow_up_and_its_visit_fall_on(client, clinician, monkeypatch):
    from dashboard import selectors
    from tests.dashboard.factories import make_follow_up

    visits = [make_intake(profile, seed=n) for n, profile in enumerate(["routine_plain", "serious_cancer"])]
    make_follow_up(visits[0], "6w", sent_days_ago=60, seed=1)
    make_follow_up(visits[0], "3m", sent_days_ago=5, seed=2)
    make_follow_up(visits[1], "12m", sent_days_ago=3, trend="worse", seed=3)
    client.force_login(clinician)
    whole = read_csv(client.get(EXPORT))
    monkeypatch.setattr(selectors, "EXPORT_BATCH", 1)
    assert read_csv(client.get(EXPORT)) == whole
    assert len(whole) == 6


def test_answers_that_are_not_a_mapping_leave_the_scores_empty_instead_of_failing(client, clinician):
    from intake.models import Intake

    intake = make_intake("routine_plain", name="Odd Answers")
    Intake.objects.filter(pk=intake.pk).update(answers=["not", "a", "mapping"])
    client.force_login(clinician)
    rows = read_csv(client.get(EXPORT))
    first_score = rows[0].index("PEG before the visit")
    assert rows[1][1] == "Odd Answers"
    assert rows[1][first_score:] == [""] * (len(rows[0]) - first_score)


def test_each_line_gives_the_latest_review_outcome_the_clinics_evidence_for_the_rules(client, clinician):
    from intake.services import mark_reviewed

    tried = make_intake("urgent_bowel", name="Ann Called")
    mark_reviewed(tried, by=clinician, outcome="could_not_reach")
    mark_reviewed(tried, by=clinician, outcome="emergency_care", note="Reached on the second try.")
    mark_reviewed(tried, by=clinician, note="Seen in the ER; discharged.")  # a later note without an outcome
    make_intake("routine_plain", name="Rob Routine")
    client.force_login(clinician)
    rows = read_csv(client.get(EXPORT))
    column = rows[0].index("Last review outcome")
    assert rows[0][column - 1] == "Last reviewed at"
    outcomes = {row[1]: row[column] for row in rows[1:]}
    assert outcomes == {"Ann Called": "Sent to or seen in emergency care", "Rob Routine": ""}


def test_a_bad_filter_is_named_in_the_exports_message(client, clinician):
    """It said "None: Select a valid choice" for a bad level (the stop-30 forms audit)."""
    client.force_login(clinician)
    response = client.get(EXPORT, {"level": "abc"})
    assert response.status_code == 400
    assert response.content.decode().startswith(
        "The export was not made. Level: Choose one of the options in the list."
    )


def test_the_exports_message_does_not_repeat_what_the_address_held(client, clinician):
    """Django's message quoted the value ("Select a valid choice. <value> is not one of the available choices."), so
    the 400 page echoed anything pasted into the address, a patient's name included (the stop-32 privacy audit)."""
    client.force_login(clinician)
    typed = "Maria Delgado 1970-01-02"
    response = client.get(EXPORT, {"level": typed, "flag": typed, "reviewed": typed})
    assert response.status_code == 400
    body = response.content.decode()
    assert typed not in body
    assert "Level: Choose one of the options in the list." in body
    assert "Red flag: Choose one of the options in the list." in body


def test_a_form_new_red_flags_took_out_of_reviewed_shows_its_last_review_as_the_last(client, clinician):
    """The line read "Reviewed: No" beside "Reviewed by", "Reviewed at" and the old review's same-day call, as if the
    new saddle-numbness flag had been answered by it (the stop-34 audit): the columns say they hold the last review."""
    from django.utils import timezone

    from intake.models import Intake
    from intake.services import mark_reviewed, record_red_flags

    intake = make_intake("urgent_bowel", safety_only=True, name="Rae Reopened")
    mark_reviewed(intake, by=clinician, outcome="same_day_call_advice")
    record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=timezone.now())
    client.force_login(clinician)
    rows = read_csv(client.get(EXPORT))
    cells = dict(zip(rows[0], next(row for row in rows[1:] if row[1] == "Rae Reopened"), strict=False))
    assert cells["Reviewed"] == "No"
    assert cells["Last review outcome"] == "Called the same day and advised"
    assert cells["Last reviewed by"]
    assert cells["Last reviewed at"]
    assert not {"Reviewed by", "Reviewed at", "Review outcome"} & set(rows[0])


def test_a_cancelled_visit_says_when_it_was_cancelled_in_the_last_column(client, clinician):
    """The queue, the intake and the patient pages said "Visit cancelled"; the export did not. The column comes last:
    spreadsheets that read the columns by position keep reading the same ones."""
    import datetime

    from intake.services import cancel_visit

    appointment = datetime.datetime(2026, 7, 6, 13, 30, tzinfo=datetime.UTC)
    cancelled = make_intake("routine_plain", name="Cal Cancelled", appointment_at=appointment)
    make_intake("routine_plain", name="Kim Kept", appointment_at=appointment)
    assert cancel_visit(cancelled.invitation, now=datetime.datetime(2026, 7, 4, 14, 5, 59, tzinfo=datetime.UTC))
    client.force_login(clinician)
    rows = read_csv(client.get(EXPORT))
    assert rows[0][-1] == "Visit cancelled"
    assert rows[0][-2] == "PSFS 12 months"  # after every column the export had before
    assert {row[1]: row[-1] for row in rows[1:]} == {"Cal Cancelled": "2026-07-04 10:05", "Kim Kept": ""}


def test_an_export_from_a_list_whose_name_search_has_ended_is_refused_not_widened_to_everyone(client, clinician):
    """The queue keeps one name search a session: a search made in another tab ended the one an older tab showed,
    and that tab's "Export this list (CSV)" exported every patient of the clinic instead of the one searched for."""
    make_intake("routine_plain", name="Maria Delgado")
    make_intake("routine_plain", name="James Whitfield")
    make_intake("routine_plain", name="Ann Other")
    client.force_login(clinician)
    first = client.post(reverse("dashboard:queue-search"), {"name": "delgado"})["Location"]
    client.post(reverse("dashboard:queue-search"), {"name": "whitfield"})  # another tab
    response = client.get(EXPORT, {"search": first.split("search=")[1]})
    assert response.status_code == 400
    body = response.content.decode()
    assert body.startswith("The export was not made.")
    assert "search again" in body
    assert "Other" not in body
    assert not AuditEvent.objects.filter(action="exported_intakes").exists()
