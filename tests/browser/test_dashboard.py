"""The staff dashboard in a real browser, on the demo intakes: the urgent patient first, review, reorder, roles."""

from __future__ import annotations

import datetime
import itertools
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.roles import CLINICIANS
from tests.browser.conftest import (
    DESKTOP,
    LAPTOP,
    PHONE,
    TABLET,
    assert_accessible,
    control_borders_under_3_to_1,
    filter_controls_under_44_px,
    targets_under_44_px,
)
from tests.browser.datasets import built_once
from tests.conftest import _staff

pytestmark = pytest.mark.django_db(transaction=True)
TOP_PATIENT = "Maria Delgado"  # the demo's urgent, unreviewed patient (load_demo_intakes)
QUEUE_BUTTONS = ("Audit trail", "Review outcomes report", "Export this list (CSV)")  # an administrator's


@pytest.fixture
def demo_intakes(settings, django_user_model):
    """The clinician (as tests/conftest.py's fixture makes them) and the demo intakes, some reviewed by them. Built
    once and put back for the tests of the next ten minutes, its times moved on by the copy's age (the demo's times
    are counted back from when it is built: tests/browser/datasets.py); within ten minutes the demo's appointments, on
    the hour from 8 to 16, stay on their day."""

    def build() -> None:
        _staff(django_user_model, "clinician", CLINICIANS)
        settings.DEBUG = True  # the demo loader refuses to run otherwise
        call_command("load_demo_intakes", verbosity=0)
        settings.DEBUG = False

    built_once("demo_intakes", build, fresh_for=datetime.timedelta(minutes=10), times_from_now=True)


@pytest.fixture
def clinician(request, django_user_model):
    """With the demo intakes, their clinician; otherwise one made as tests/conftest.py does."""
    if "demo_intakes" in request.fixturenames:
        request.getfixturevalue("demo_intakes")
        return django_user_model.objects.get(username="clinician")
    return _staff(django_user_model, "clinician", CLINICIANS)


def first_row(page):
    return page.locator(".queue-table tbody tr").first


def sideways_overflow(page) -> int:
    """How many pixels of the queue's table are out of view to the right (0: every column, Review included, shows)."""
    box = page.locator(".queue-table-wrap")
    return box.evaluate("box => box.scrollWidth - box.clientWidth")


def test_clinician_sees_the_urgent_patient_first_reviews_them_and_the_queue_reorders(
    demo_intakes, open_page, screenshot, clinician
):
    page = open_page("/staff/queue/", DESKTOP, user=clinician)
    assert page.get_by_role("alert").filter(has_text="1 urgent intake not reviewed").is_visible()
    row = first_row(page)
    assert TOP_PATIENT in row.inner_text()
    assert "URGENT" in row.locator(".level-badge").inner_text().upper()
    assert "Saddle numbness" in row.inner_text()
    assert sideways_overflow(page) == 0  # at 1366 px the Review column was cut off (follow-up tags kept names wide)
    screenshot(page, "dashboard-queue-desktop")
    assert_accessible(page, context="queue with an urgent intake")

    row.get_by_role("link", name=TOP_PATIENT).click()
    page.wait_for_url("**/staff/intakes/*/")
    assert page.get_by_text("Numbness or altered feeling in the saddle area").is_visible()
    assert page.get_by_text("Screening support, not diagnosis.").is_visible()
    screenshot(page, "dashboard-intake-desktop")
    assert_accessible(page, context="urgent intake")

    # Marked reviewed with no outcome: refused, with the message in the review form (dashboard:review's own page).
    page.get_by_role("button", name="Mark reviewed").click()
    page.wait_for_url("**/staff/intakes/*/review/")
    assert page.get_by_text("Nothing was saved: see the message in the review form.").is_visible()
    assert_accessible(page, context="review refused for want of an outcome")

    page.get_by_label("Sent to or seen in emergency care").check()
    page.get_by_label("Note", exact=True).fill("Phoned the patient: going to the emergency department now.")
    page.get_by_role("button", name="Mark reviewed").click()
    page.get_by_text("marked reviewed").wait_for()  # the page after the save (same address), not the one it replaced
    assert page.get_by_text("marked reviewed").is_visible()
    assert page.get_by_text("Phoned the patient: going to the emergency department now.").is_visible()
    assert_accessible(page, context="intake after review")

    page.get_by_role("link", name="Back to the queue").click()
    page.wait_for_url("**/staff/queue/")
    assert page.get_by_role("alert").count() == 0
    assert TOP_PATIENT not in first_row(page).inner_text()
    reviewed_row = page.locator(".queue-table tbody tr", has_text=TOP_PATIENT)
    assert "Clinician Tester" in reviewed_row.inner_text()
    assert_accessible(page, context="queue after the review")


