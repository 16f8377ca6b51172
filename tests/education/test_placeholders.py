"""Clinic placeholders in articles: the emergency number, phone and name come from settings, shown as they are now.

Editors and the starter files type {{ emergency_number }}, {{ clinic_phone }} and {{ clinic_name }}; the page fills
them in from settings when it is shown (never baked in on save), HTML-escaped, and nothing else is ever evaluated
(docs/clinical/ARTICLES.md, "Corrections to articles 1-10 (2027.1)"; docs/clinical/TRIAGE.md, "Notes for
implementers").
"""

from __future__ import annotations

import io
import re
import shutil

import pytest
from django.core.management import call_command
from django.test import override_settings

from education.models import Article
from education.rendering import (
    PLACEHOLDER_END,
    PLACEHOLDER_START,
    fill_html,
    fill_text,
    fill_typed,
    plain_text,
    render_markdown,
)
from education.starter import STARTER_DIR, parse_starter_file
from tests.education.factories import ArticleFactory

STARTER_FILES = sorted(STARTER_DIR.glob("*.md"))
# Emergency numbers of the countries a clinic might run in; none may be typed into an article.
LITERAL_EMERGENCY_NUMBER = re.compile(r"(?<![\w.-])(?:911|999|112|000)(?![\w-])")
VALUES = {"emergency_number": "000-TEST", "clinic_phone": "(555) 123-4567", "clinic_name": "Test Clinic"}
# Every item of the cauda equina symptom card (docs/clinical/INTAKE.md, step 1), as the starter boxes word it.
CES_CARD_ITEMS = (
    "between your legs, around your bottom or in your genitals",
    "when you wipe",
    "starting, stopping or controlling your pee",
    "weaker stream",
    "needing to wear pads",
    "bladder is full or empty",
    "when pee comes out",
    "control of your bowels",
    "not feeling a bowel movement pass",
    "weakness in both legs that is new or getting worse",
    "erections or ejaculation",
    "less feeling in your genitals",
)


def help_boxes(html: str) -> list[str]:
    return re.findall(r'<blockquote class="help-now"[^>]*>.*?</blockquote>', html, re.DOTALL)


# The one "When to get help now" box that `[[get-help-now]]` puts in an article (education/snippets.py).
HELP_NOW_SNIPPET = (STARTER_DIR.parents[2] / "templates" / "education" / "snippets" / "get_help_now.html").read_text(
    encoding="utf-8"
)


def help_now_box(body: str) -> str:
    """The article's box as its file words it: typed in the Markdown, or the shared box's template."""
    if "[[get-help-now]]" in body:
        return HELP_NOW_SNIPPET
    return body[body.index("> **When to get help now**") :]


# --- the starter files ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", STARTER_FILES, ids=lambda path: path.name)
def test_no_starter_file_types_an_emergency_number(path):
    text = path.read_text(encoding="utf-8")
    assert LITERAL_EMERGENCY_NUMBER.findall(text) == [], path.name
    # The number is there, as the placeholder, wherever the patient is told to call it.
    body = parse_starter_file(path).body
    box = help_now_box(body)
    assert "{{ emergency_number }}" in box, path.name


@pytest.mark.parametrize(
    "path", [path for path in STARTER_FILES if not path.name.startswith("15-")], ids=lambda path: path.name
)
def test_every_cauda_equina_box_lists_every_item_of_the_symptom_card(path):
    body = parse_starter_file(path).body
    box = help_now_box(body).lower()
    assert [item for item in CES_CARD_ITEMS if item not in " ".join(box.split())] == [], path.name


def test_the_prompt_review_article_sends_bladder_or_bowel_trouble_to_the_emergency_room_at_once():
    body = " ".join(parse_starter_file(STARTER_DIR / "10-signs-that-need-a-prompt-review.md").body.split())
    assert "within hours" not in body
    assert "Go to an emergency room right away, or call {{ emergency_number }}." in body
    assert "pain that spreads around your chest or down your legs" in body  # NICE NG234, as in article 15


def test_the_cauda_equina_article_treats_a_sexual_change_as_an_emergency_and_both_legs_as_call_today():
    body = " ".join(parse_starter_file(STARTER_DIR / "03-cauda-equina-warning-signs.md").body.split())
    assert "A change in erections or ejaculation" in body
    assert "Even one of them is an emergency" in body
    assert "Call the clinic the same day about it" not in body  # the 2026 advice for a sexual change
    assert "Pain or tingling in both legs needs a call to the clinic today" in body


