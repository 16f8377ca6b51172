"""The queue and the CSV export with follow-ups (issue 12): follow-ups named as such, phones and the "call today"
banner, the search by a patient's reference (issue 14), and the scores per time point in the export."""

from __future__ import annotations

import pytest
from django.urls import reverse

from intake.references import reference_for
from intake.rules.answers import from_json
from outcomes import registry
from outcomes.instruments.scoring import score
from tests.dashboard.factories import make_follow_up, make_intake
from tests.dashboard.test_export import read_csv

pytestmark = pytest.mark.django_db
QUEUE = reverse("dashboard:queue")
EXPORT = reverse("dashboard:export")


def search(client, text: str) -> list[str]:
    location = client.post(reverse("dashboard:queue-search"), {"name": text})["Location"]
    return [row.patient_name for row in client.get(location).context["rows"]]


def test_a_follow_up_shows_in_the_queue_as_a_follow_up_with_its_time_point(client, clinician):
    visit = make_intake("routine_plain", name="Fay Follow")
    make_follow_up(visit, "6w")
    client.force_login(clinician)
    rows = client.get(QUEUE).context["rows"]
    assert sorted(row.questionnaire for row in rows if row.patient_name == "Fay Follow") == ["", "Follow-up 6 weeks"]
    assert "Follow-up 6 weeks" in client.get(QUEUE).content.decode()


@pytest.mark.parametrize("role", ["clinician", "front_desk"])
def test_the_call_today_banner_gives_the_urgent_patients_number_as_a_link(client, request, role):
    make_intake("urgent_saddle_bladder", name="Ann Urgent", phone="+12015550142")
    make_intake("routine_plain", name="Rob Routine", phone="+12015550199")
    client.force_login(request.getfixturevalue(role))
    html = client.get(QUEUE).content.decode()
    banner = html[html.index('class="urgent-banner"') :]
    banner = banner[: banner.index("</div>")]
    assert "Ann Urgent" in banner
    assert '<a class="phone-link text-nowrap" href="tel:+1-201-555-0142">(201) 555-0142</a>' in banner
    assert "555-0199" not in banner


def test_the_banner_says_when_an_urgent_patient_has_no_phone(client, clinician):
    make_intake("urgent_saddle_bladder", name="Ann Urgent")
    client.force_login(clinician)
    assert "no phone number on file" in client.get(QUEUE).content.decode()


def test_queue_rows_show_the_phone_to_front_desk_and_clinicians(client, front_desk):
    make_intake("routine_plain", name="Rob Routine", phone="+12015550199")
    client.force_login(front_desk)
    html = client.get(QUEUE).content.decode()
    assert 'href="tel:+1-201-555-0199"' in html


def test_the_search_finds_an_intake_by_the_reference_the_patient_quotes(client, clinician):
    make_intake("routine_plain", name="Rob Routine")
    wanted = make_intake("routine_plain", name="Quinn Quoted")
    client.force_login(clinician)
    reference = reference_for(wanted.pk)
    assert search(client, reference) == ["Quinn Quoted"]
    assert search(client, reference.lower().replace("-", " ")) == ["Quinn Quoted"]
    assert search(client, "quinn") == ["Quinn Quoted"]  # names still work


def test_a_reference_of_no_intake_finds_nothing(client, clinician):
    intake = make_intake("routine_plain", name="Rob Routine")
    client.force_login(clinician)
    assert search(client, reference_for(intake.pk + 1000)) == []


def test_the_export_has_scores_per_time_point_for_each_visit(client, clinician):
    visit = make_intake("routine_plain", name="Pat Scores")
    answered = make_follow_up(visit, "6w").invitation.intake
    make_follow_up(visit, "3m", answered=False, sent_days_ago=1)
    client.force_login(clinician)
    rows = read_csv(client.get(EXPORT))
    header = rows[0]
    for column in ("Questionnaire", "PEG before the visit", "PEG 6 weeks", "PEG 3 months", "PEG 12 months"):
        assert column in header
    assert "PSFS before the visit" in header
    assert "PSFS 12 months" in header
    peg, psfs = registry.instrument("peg"), registry.instrument("psfs")
    by_questionnaire = {row[header.index("Questionnaire")]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_questionnaire) == {"Pre-visit intake", "Follow-up 6 weeks"}
    for line in by_questionnaire.values():  # both rows carry the visit's scores
        assert line["PEG before the visit"] == scored(peg, visit)
        assert line["PEG 6 weeks"] == scored(peg, answered)
        assert line["PSFS 6 weeks"] == scored(psfs, answered)
        assert line["PEG 3 months"] == ""  # sent, not answered


def scored(instrument, intake) -> str:
    """The score as the CSV writes it."""
    found = score(instrument, from_json(intake.answers))
    assert found is not None
    return str(found.value)