def test_queue_and_intake_at_tablet_width_fit_the_screen(demo_intakes, open_page, screenshot, clinician):
    page = open_page("/staff/queue/", TABLET, user=clinician)
    screenshot(page, "dashboard-queue-tablet")
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    # The header and footer line up with the wide page below them (they sat 50 px further in).
    edges = [page.locator(selector).first.bounding_box()["x"] for selector in (".navbar-brand", "main h1", "footer p")]
    assert max(edges) - min(edges) < 1, edges
    assert sideways_overflow(page) == 0
    assert_accessible(page, context="queue at tablet width")
    first_row(page).locator(".patient-name > a").first.click()
    page.wait_for_url("**/staff/intakes/*/")
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    screenshot(page, "dashboard-intake-tablet")
    assert_accessible(page, context="intake at tablet width")


def test_on_a_phone_each_intake_is_a_card_with_nothing_out_of_view(demo_intakes, open_page, screenshot, clinician):
    """A clinician on call opens the queue on a phone: the urgent patient first, with the flags, the appointment and
    whether it is reviewed, without scrolling sideways (the table's Appointment, Flags and Review columns were out
    of view at 390 px)."""
    page = open_page("/staff/queue/", PHONE, user=clinician)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert sideways_overflow(page) == 0
    row = first_row(page)
    assert TOP_PATIENT in row.inner_text()
    for part in (".level-badge", ".flags", ".appointment", ".col-review"):
        box = row.locator(part).bounding_box()
        assert box is not None, part
        assert 0 <= box["x"] <= box["x"] + box["width"] <= PHONE["width"], part
    assert "Saddle numbness" in row.locator(".flags").inner_text()
    assert "Not reviewed" in row.locator(".col-review").inner_text()
    # The filters' buttons and the page links are big enough for a thumb (44 px; they measured 31 and 38 px).
    for target in (
        page.get_by_role("button", name="Apply filters"),
        page.get_by_role("button", name="Find"),
        page.get_by_role("link", name="Next"),
        page.locator(".pagination .active .page-link"),
    ):
        box = target.bounding_box()
        assert box, target
        assert min(box["width"], box["height"]) >= 44, (target, box)
    # So are the filters themselves and the name search, on a phone and at desktop width (the selects and date boxes
    # measured 31 px at both, and the buttons beside them 31 px at desktop width).
    assert filter_controls_under_44_px(page) == {}
    screenshot(page, "dashboard-queue-phone")
    assert_accessible(page, context="queue on a phone")


# Each choice of a staff list's filter boxes that would not show in full once chosen, as "box: words (text px > room
# px)": the words wider than the box leaves for them beside its arrow.
_CLIPPED_CHOICES = """
() => [...document.querySelectorAll('main .list-filters select')].flatMap((box) => {
  const style = getComputedStyle(box);
  const pen = document.createElement('canvas').getContext('2d');
  pen.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return [...box.options]
    .map((option) => [option.text, pen.measureText(option.text).width])
    .filter(([, width]) => width > room)
    .map(([text, width]) => `${box.name}: ${text} (${Math.round(width)} px > ${Math.round(room)} px)`);
})
"""