# --- pure rendering -------------------------------------------------------------------------------------------------


def test_placeholders_are_kept_as_markers_on_save_and_filled_in_when_shown():
    html = render_markdown("Call {{ emergency_number }} or {{clinic_phone}}. {{ clinic_name }} is here.")
    assert "000-TEST" not in html
    assert fill_html(html, VALUES) == "<p>Call 000-TEST or (555) 123-4567. Test Clinic is here.</p>"
    assert fill_text(plain_text(html), VALUES) == "Call 000-TEST or (555) 123-4567. Test Clinic is here."


def test_values_are_html_escaped_in_html_and_plain_in_text():
    html = render_markdown("Call {{ emergency_number }}.")
    hostile = {**VALUES, "emergency_number": '<script>alert("x")</script> & 1'}
    assert fill_html(html, hostile) == "<p>Call &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 1.</p>"
    assert fill_text(plain_text(html), hostile) == 'Call <script>alert("x")</script> & 1.'


@pytest.mark.parametrize(
    "typed",
    [
        "{{ something }}",
        "{{ settings.SECRET_KEY }}",
        "{{ emergency_number|upper }}",
        "{% debug %}",
        "{{ request.user }}",
        "{emergency_number}",
    ],
)
def test_anything_but_the_three_names_is_left_exactly_as_typed(typed):
    html = render_markdown(f"Before {typed} after.")
    assert fill_html(html, VALUES) == f"<p>Before {typed} after.</p>"
    assert fill_typed(f"Before {typed} after.", VALUES) == f"Before {typed} after."


def test_placeholders_are_filled_in_text_only_never_in_a_link_address_or_code():
    html = render_markdown(
        "[Call {{ emergency_number }}](tel:{{ emergency_number }}) [home]({{ clinic_name }}) `{{ clinic_phone }}`"
    )
    filled = fill_html(html, {**VALUES, "clinic_name": "javascript:alert(1)"})
    assert ">Call 000-TEST</a>" in filled
    assert 'href="javascript:' not in filled
    assert "000-TEST" not in re.findall(r'href="([^"]*)"', filled)[0]
    assert "<code>{{ clinic_phone }}</code>" in filled


def test_marker_characters_typed_by_an_editor_are_dropped():
    html = render_markdown(f"Fake {PLACEHOLDER_START}emergency_number{PLACEHOLDER_END} marker.")
    assert fill_html(html, VALUES) == "<p>Fake emergency_number marker.</p>"


def test_a_typed_placeholder_in_plain_text_such_as_a_summary_is_filled():
    assert fill_typed("Call {{ emergency_number }} in an emergency.", VALUES) == "Call 000-TEST in an emergency."


# --- pages ----------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("starter_library")
@override_settings(CLINIC_EMERGENCY_NUMBER="000-TEST", CLINIC_PHONE="(555) 123-4567")
def test_every_starter_article_page_shows_the_configured_emergency_number_in_its_box(client):
    """One library load, every starter article's page: exactly one help box, with the clinic's numbers, no 911
    typed anywhere and no placeholder left."""
    problems: dict[str, list[str]] = {}
    for path in STARTER_FILES:
        slug = parse_starter_file(path).slug
        html = client.get(f"/articles/{slug}/").content.decode()
        boxes = help_boxes(html)
        checks = {
            "one help box": len(boxes) == 1,
            "the emergency number in it": bool(boxes) and "000-TEST" in boxes[0],
            "the clinic's phone in it": bool(boxes) and "(555) 123-4567" in boxes[0],
            "no 911 on the page": not re.search(r"\b911\b", html),
            "no placeholder left": "{{" not in html and PLACEHOLDER_START not in html,
        }
        failed = [name for name, held in checks.items() if not held]
        if failed:
            problems[path.name] = failed
    assert problems == {}


@pytest.mark.django_db
def test_a_changed_setting_shows_at_once_without_saving_the_article_again(client):
    article = ArticleFactory.create(
        body="> **When to get help now**\n>\n> Call {{ emergency_number }} now.\n\nOr call {{ emergency_number }}."
    )
    with override_settings(CLINIC_EMERGENCY_NUMBER="000-TEST"):
        html = client.get(article.get_absolute_url()).content.decode()
    assert help_boxes(html) == [
        '<blockquote class="help-now">\n<p><strong>When to get help now</strong></p>\n'
        "<p>Call 000-TEST now.</p>\n</blockquote>"
    ]
    assert "Or call 000-TEST." in html
    with override_settings(CLINIC_EMERGENCY_NUMBER="112"):
        html = client.get(article.get_absolute_url()).content.decode()
    assert "Call 112 now." in html
    assert "000-TEST" not in html


