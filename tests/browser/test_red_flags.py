"""Rules 2027.1 in a real browser at phone width: a red flag acts at once whatever else is wrong on the page, a later
"no" does not erase it, a cancer patient with nerve symptoms gets the spinal-cord emergency page, and every receipt
carries the warning signs (docs/clinical/TRIAGE.md, "Latched red flags and partial pages", "What the patient is told").
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from alerts import services as alert_services
from alerts.models import Alert
from intake import services
from intake.models import Intake, Level
from intake.rules.questionnaire import STEP_SLUGS
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible
from tests.browser.intake_helpers import confirm_birth_date, patient_client
from tests.intake.factories import BIRTH_DATE, make_invitation, routine_answers

pytestmark = pytest.mark.django_db(transaction=True)


def _pick(page, code: str, value: str) -> None:
    page.check(f'input[name="{code}"][value="{value}"]')


def _next(page) -> None:
    page.get_by_role("button", name="Next").click()
    page.wait_for_load_state()


def _open_as_patient(open_page, token: str):
    """The patient's phone on the form's first page, the link opened, the birth date confirmed and the agreement
    given (by the test client: those steps in the browser are test_intake*.py's)."""
    page = open_page("/intake/", PHONE, client=patient_client(token))
    assert page.url.endswith("/intake/step/safety/"), page.url
    assert_accessible(page)
    return page


def _answered_up_to(open_page, step: str, **changes: object):
    """The patient's phone, which opened the link and agreed first (so answers given since open on it without an
    emailed code), on an intake whose steps before `step` were then answered through the services."""
    invitation, token = make_invitation()
    page = _open_as_patient(open_page, token)
    intake = services.start_intake(invitation)
    answers = routine_answers(**changes)
    for slug in STEP_SLUGS[: STEP_SLUGS.index(step)] if step in STEP_SLUGS else STEP_SLUGS:
        services.save_step(intake, slug, answers, now=timezone.now())
    page.goto("/intake/")
    assert_accessible(page)
    return intake, page


def test_a_not_sure_bladder_answer_on_an_otherwise_blank_page_brings_the_emergency_page_one_alert_and_back_to_the_form(
    open_page, screenshot, clinician, settings
):
    """One walk for what two tests walked the same way: the emergency page at once, its one alert and the queue, then
    the acknowledgement that leads back to the form with the "not sure" kept."""
    settings.ALERT_EMAILS = ["on-call@clinic.example"]
    invitation, token = make_invitation(name="Robin Blank")
    page = _open_as_patient(open_page, token)
    assert page.get_by_role("heading", name="Safety check", exact=True).is_visible(), page.url
    assert page.get_by_text("Step 1 of 7").is_visible()
    for code in ("ce_saddle_numbness", "ce_wiping_sensation"):
        _pick(page, code, "no")
    _next(page)
    assert_accessible(page)
    _pick(page, "ce_urine_start_difficulty", "not_sure")  # every other question on its page left blank
    _next(page)

    assert page.get_by_role("heading", name="Get medical help now").is_visible()
    assert page.get_by_text("cauda equina syndrome").first.is_visible()
    assert page.get_by_role("link", name="911").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the emergency page is too wide"
    assert_accessible(page)
    screenshot(page, "red-flags-phone-a-emergency")
    screenshot(page, "intake-phone-emergency")
    intake = Intake.objects.get(invitation=invitation)
    assert intake.level == Level.URGENT
    [alert] = Alert.objects.filter(intake=intake)
    assert alert_services.send(alert.pk) == Alert.Status.SENT

    queue = open_page("/staff/queue/", DESKTOP, user=clinician)
    assert_accessible(queue)
    top = queue.locator(".queue-table tbody tr").first
    assert "Robin Blank" in top.inner_text()
    assert "URGENT" in top.locator(".level-badge").inner_text().upper()

    # Back to the form: not without ticking the box; then on the same page, the "not sure" kept.
    page.get_by_role("button", name="I am getting help: back to the form").click()
    page.locator(".error-summary").wait_for()  # the answer to the post, not the page it left
    # The focus (and so the view, on a phone) moves to the summary by the box, below the emergency message.
    assert page.evaluate("document.activeElement.classList.contains('error-summary')"), "the message is out of view"
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#error_acknowledged").is_visible(), "no message next to the box"
    assert_accessible(page)
    page.check("#id_acknowledged")
    page.get_by_role("button", name="I am getting help: back to the form").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Your bladder and bowels", exact=True).is_visible(), page.url
    assert page.get_by_text("Step 1 of 7").is_visible()
    assert_accessible(page)
    assert page.is_checked('input[name="ce_urine_start_difficulty"][value="not_sure"]'), "the not-sure answer was lost"


def test_a_cancer_patient_with_leg_numbness_sees_the_spinal_cord_emergency_page_not_the_cauda_equina_one(
    open_page, screenshot
):
    intake, page = _answered_up_to(
        open_page,
        "general_health",
        leg_symptoms="yes",
        leg_side="left",
        leg_pain_lowest_point="thigh",
        worse_back_or_leg="back",
        leg_numbness_tingling="yes",
        leg_weakness="no",
        sitting_eases="no",
    )
    assert page.get_by_text("Step 5 of 7").is_visible()
    _pick(page, "cancer_history", "yes")  # the rest of the page left blank
    _next(page)

    assert page.get_by_role("heading", name="Get medical help now").is_visible()
    assert page.get_by_text("spinal cord").first.is_visible()
    body = page.locator("main").inner_text()
    assert "cauda equina" not in body.lower()
    assert "bladder" not in body.lower()
    assert_accessible(page)
    screenshot(page, "red-flags-phone-c-mscc")
    intake.refresh_from_db()
    assert intake.level == Level.URGENT
    assert "MSCC" in set(intake.flags.values_list("code", flat=True))


def test_a_routine_receipt_shows_the_warning_signs_with_the_clinics_emergency_number(open_page, screenshot, settings):
    settings.CLINIC_EMERGENCY_NUMBER = "999"
    intake, page = _answered_up_to(open_page, "review")
    assert page.get_by_role("heading", name="Check your answers").is_visible()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()
    assert_accessible(page)

    signs = page.locator(".signs-box")
    assert signs.get_by_role("heading", name="Warning signs: get help at once").is_visible()
    assert signs.get_by_role("link", name="999").is_visible()
    assert "911" not in signs.inner_text()
    screenshot(page, "red-flags-phone-d-routine-receipt")
    intake.refresh_from_db()
    assert intake.level == Level.ROUTINE


def test_a_saddle_numbness_yes_taken_back_stays_urgent_until_a_clinician_reviews_it_with_an_outcome(
    open_page, screenshot, clinician
):
    invitation, token = make_invitation(name="Sam Takeback")
    page = _open_as_patient(open_page, token)
    _pick(page, "ce_wiping_sensation", "no")
    _pick(page, "ce_saddle_numbness", "yes")
    _next(page)
    assert page.get_by_role("heading", name="Get medical help now").is_visible()
    assert_accessible(page)
    page.check("#id_acknowledged")
    page.get_by_role("button", name="I am getting help: back to the form").click()
    page.wait_for_load_state()

    # Back to the first safety page: "no" now, then the rest of the form, then send.
    page.goto("/intake/step/safety/")
    assert_accessible(page)
    _pick(page, "ce_saddle_numbness", "no")
    _next(page)
    assert page.get_by_role("heading", name="Your bladder and bowels").is_visible()
    assert_accessible(page)
    intake = Intake.objects.get(invitation=invitation)
    for slug in STEP_SLUGS:
        services.save_step(intake, slug, routine_answers(), now=timezone.now())
    page.goto("/intake/review/")
    assert_accessible(page)
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()
    intake.refresh_from_db()
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.level == Level.URGENT

    assert_accessible(page)
    staff = open_page("/staff/queue/", DESKTOP, user=clinician)
    assert_accessible(staff)
    top = staff.locator(".queue-table tbody tr").first
    assert "Sam Takeback" in top.inner_text()
    assert "URGENT" in top.locator(".level-badge").inner_text().upper()
    top.get_by_role("link", name="Sam Takeback").click()
    staff.wait_for_url("**/staff/intakes/*/")
    assert_accessible(staff)
    answers = staff.locator("table.red-flag-answers")
    assert "Yes" in answers.inner_text()
    assert "Counts until reviewed with an outcome" in answers.inner_text()
    assert answers.get_by_text("No", exact=True).is_visible()  # the later "no", with its time
    screenshot(staff, "red-flags-desktop-b-both-answers")

    staff.get_by_label("Sent to or seen in emergency care").check()
    staff.get_by_role("button", name="Mark reviewed").click()
    staff.wait_for_load_state()
    assert_accessible(staff)
    assert "Cleared by" in staff.locator("table.red-flag-answers").inner_text()
    intake.refresh_from_db()
    assert intake.is_reviewed
    assert "CE1" not in set(intake.flags.values_list("code", flat=True))
    assert intake.level == Level.ROUTINE


def test_clumsy_hands_alone_on_their_page_after_a_cancer_history_bring_the_spinal_cord_page(open_page, screenshot):
    intake, page = _answered_up_to(open_page, "general_health", cancer_history="yes")
    assert page.get_by_text("Step 5 of 7").is_visible()
    for code in ("cancer_history", "weight_loss", "fever_unwell", "iv_drug_use"):
        _pick(page, code, "yes" if code == "cancer_history" else "no")
    _next(page)
    assert_accessible(page)
    for code in ("immunosuppressed", "recent_infection_or_procedure", "trauma_onset", "osteoporosis"):
        _pick(page, code, "no")
    _next(page)
    assert page.get_by_role("heading", name="Medicines, hands and balance").is_visible()
    assert_accessible(page)
    _pick(page, "hands_clumsy", "yes")  # the rest of the page left blank
    _next(page)

    assert page.get_by_role("heading", name="Get medical help now").is_visible()
    assert page.get_by_text("spinal cord").first.is_visible()
    assert_accessible(page)
    screenshot(page, "red-flags-phone-e-mscc-hands")
    intake.refresh_from_db()
    assert intake.level == Level.URGENT
    assert {"SP1", "CM1", "MSCC"} <= set(intake.flags.values_list("code", flat=True))


def test_a_follow_up_hidden_after_its_parent_changed_to_no_is_not_sent(open_page):
    """Yes to leg weakness and to "getting worse", then weakness changed to no: the follow-up hides and its tick is
    not sent (it raised a serious flag the patient never saw). Changing weakness back shows the tick again."""
    from tests.intake.test_red_flag_pages import WEAK_LEG

    intake, page = _answered_up_to(open_page, "general_health", **WEAK_LEG)
    page.goto("/intake/step/legs_weakness/")
    assert_accessible(page)
    _pick(page, "leg_weakness_worsening", "yes")
    _pick(page, "leg_weakness", "no")
    assert page.locator('input[name="leg_weakness_worsening"][value="yes"]').is_hidden()
    _pick(page, "leg_weakness", "yes")
    assert page.locator('input[name="leg_weakness_worsening"][value="yes"]').is_checked()
    _pick(page, "leg_weakness", "no")
    with page.expect_request(lambda request: request.method == "POST") as sent:
        _next(page)
    assert "leg_weakness_worsening" not in (sent.value.post_data or "")  # the browser left it out
    assert_accessible(page)

    intake.refresh_from_db()
    assert intake.answers["leg_weakness"] == "no"
    assert "leg_weakness_worsening" not in intake.answers
    assert intake.level is None
    assert not intake.red_flag_answers.exists()

    # Shown again, the follow-up is sent again.
    page.goto("/intake/step/legs_weakness/")
    assert_accessible(page)
    _pick(page, "leg_weakness", "yes")
    _pick(page, "leg_weakness_worsening", "no")
    _pick(page, "foot_drop", "no")
    _next(page)
    assert_accessible(page)
    intake.refresh_from_db()
    assert (intake.answers["leg_weakness_worsening"], intake.answers["foot_drop"]) == ("no", "no")


def test_a_patient_who_does_not_agree_is_shown_every_warning_sign(open_page, at_both_widths):
    """The only advice a patient who declines gets (stop 29: it named two of the seven signs)."""
    _invitation, token = make_invitation()
    page = open_page(f"/intake/start/{token}/", PHONE)
    confirm_birth_date(page, BIRTH_DATE)
    page.get_by_role("button", name="I do not agree").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Please call us instead").is_visible()
    assert page.locator(".signs-box li").count() == 7
    at_both_widths(page, "declined-warning-signs")
    assert_accessible(page, context="declined")


def test_saddle_numbness_sent_past_the_rate_limit_is_taken_and_the_page_gives_the_advice(
    open_page, at_both_widths, settings
):
    """intake.refused_posts: the patient's own page, refused by the rate limit, still has its red flag taken."""
    from django.core.cache import caches

    invitation, token = make_invitation()
    page = _open_as_patient(open_page, token)
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = [{**settings.RATE_LIMITS[0], "patient_rate": "1/10m"}]
    caches["ratelimit"].clear()
    _pick(page, "ce_saddle_numbness", "no")
    _pick(page, "ce_wiping_sensation", "no")
    _next(page)  # the one post allowed
    assert_accessible(page)
    page.go_back()
    _pick(page, "ce_saddle_numbness", "yes")
    _next(page)
    assert page.get_by_role("heading", name="Get medical help now").is_visible()
    assert page.get_by_text("We have added what you told us about warning signs").is_visible()
    at_both_widths(page, "intake-red-flag-past-the-rate-limit")
    assert_accessible(page, context="red flag past the rate limit")
    assert Intake.objects.get(invitation=invitation).level == Level.URGENT
    caches["ratelimit"].clear()


def test_saddle_numbness_refused_by_the_csrf_check_keeps_its_advice_when_the_patient_switches_to_spanish(
    open_page, screenshot
):
    """intake.advice_switch: the phone blocks the CSRF cookie, so the page is refused and gives the advice; pressing
    "Español" in its switcher used to bring back the plain question page, the advice gone."""
    invitation, token = make_invitation()
    page = _open_as_patient(open_page, token)
    page.context.clear_cookies(name="csrftoken")
    _pick(page, "ce_saddle_numbness", "yes")
    _pick(page, "ce_wiping_sensation", "no")
    _next(page)
    assert page.get_by_role("heading", name="Get medical help now").is_visible()
    assert page.get_by_role("heading", name="That form could not be sent").is_visible()
    assert_accessible(page, context="red flag refused by the CSRF check")

    page.get_by_role("button", name="Español").click()
    page.wait_for_load_state()

    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", name="Busque ayuda médica ahora").is_visible()
    assert page.get_by_text("Me preocupa que sea el síndrome de cauda equina.").is_visible()
    assert page.get_by_role("heading", name="No se pudo enviar ese formulario").is_visible()
    screenshot(page, "intake-red-flag-refused-by-csrf-in-spanish")
    assert_accessible(page, context="red flag refused by the CSRF check, switched to Spanish")
    intake = Intake.objects.get(invitation=invitation)
    assert intake.level is None  # nothing of the refused page was stored, by the refusal or by the switch


def test_a_link_replaced_between_a_red_flag_answer_and_its_emergency_page_still_brings_the_advice(
    open_page, at_both_widths
):
    """intake.owed_emergency: staff make a new link in the moment between the saddle-numbness answer's save and the
    browser asking for the emergency page (held here until the link is replaced). The patient got "This link does not
    work"; now the advice, and that the clinic was told."""
    invitation, token = make_invitation()
    page = _open_as_patient(open_page, token)

    def replace_the_link_after_the_save(route) -> None:
        # Playwright does not route a redirect's next request: the post is sent here, the link replaced, and only
        # then is its answer (the redirect to the emergency page) given to the browser.
        if route.request.method != "POST":
            route.continue_()
            return
        saved = route.fetch(max_redirects=0)
        services.renew_link(invitation, send_email=False)
        route.fulfill(response=saved)

    page.route("**/intake/step/safety/", replace_the_link_after_the_save)
    _pick(page, "ce_saddle_numbness", "yes")
    _next(page)

    assert page.get_by_role("heading", name="Get medical help now").is_visible()
    assert page.get_by_text("We have added what you told us about warning signs").is_visible()
    assert not page.get_by_text("This link does not work").is_visible()
    at_both_widths(page, "intake-red-flag-link-replaced-before-the-emergency-page")
    assert_accessible(page, context="red flag, link replaced before the emergency page")
    assert Intake.objects.get(invitation=invitation).level == Level.URGENT