def test_every_choice_of_the_queue_filters_shows_in_full_on_a_phone_a_tablet_and_a_desktop(
    demo_intakes, open_page, clinician
):
    """A chosen red flag read "Possible cord co" (its box left 152 px for 231 px of words at desktop width, 109 px on
    a phone), and "Reviewed or not" was cut on a phone: the boxes are as wide as their longest choice."""
    page = open_page("/staff/queue/", PHONE, user=clinician)
    assert clipped_choices(page) == {}
    assert_accessible(page, context="queue filters")


def test_every_choice_of_the_follow_up_filters_shows_in_full_on_a_phone_a_tablet_and_a_desktop(open_page, clinician):
    """The status box showed "Closed: its last day" (109 px of room on a phone for 291 px of words), and "Due, sent,
    overdue or answered" was cut at tablet width."""
    page = open_page("/staff/follow-ups/", PHONE, user=clinician)
    assert page.locator("main .list-filters select").count() == 2
    assert clipped_choices(page) == {}
    assert_accessible(page, context="follow-up filters")


def clipped_choices(page) -> dict[str, list[str]]:
    """_CLIPPED_CHOICES at phone, tablet, laptop and desktop width, by width (empty when every choice fits)."""
    clipped = {}
    for size, viewport in (("phone", PHONE), ("tablet", TABLET), ("laptop", LAPTOP), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        if shown := page.evaluate(_CLIPPED_CHOICES):
            clipped[size] = shown
    return clipped


def test_the_small_buttons_of_the_queue_and_of_an_intake_are_big_enough_for_a_thumb_at_every_width(
    demo_intakes, open_page, screenshot, administrator
):
    """At least 44 x 44 px (WCAG 2.5.5) at desktop width too, not only on a phone: the queue's Audit trail, report and
    Export buttons, its page links, and an intake's Print and FHIR buttons measured 31 px tall; "Mark reviewed", the
    new invitation's boxes and buttons, "Email the link" and "Use this record" 38 px, and the review's round choices
    17 px (now 24 px, each on a 44 px row that its label fills)."""
    from intake.models import Intake

    page = open_page("/staff/queue/", DESKTOP, user=administrator)
    buttons = [page.get_by_role("link", name=name, exact=True) for name in QUEUE_BUTTONS]
    pages = page.get_by_role("navigation", name="Queue pages").locator(".page-link")
    assert targets_under_44_px(page, *buttons, pages) == {}
    assert_accessible(page, context="queue with every button")
    # On a phone the three buttons keep their words on one line each (they broke inside themselves at 375 px).
    page.set_viewport_size(PHONE)
    heights = {name: page.get_by_role("link", name=name, exact=True).bounding_box()["height"] for name in QUEUE_BUTTONS}
    assert all(height < 50 for height in heights.values()), heights
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "dashboard-queue-buttons-375")

    reviewed = Intake.objects.filter(is_reviewed=True, reviewed_by__isnull=False).first()
    assert reviewed is not None
    page.set_viewport_size(DESKTOP)  # each page loaded at desktop width, in the administrator's one browser
    page.goto(f"/staff/intakes/{reviewed.pk}/")
    assert targets_under_44_px(page, page.locator(".undo-review").get_by_role("button")) == {}
    page.set_viewport_size(PHONE)
    screenshot(page, "dashboard-intake-undo-375")
    assert_accessible(page, context="reviewed intake with Undo review")

    urgent = Intake.objects.get(invitation__patient_name=TOP_PATIENT)
    page.set_viewport_size(DESKTOP)
    page.goto(f"/staff/intakes/{urgent.pk}/")
    buttons = [page.get_by_role("link", name=name) for name in ("Print for the paper chart", "Download FHIR file")]
    review = page.locator("#review")
    choices = review.locator(".outcome-choices .form-check-label")
    assert targets_under_44_px(page, *buttons, review.get_by_role("button"), review.locator("textarea"), choices) == {}
    for radio in review.get_by_role("radio").all():
        box = radio.bounding_box()
        assert box is not None
        assert min(box["width"], box["height"]) >= 24, box
    for width in (PHONE, {"width": 1280, "height": 900}):
        page.set_viewport_size(width)
        screenshot(page, f"dashboard-intake-targets-{width['width']}")
    assert_accessible(page, context="intake with its print and FHIR buttons")

    page.set_viewport_size(DESKTOP)
    page.goto("/staff/invitations/new/")
    page.locator("#find-name").fill(TOP_PATIENT.split()[0])
    page.get_by_role("button", name="Find").click()
    page.wait_for_load_state()
    form = page.locator("#invitation-form")
    fields = form.locator("input:not([type=hidden]), select")
    use_record = page.get_by_role("button", name="Use this record")
    assert use_record.count() >= 1
    assert targets_under_44_px(page, fields, form.get_by_role("button"), use_record) == {}
    for width in (PHONE, {"width": 1280, "height": 900}):
        page.set_viewport_size(width)
        screenshot(page, f"staff-invitation-new-targets-{width['width']}")
    assert_accessible(page, context="new invitation with a record found")