@pytest.mark.django_db
@override_settings(CLINIC_PHONE="<script>alert(1)</script>", CLINIC_NAME='Ann & Bo "Spine"')
def test_an_editors_placeholders_are_filled_and_setting_values_escaped_on_the_page(client):
    article = ArticleFactory.create(
        title="Placeholders",
        summary="Call {{ clinic_phone }} at {{ clinic_name }}.",
        body="Call **{{ clinic_phone }}** at {{ clinic_name }}. Keep {{ something }} and {{ settings.SECRET_KEY }}.",
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong> at Ann &amp; Bo &quot;Spine&quot;." in html
    assert "Keep {{ something }} and {{ settings.SECRET_KEY }}." in html
    # The summary is filled in too (lead paragraph and meta description), escaped by the template.
    assert '<p class="lead article-summary">Call &lt;script&gt;alert(1)&lt;/script&gt; at Ann &amp; Bo' in html
    assert '<meta name="description" content="Call &lt;script&gt;' in html
    # The editor's text is stored as typed; only the page shows the values.
    stored = Article.objects.get(pk=article.pk)
    assert "{{ clinic_phone }}" in stored.body
    assert "<script>" not in stored.body_html


@pytest.mark.django_db
@override_settings(CLINIC_EMERGENCY_NUMBER="000-TEST")
def test_summaries_in_lists_and_search_snippets_show_the_configured_number(client):
    ArticleFactory.create(
        title="Numbers",
        summary="Call {{ emergency_number }} in an emergency.",
        body="For numbness around your bottom, call {{ emergency_number }} at once.",
    )
    listing = client.get("/articles/").content.decode()
    assert "Call 000-TEST in an emergency." in listing
    results = client.get("/search/", {"q": "numbness"}).content.decode()
    snippet = re.search(r'<p class="snippet[^"]*">(.*?)</p>', results, re.DOTALL)
    assert snippet is not None
    assert "000-TEST" in snippet.group(1)
    assert "emergency_number" not in results
    assert PLACEHOLDER_START not in results
    assert "Call 000-TEST in an emergency." in results


@pytest.mark.django_db
def test_the_reading_grade_counts_what_the_patient_reads_not_the_placeholder_names():
    plain = ArticleFactory.create(body="Call 911 now. Call 911 now.")
    with_placeholders = ArticleFactory.create(body="Call {{ emergency_number }} now. Call {{ emergency_number }} now.")
    assert with_placeholders.word_count == plain.word_count
    assert with_placeholders.reading_grade == plain.reading_grade


@pytest.mark.django_db
def test_a_library_loaded_with_the_old_hard_coded_number_is_updated_by_the_new_release(tmp_path, client):
    old_release = tmp_path / "old"
    shutil.copytree(STARTER_DIR, old_release)
    for path in old_release.glob("*.md"):
        path.write_text(path.read_text().replace("{{ emergency_number }}", "911"))
    call_command("load_articles", directory=old_release, stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_articles", stdout=out)
    typed = [path for path in STARTER_FILES if "{{ emergency_number }}" in path.read_text()]
    assert f"{len(typed)} updated" in out.getvalue()
    with override_settings(CLINIC_EMERGENCY_NUMBER="000-TEST"):
        html = client.get("/articles/cauda-equina-warning-signs/").content.decode()
    assert "000-TEST" in help_boxes(html)[0]
    assert not re.search(r"\b911\b", html)


@pytest.mark.django_db
@override_settings(CLINIC_PHONE="(555) 010-<0100>")
def test_read_next_shows_a_related_articles_summary_with_the_clinics_number_filled_in_and_escaped(client):
    other = ArticleFactory.create(title="Call us", summary="Call {{ clinic_phone }} for a visit.")
    article = ArticleFactory.create(title="Back care")
    article.related.add(other)
    html = client.get(article.get_absolute_url()).content.decode()
    read_next = html[html.index('id="related-title"') :]
    assert f'<a href="{other.get_absolute_url()}">Call us</a>' in read_next
    assert "Call (555) 010-&lt;0100&gt; for a visit." in read_next
