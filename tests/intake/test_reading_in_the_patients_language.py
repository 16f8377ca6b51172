"""The reading list speaks the patient's language: a Spanish-speaking patient's receipt and confirmation e-mail name
each recommended article by its Spanish title when the article has an up-to-date translation (the starter library
ships one for every article), and by its English title otherwise."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils.html import escape

from education.models import Article, ArticleTranslation
from education.services import load_starter_library
from intake.models import Intake
from tests.education.factories import approve_translations
from tests.intake.conftest import Patient, answer_up_to
from tests.intake.factories import make_invitation, routine_answers
from tests.module_data import built_for_module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def library_in_spanish(django_db_setup, django_db_blocker):
    """The starter library with its Spanish translations approved, loaded once for the module (about 1.6 s a load here):
    each test's changes are rolled back to it (tests/module_data.py)."""

    def build() -> None:
        load_starter_library()
        approve_translations()

    yield from built_for_module(django_db_blocker, build)


@pytest.fixture
def spanish_patient(client, library_in_spanish) -> Patient:
    invitation, token = make_invitation(language="es")
    patient = Patient(client, token)
    patient.invitation = invitation
    patient.sign_in()
    assert patient.agree().status_code == 302
    return patient


def _sent(patient: Patient) -> Intake:
    patient.save_all(routine_answers())
    assert patient.client.post("/intake/review/")["Location"] == "/intake/done/"
    return Intake.objects.get(invitation=patient.invitation)


def _spanish_title(slug: str) -> str:
    return ArticleTranslation.objects.get(article__slug=slug, language="es").title


def test_a_spanish_patients_receipt_and_email_name_the_articles_in_spanish(spanish_patient):
    intake = _sent(spanish_patient)
    first = intake.recommended_articles[0]
    receipt = spanish_patient.client.get("/intake/done/").content.decode()
    assert _spanish_title(first) in receipt
    assert Article.objects.get(slug=first).title not in receipt
    [email] = [message for message in mail.outbox if message.to == [spanish_patient.invitation.email]][-1:]
    assert _spanish_title(first) in email.body


def test_an_article_whose_english_changed_since_its_translation_keeps_its_english_title(spanish_patient):
    intake = _sent(spanish_patient)
    first = Article.objects.get(slug=intake.recommended_articles[0])
    first.title = "A title an editor changed"
    first.save()
    receipt = spanish_patient.client.get("/intake/done/").content.decode()
    assert "A title an editor changed" in receipt  # the page would show the English, with the notice, too


def test_an_english_title_on_a_spanish_receipt_is_marked_english_and_the_spanish_ones_are_not(spanish_patient):
    """A screen reader says an unmarked English title with Spanish sounds (WCAG 3.1.2), as the library's own lists
    mark the English they fall back to."""
    intake = _sent(spanish_patient)
    first, *others = intake.recommended_articles
    assert others  # a Spanish title beside the English one
    english = Article.objects.get(slug=first)
    english.title = "A title an editor changed"
    english.save()
    receipt = spanish_patient.client.get("/intake/done/").content.decode()
    assert f'<li lang="en"><a href="/articles/{first}/">A title an editor changed</a></li>' in receipt
    for slug in others:
        assert f'<li><a href="/articles/{slug}/">{escape(_spanish_title(slug))}</a></li>' in receipt


def test_a_spanish_patient_reads_sitting_and_getting_up_as_the_english_means_them(client):
    """Among what makes the pain worse, "Sitting" (being seated) was "Sentarse" (sitting down) and "Standing up"
    (getting up) was "Estar de pie" (being on one's feet): the two read the other way round (stop-32 audit)."""
    invitation, token = make_invitation(language="es")
    patient = Patient(client, token)
    patient.invitation = invitation
    patient.sign_in()
    assert patient.agree().status_code == 302
    answer_up_to(patient, "back_pain_where", routine_answers())

    page = patient.client.get("/intake/step/back_pain_where/").content.decode()

    assert ">Estar sentado<" in page
    assert ">Ponerse de pie<" in page


def test_a_language_picked_on_the_birth_date_page_becomes_the_links_once_the_birth_date_is_right(client):
    """Invited in English, the patient picks Español on the first page they see (the birth date), types it right and
    answers in Spanish: after "Exit" the link opens in Spanish and their e-mails are written in it. A pick there
    changed only the browser's cookie, and the link opened in English again."""
    from tests.intake.factories import BIRTH_DATE

    invitation, token = make_invitation(language="en")
    client.get(f"/intake/start/{token}/")
    client.post(
        "/i18n/setlang/", {"language": "es", "next": "/intake/confirm/"}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert "Primero, confirme que es usted" in client.get("/intake/confirm/").content.decode()
    date = {f"date_of_birth-{part}": getattr(BIRTH_DATE, part) for part in ("month", "day", "year")}
    assert client.post("/intake/confirm/", date).status_code == 302
    client.post("/intake/exit/")

    page = client.get(client.get(f"/intake/start/{token}/")["Location"]).content.decode()
    assert "Primero, confirme que es usted" in page
    invitation.refresh_from_db()
    assert invitation.language == "es"


def test_a_language_picked_before_a_wrong_birth_date_changes_only_the_browser(client):
    from tests.intake.factories import BIRTH_DATE

    invitation, token = make_invitation(language="en")
    client.get(f"/intake/start/{token}/")
    client.post(
        "/i18n/setlang/", {"language": "es", "next": "/intake/confirm/"}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    wrong = {"date_of_birth-month": BIRTH_DATE.month, "date_of_birth-day": BIRTH_DATE.day, "date_of_birth-year": 1990}
    assert client.post("/intake/confirm/", wrong).status_code == 200
    invitation.refresh_from_db()
    assert invitation.language == "en"


def test_a_library_address_naming_a_language_opened_before_the_birth_date_leaves_the_invitations_language(client):
    """Any page can link to the library with `?lang=es`, and opening it sets the language cookie (without the check
    of where a switch comes from: clinic_portal.language_choice). Followed between opening the link and typing the
    birth date, it made the invitation Spanish: its e-mails and its link. It changes the words of the pages only."""
    from tests.intake.factories import BIRTH_DATE

    invitation, token = make_invitation(language="en")
    client.get(f"/intake/start/{token}/")
    assert client.get("/?lang=es").cookies["django_language"].value == "es"  # a link from anywhere
    date = {f"date_of_birth-{part}": getattr(BIRTH_DATE, part) for part in ("month", "day", "year")}
    assert client.post("/intake/confirm/", date).status_code == 302

    invitation.refresh_from_db()
    assert invitation.language == "en"