def test_the_queue_printed_from_a_phone_keeps_each_card_whole_and_leaves_out_the_controls(
    demo_intakes, open_page, screenshot, clinician
):
    """Printed, the queue is a list of cards too (on a phone, and on letter or A4 paper inside the browser's margins,
    which is narrower than 768 px): each card on one page, every one shown, the level's word black on white for a
    printer that drops colours; the filters, the buttons and the page links, of no use on paper, left out."""
    page = open_page("/staff/queue/", PHONE, user=clinician)
    page.emulate_media(media="print")
    cards = page.evaluate(
        """() => [...document.querySelectorAll('.queue-table tbody tr')].map((card) => {
            const box = card.getBoundingClientRect();
            const badge = card.querySelector('.level-badge');
            return {
                text: card.innerText.split('\\n').slice(0, 2).join(' '),
                shown: box.height > 0 && box.left >= 0 && box.right <= innerWidth,
                breakInside: getComputedStyle(card).breakInside,
                badge: badge && getComputedStyle(badge).color,
            };
        })"""
    )
    assert len(cards) > 1
    assert TOP_PATIENT in cards[0]["text"]
    assert [card for card in cards if not card["shown"]] == []
    assert [card["text"] for card in cards if card["breakInside"] != "avoid"] == []
    assert {card["badge"] for card in cards} == {"rgb(0, 0, 0)"}
    assert page.get_by_text(re.compile(r"intakes · page 1 of \d+")).is_visible()  # the paper says there is more
    # The chart's key keeps its colours on paper, as its bars do.
    swatches = page.eval_on_selector_all(
        ".legend-swatch", "all => all.map((s) => getComputedStyle(s).printColorAdjust)"
    )
    assert len(swatches) > 1
    assert set(swatches) == {"exact"}
    for control in (
        page.get_by_role("button", name="Apply filters"),
        page.get_by_role("link", name="Export this list (CSV)"),
        page.get_by_role("navigation", name="Queue pages"),
    ):
        assert control.is_hidden(), control
    screenshot(page, "dashboard-queue-phone-print")
    assert_accessible(page, context="queue printed from a phone")


# Paper lays the page out some 720-740 px wide upright (the queue's cards) and 980-1050 px wide sideways (its table).
PAPER_WIDTHS = (740, 1000, DESKTOP["width"])


def test_the_queue_printed_leaves_no_empty_space_where_the_filters_were(demo_intakes, open_page, screenshot, clinician):
    """The filters' panel, its controls left out on paper, stood as an empty space beside the chart from 992 px wide
    (sideways paper, or a desktop's print preview), and as an empty box above it on upright paper."""
    page = open_page("/staff/queue/", DESKTOP, user=clinician)
    page.emulate_media(media="print")
    for width in PAPER_WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        empty = page.locator(".panel").evaluate_all(
            "panels => panels.filter((panel) => panel.getClientRects().length && !panel.innerText.trim()).length"
        )
        assert empty == 0, width
        chart = page.get_by_role("figure", name="Intakes per week, last 12 weeks").bounding_box()
        heading = page.get_by_role("heading", name="Intake queue").bounding_box()
        assert chart
        assert heading
        assert chart["x"] - heading["x"] < 20, (width, chart, heading)  # nothing empty to its left
        screenshot(page, f"dashboard-queue-print-{width}")
    assert_accessible(page, context="queue printed")


def test_the_queue_printed_on_paper_of_any_size_says_when_each_intake_was_submitted(demo_intakes, open_page, clinician):
    """Printed, the cards and the narrower table left out when each intake was submitted, as a phone's and a tablet's
    screen do (there it is on the intake's page, which paper is not). On paper the clock time is there too: "12
    minutes ago" is out of date once the paper is read."""
    from dashboard.queue_rows import staff_datetime
    from intake.models import Intake

    submitted = Intake.objects.get(invitation__patient_name=TOP_PATIENT).submitted_at
    assert submitted
    clock = staff_datetime(submitted, this_year=timezone.localdate().year)  # as the appointment: "Mon Dec 7, 2:00 PM"
    page = open_page("/staff/queue/", DESKTOP, user=clinician)
    on_screen = first_row(page).locator(".col-submitted").inner_text()
    assert " ".join(on_screen.split()) == "12 minutes ago"  # on screen, the time since is enough
    page.emulate_media(media="print")
    for width in PAPER_WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        when = first_row(page).locator(".col-submitted")
        assert when.is_visible(), width
        assert " ".join(when.inner_text().split()) == f"12 minutes ago ({clock})", width
        if width < 768:  # a card: the time says what it is, as the appointment does
            label = when.evaluate("cell => getComputedStyle(cell, '::before').content")
            assert label == '"Submitted: " / ""'
        else:
            assert page.get_by_role("columnheader", name="Submitted").is_visible(), width
        assert sideways_overflow(page) == 0, width  # paper cuts off what is out of view: Review is still there
    assert_accessible(page, context="queue printed, with the times sent")


def test_the_review_outcomes_report_opens_from_the_queue_and_reads_at_every_width(
    demo_intakes, open_page, at_both_widths, clinician
):
    """The report of what clinicians decided for each flag (dashboard:outcome-report), which no browser test had
    opened: axe-core had never checked it."""
    page = open_page("/staff/queue/", DESKTOP, user=clinician)
    assert_accessible(page, context="queue")
    page.get_by_role("link", name="Review outcomes report").click()
    page.wait_for_url("**/staff/reports/outcomes/")
    assert page.get_by_role("heading", name="Review outcomes", exact=True).is_visible()
    assert page.locator(".report-table tbody tr").count() > 0  # the demo's reviewed intakes are counted
    at_both_widths(page, "dashboard-outcome-report")
    assert_accessible(page, context="review outcomes report")


def test_front_desk_sees_the_queue_without_clinical_answers(demo_intakes, open_page, screenshot, front_desk):
    page = open_page("/staff/queue/", DESKTOP, user=front_desk)
    row = first_row(page)
    assert TOP_PATIENT in row.inner_text()
    assert "URGENT" in row.inner_text().upper()
    assert "Saddle numbness" not in page.content()
    assert row.get_by_role("link", name=TOP_PATIENT).count() == 0  # no way to the answers
    assert row.locator('a[href^="tel:"]').count() == 1  # the phone, to call the patient
    screenshot(page, "dashboard-queue-front-desk")
    assert_accessible(page, context="front desk's queue")


def test_the_patient_page_charts_the_follow_ups_and_the_follow_up_list_puts_non_responders_first(
    demo_intakes, open_page, screenshot, clinician, front_desk
):
    from intake.models import Patient

    helen = Patient.objects.get(name="Helen Marsh")  # the demo patient with three follow-ups answered
    page = open_page(f"/staff/patients/{helen.pk}/", DESKTOP, user=clinician)
    assert page.get_by_text("Follow-up 12 months").first.is_visible()
    assert page.locator(".measure-chart").count() == 2  # PEG and PSFS
    assert page.locator(".measure-chart").first.locator("circle").count() == 4
    assert page.get_by_text("Change since before the visit").first.is_visible()
    screenshot(page, "dashboard-patient-page")
    assert_accessible(page, context="patient page with follow-ups")

    page = open_page("/staff/follow-ups/", DESKTOP, user=front_desk)
    first = page.locator(".follow-up-table tbody tr").first
    assert "Overdue" in first.inner_text()
    assert first.get_by_role("link").count() == 0
    # Its column headings and frame look like the queue's and the audit trail's (small capitals, a bordered panel).
    heading = page.locator(".follow-up-table thead th").first
    assert heading.evaluate("th => getComputedStyle(th).textTransform") == "uppercase"
    frame = page.get_by_role("region", name="Follow-ups, non-responders first")
    assert frame.evaluate("box => getComputedStyle(box).borderTopStyle") == "solid"
    screenshot(page, "dashboard-follow-ups-front-desk")
    assert_accessible(page, context="follow-up list for front desk")
    assert filter_controls_under_44_px(page) == {}

    # On a phone each follow-up is a card, its dates labelled, nothing out of view sideways.
    page.set_viewport_size(PHONE)
    table = page.get_by_role("region", name="Follow-ups, non-responders first")
    assert table.evaluate("box => box.scrollWidth - box.clientWidth") == 0
    # The response rates too: Overdue, the column to act on, was out of view to the right.
    rates = page.get_by_role("region", name="Follow-ups sent and answered per time point (table)")
    assert rates.evaluate("box => box.scrollWidth - box.clientWidth") == 0
    for cell in first.locator("td").all():
        box = cell.bounding_box()
        assert box is not None
        assert 0 <= box["x"] <= box["x"] + box["width"] <= PHONE["width"]
    label = first.locator('[data-label="Visit"]').evaluate("cell => getComputedStyle(cell, '::before').content")
    # Each date says what it is on screen; a screen reader has the column heading instead (alternative text "").
    assert label == '"Visit: " / ""'
    screenshot(page, "dashboard-follow-ups-phone")


def test_content_editor_is_refused(open_page, editor):
    page = open_page("/staff/queue/", DESKTOP, user=editor)
    response = page.goto("/staff/queue/")
    assert response is not None
    assert response.status == 403
    assert_accessible(page, context="the refusal page")


def test_intake_prints_without_the_site_chrome_or_the_review_form(demo_intakes, open_page, screenshot, clinician):
    from intake.models import Intake

    urgent = Intake.objects.get(invitation__patient_name=TOP_PATIENT)
    page = open_page(f"/staff/intakes/{urgent.pk}/", DESKTOP, user=clinician)
    assert_accessible(page, context="intake before printing")
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("button", name="Mark reviewed").is_visible()
    assert page.get_by_text("Numbness or altered feeling in the saddle area").is_visible()
    assert page.get_by_text("Screening support, not diagnosis.").is_visible()
    screenshot(page, "dashboard-intake-print")


# Each word of the queue's weekly chart as it is drawn (the dates hidden at this width left out): its text, whether it
# is a date, its size on screen in px (the SVG scales its 480 units to the width of the panel), whether it is drawn in
# full, and its left and right edges.
_CHART_WORDS = """
() => [...document.querySelectorAll('.intake-chart svg text')]
  .filter((word) => getComputedStyle(word).display !== 'none').map((word) => {
  const svg = word.ownerSVGElement;
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const box = word.getBoundingClientRect();
  // Drawn in full: inside the chart, or inside its panel when the chart lets words run over its edge.
  const frame = getComputedStyle(svg).overflow === 'visible' ? svg.closest('.panel') : svg;
  const edge = frame.getBoundingClientRect();
  return {text: word.textContent, date: word.classList.contains('chart-label'),
          px: parseFloat(getComputedStyle(word).fontSize) * scale,
          shown: box.left >= edge.left && box.right <= edge.right, left: box.left, right: box.right};
})
"""


CHART_WIDTHS = (320, 375, 576, 992, 1280, 1400)


def test_the_weekly_charts_dates_and_counts_are_big_enough_to_read_and_do_not_touch(demo_intakes, open_page, clinician):
    """The chart's 11-unit words were drawn 7 px tall on a 375 px phone (the 480-unit chart shrunk to the panel), then
    10.6 px (16 units), and 8 to 10 px from 992 to 1399 px wide, where the chart is a third of the page; the latest
    week's date, at the right edge, must not be cut off by the larger words. Below 576 px every fourth week is dated
    (the current week always), so the dates can be 12 px without touching; wider, every other week. One page, measured
    at each width (the chart is laid out by CSS alone: the same as loading the page at that width)."""
    page = open_page("/staff/queue/", {"width": CHART_WIDTHS[0], "height": 900}, user=clinician)
    for width in CHART_WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        words = page.evaluate(_CHART_WORDS)
        assert len(words) >= 6, width  # the counts on the left and the dates below
        small = [f"{word['text']}: {word['px']:.1f} px" for word in words if word["px"] < 12]
        assert small == [], width
        assert [word["text"] for word in words if not word["shown"]] == [], width
        dates = sorted((word for word in words if word["date"]), key=lambda word: word["left"])
        assert len(dates) >= (3 if width < 576 else 6), width
        touching = [f"{a['text']} / {b['text']}" for a, b in itertools.pairwise(dates) if a["right"] + 4 > b["left"]]
        assert touching == [], width
        assert_accessible(page, context=f"queue chart at {width} px")


# Each word of the outcome charts (PEG, PSFS) as drawn: its chart, text, kind, size on screen in px (the SVG scales
# its units to the chart's width), whether it is drawn in full inside its chart, and its left and right edges. Words
# hidden at this width (a long label's short form, or the other way round) are left out.
_MEASURE_WORDS = """
() => [...document.querySelectorAll('.measure-chart svg text')]
  .filter((word) => word.getClientRects().length > 0 && getComputedStyle(word).display !== 'none')
  .map((word) => {
    const svg = word.ownerSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const box = word.getBoundingClientRect();
    const edge = svg.getBoundingClientRect();
    return {chart: svg.closest('.measure-chart').dataset.measure || svg.getAttribute('aria-label'),
            text: word.textContent, kind: [...word.classList].find((name) => name.startsWith('chart-')),
            px: parseFloat(getComputedStyle(word).fontSize) * scale, height: box.height,
            shown: box.left >= edge.left - 0.5 && box.right <= edge.right + 0.5 && box.top >= edge.top - 0.5
              && box.bottom <= edge.bottom + 0.5,
            left: box.left, right: box.right};
  })
"""


OUTCOME_CHART_SIZES = (
    PHONE,
    {"width": 320, "height": 640},
    {"width": 576, "height": 900},
    {"width": 992, "height": 900},
    DESKTOP,
)


def test_the_outcome_charts_words_are_big_enough_to_read_in_full_and_do_not_touch(
    demo_intakes, open_page, screenshot, clinician
):
    """The PEG and PSFS charts' 11-unit words were drawn about 7 px tall on a 375 px phone (the 480-unit chart
    shrunk to the page): the scores' ticks, each point's value and the questionnaires' names under them. One page,
    measured at each width (the charts are laid out by CSS alone: the same as loading the page at that width)."""
    from intake.models import Patient

    helen = Patient.objects.get(name="Helen Marsh")  # the demo patient with three follow-ups answered
    page = open_page(f"/staff/patients/{helen.pk}/", OUTCOME_CHART_SIZES[0], user=clinician)
    for viewport in OUTCOME_CHART_SIZES:
        width = viewport["width"]
        page.set_viewport_size(viewport)
        words = page.evaluate(_MEASURE_WORDS)
        assert {word["kind"] for word in words} >= {"chart-tick", "chart-value", "chart-label"}, width
        small = [f"{word['text']}: {word['px']:.1f} px" for word in words if word["px"] < 12 or word["height"] < 12]
        assert small == [], width
        assert [word["text"] for word in words if not word["shown"]] == [], width
        for chart in {word["chart"] for word in words}:
            labels = sorted(
                (w for w in words if w["chart"] == chart and w["kind"] == "chart-label"), key=lambda w: w["left"]
            )
            assert len(labels) == 4, (width, labels)  # before the visit and three follow-ups
            touching = [
                f"{a['text']} / {b['text']}" for a, b in itertools.pairwise(labels) if a["right"] + 4 > b["left"]
            ]
            assert touching == [], width
        screenshot(page, f"dashboard-patient-charts-{width}")
        assert_accessible(page, context=f"patient page's outcome charts at {width} px")


# Each link in a list's rows (the queue, the invitations, the follow-ups) less than 24 px tall, as "words: height".
_SHORT_ROW_LINKS = """
() => [...document.querySelectorAll('.queue-table tbody a')]
  .filter((link) => link.getClientRects().length > 0)
  .map((link) => [link.textContent.trim(), link.getBoundingClientRect().height])
  .filter(([, height]) => height < 24)
  .map(([words, height]) => `${words}: ${height.toFixed(1)} px`)
"""


def test_the_lists_patient_and_phone_links_are_at_least_24_px_tall(demo_intakes, open_page, clinician):
    """The queue's phone numbers were links 15 px tall right under the patient's name (20 px): a thumb meant to call
    the patient opened their intake, or the other way round (WCAG 2.5.8: at least 24 px). The invitation and follow-up
    lists' names and dates were 17 px. Each list measured on a phone and at laptop width."""
    paths = ("/staff/queue/", "/staff/invitations/", "/staff/follow-ups/")
    page = open_page(paths[0], PHONE, user=clinician)
    for path in paths:
        if path != paths[0]:
            page.goto(path)
        for viewport in (PHONE, LAPTOP):
            page.set_viewport_size(viewport)
            assert page.locator(".queue-table tbody a").count() > 5, path
            assert page.evaluate(_SHORT_ROW_LINKS) == [], (path, viewport)
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (path, viewport)
        assert_accessible(page, context=f"{path} rows' links")  # at laptop width, and at phone and desktop width
        page.set_viewport_size(PHONE)


def test_the_review_forms_choices_and_note_box_and_the_queue_filters_have_outlines_a_clinician_can_see(
    demo_intakes, open_page, screenshot, clinician
):
    """WCAG 1.4.11 (3:1 for what identifies a control; axe-core does not check it): the review's unchosen outcomes,
    its note box and the queue's filters and name search were outlined in Bootstrap's #dee2e6, 1.3:1 on white."""
    from intake.models import Intake

    urgent = Intake.objects.get(invitation__patient_name=TOP_PATIENT)  # not reviewed: its review form is shown
    page = open_page(f"/staff/intakes/{urgent.pk}/", PHONE, user=clinician)
    review = page.locator("#review")
    assert review.locator(".outcome-choices .form-check-input:not(:checked)").count() >= 2
    assert review.locator("textarea.form-control").is_visible()
    assert control_borders_under_3_to_1(page) == {}
    assert_accessible(page, context="intake with its review form")
    for width in (PHONE, LAPTOP):
        page.set_viewport_size(width)
        screenshot(page, f"dashboard-intake-control-borders-{width['width']}")

    page.set_viewport_size(PHONE)  # loaded on the phone, in the clinician's same browser
    page.goto("/staff/queue/")
    filters = page.locator("main form[method=get]")
    assert filters.locator(".form-select").count() >= 1
    assert filters.locator(".form-control").count() >= 1
    assert control_borders_under_3_to_1(page) == {}
    assert_accessible(page, context="queue with its filters")
    for width in (PHONE, LAPTOP):
        page.set_viewport_size(width)
        screenshot(page, f"dashboard-queue-control-borders-{width['width']}")
