"""The starter library in Spanish (`education/content/articles/es/`): every starter article has a translation, it
keeps the English's numbers, boxes and links, `load_articles` adds it to an article that has none, and a Spanish
reader gets it; a translator's own work is never replaced."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from education import workflow
from education.models import Article, ArticleTranslation, english_sha256
from education.services import (
    TRANSLATION_KEPT,
    TRANSLATION_KEPT_CHANGED,
    TRANSLATION_KEPT_OTHER_ENGLISH,
    TRANSLATION_KEPT_READ,
    TRANSLATION_RELEASE_STILL_WAITING,
    TRANSLATION_RELEASE_WAITING,
    load_starter_library,
)
from education.starter import (
    RELEASED_FILE,
    STARTER_DIR,
    StarterTranslation,
    parse_starter_file,
    read_released_translations,
    read_starter_library,
    read_starter_translations,
)
from education.translation import localized
from education.translation_approval import MSG_NOT_CURRENT, approve_release
from education.workflow import WorkflowError
from tests.education.conftest import starter_files
from tests.education.factories import approve_translations, change_english_after_translation
from tests.education.pages import spanish_reader

SPANISH_DIR = STARTER_DIR / "es"
MARKERS = re.compile(r"\{\{ \w+ \}\}|\[\[get-help-now\]\]|\]\(/articles/[a-z0-9-]+/\)")


# The articles the tests below change and read (3 and 9), and one that links to both (10): a load of these three
# does for these tests what a load of all 18 does, in a sixth of the time. Tests about every translation load them all.
ARTICLES_CHANGED = ("cauda-equina-warning-signs", "do-i-need-a-scan", "signs-that-need-a-prompt-review")


@pytest.fixture
def library(tmp_path):
    """The starter files of ARTICLES_CHANGED, which a test may change as a new release of the portal would."""
    return starter_files(tmp_path / "articles", *ARTICLES_CHANGED)


def test_every_starter_article_has_one_spanish_file_for_the_same_address():
    english = {path.name: parse_starter_file(path).slug for path in STARTER_DIR.glob("*.md")}
    spanish = {path.name: path for path in SPANISH_DIR.glob("*.md")}
    assert sorted(spanish) == sorted(english)
    assert {translation.slug for translation in read_starter_translations()} == set(english.values())


@pytest.mark.parametrize("name", sorted(path.name for path in STARTER_DIR.glob("*.md")))
def test_a_translation_keeps_the_englishs_placeholders_boxes_and_links(name):
    # The emergency number, the clinic's phone, the shared help-now box and every link: the same, the same number
    # of times, so no warning loses its number and no link goes elsewhere.
    english = parse_starter_file(STARTER_DIR / name).body
    [spanish] = [t for t in read_starter_translations() if t.slug == parse_starter_file(STARTER_DIR / name).slug]
    assert sorted(MARKERS.findall(spanish.body)) == sorted(MARKERS.findall(english))
    assert sorted(MARKERS.findall(spanish.summary)) == sorted(
        MARKERS.findall(parse_starter_file(STARTER_DIR / name).summary)
    )


@pytest.mark.django_db
def test_loading_adds_each_translation_once_made_from_the_english_now_live():
    report = load_starter_library()
    assert set(report.translations.values()) == {"added"}
    assert ArticleTranslation.objects.filter(language="es").count() == len(read_starter_library())
    assert all(translation.is_current for translation in ArticleTranslation.objects.select_related("article"))
    out = io.StringIO()
    call_command("load_articles", stdout=out)
    assert f"Starter translations: {len(read_starter_library())} kept" in out.getvalue()


@pytest.mark.django_db
def test_a_spanish_reader_gets_the_article_in_spanish_with_the_help_box_in_spanish(library):
    load_starter_library(library)
    unapproved = localized(Article.objects.get(slug="cauda-equina-warning-signs"), "es")
    assert getattr(unapproved, "translation_notice", None) == "pending"  # never approved: not "being updated"
    approve_translations()  # loaded, then approved by a clinical reviewer before any patient reads them
    article = Article.objects.get(slug="cauda-equina-warning-signs")
    spanish = localized(article, "es")
    page = spanish_reader().get(article.get_absolute_url()).content.decode()
    assert spanish.title != article.title
    assert spanish.title in page
    assert "Cuándo buscar ayuda de inmediato" in page
    assert f'<h1 id="article-title">{spanish.title}</h1>' in page


@pytest.mark.django_db
def test_a_translators_changes_are_never_replaced_by_a_later_load(library):
    load_starter_library(library)
    translation = ArticleTranslation.objects.get(article__slug="do-i-need-a-scan", language="es")
    translation.title = "¿Necesito una resonancia?"
    translation.save()
    report = load_starter_library(library)
    assert report.translations["do-i-need-a-scan (es)"] == TRANSLATION_KEPT_CHANGED
    assert ArticleTranslation.objects.get(pk=translation.pk).title == "¿Necesito una resonancia?"


@pytest.mark.django_db
def test_an_article_whose_english_an_editor_changed_gets_the_translation_marked_as_from_older_english(library):
    load_starter_library(library)
    ArticleTranslation.objects.filter(article__slug="do-i-need-a-scan").delete()
    article = Article.objects.get(slug="do-i-need-a-scan")
    article.summary = "An editor's new summary."
    article.save()
    load_starter_library(library)
    assert not ArticleTranslation.objects.get(article=article, language="es").is_current


@pytest.mark.django_db
def test_a_translation_for_an_address_with_no_starter_article_is_reported_and_not_loaded(library):
    (library / "es" / "99-nothing.md").write_text(
        '+++\nslug = "nothing"\ntitle = "Nada"\nsummary = "Nada."\n+++\nNada.\n'
    )
    report = load_starter_library(library)
    assert report.translations["nothing (es)"].startswith("not loaded")


@pytest.mark.django_db
def test_a_broken_translation_file_stops_the_load_and_saves_nothing(library):
    (library / "es" / "99-broken.md").write_text('+++\nslug = "do-i-need-a-scan"\ntitle = "Sin resumen"\n+++\nTexto.\n')
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"Nothing was loaded\. es/99-broken\.md: missing summary"):
        call_command("load_articles", directory=library, stdout=out)
    assert not Article.objects.exists()


# --- A new release of a starter translation that nobody has changed ------------------------------------------------
# Article 3's Spanish moved "go to the emergency room now" to the top; a clinic that loaded the earlier release kept the
# earlier Spanish for ever (a translation, once there, was never replaced), so its Spanish readers got the English.

CAUDA_EQUINA = "cauda-equina-warning-signs"
GO_NOW_EN = "Go to an emergency room now if you have any of these signs"
GO_NOW_ES = "Vaya ahora a una sala de emergencias si tiene cualquiera de estas señales"


def words_sha256(translation: StarterTranslation) -> str:
    return english_sha256(translation.title, translation.summary, translation.body)


def test_every_starter_translation_is_listed_as_released_so_a_later_release_can_replace_it():
    released = read_released_translations()
    missing = [
        f"{t.slug} {words_sha256(t)}"
        for t in read_starter_translations()
        if words_sha256(t) not in released[("es", t.slug)]
    ]
    assert missing == [], f"add these lines to {SPANISH_DIR / RELEASED_FILE}: {missing}"


def earlier_release_of_article_3(library, *, english: bool = True) -> str:
    """Article 3 as an earlier release had it: the emergency section after the others (English and Spanish, or with
    `english=False` the Spanish only: a fix made in the Spanish alone), its Spanish listed as released. Returns that
    line of `released.txt`."""
    names = ["03-cauda-equina-warning-signs.md", "es/03-cauda-equina-warning-signs.md"][0 if english else 1 :]
    for path in (library / name for name in names):
        text = path.read_text(encoding="utf-8")
        before, first, *others = re.split(r"(?m)^(?=## )", text)
        last, box = others[-1].split("[[get-help-now]]")
        path.write_text(before + "".join(others[:-1]) + last + first + "[[get-help-now]]" + box, encoding="utf-8")
    [earlier] = [t for t in read_starter_translations(library) if t.slug == CAUDA_EQUINA]
    line = f"{CAUDA_EQUINA} {words_sha256(earlier)}\n"
    with (library / "es" / RELEASED_FILE).open("a", encoding="utf-8") as released:
        released.write(line)
    return line


def new_release(library, earlier: str) -> None:
    """The starter files as they are now, whose `released.txt` lists the earlier release too (as the repository's
    lists every release it shipped)."""
    starter_files(library, *ARTICLES_CHANGED)
    with (library / "es" / RELEASED_FILE).open("a", encoding="utf-8") as released:
        released.write(earlier)


def first_heading(markdown: str) -> str:
    return re.findall(r"(?m)^## (.+)$", markdown)[0]


@pytest.mark.django_db
def test_a_database_loaded_with_the_earlier_article_3_gets_the_emergency_section_first_in_both_languages(library):
    earlier = earlier_release_of_article_3(library)
    load_starter_library(library)
    approve_translations()  # the earlier Spanish was approved and read by patients
    assert first_heading(ArticleTranslation.objects.get(article__slug=CAUDA_EQUINA).body) != GO_NOW_ES
    new_release(library, earlier)
    report = load_starter_library(library)
    assert report.outcomes[CAUDA_EQUINA] == "updated"
    assert report.translations[f"{CAUDA_EQUINA} (es)"].startswith("updated")
    assert report.translations["do-i-need-a-scan (es)"] == TRANSLATION_KEPT  # the same words as before
    article = Article.objects.get(slug=CAUDA_EQUINA)
    translation = ArticleTranslation.objects.select_related("article").get(article=article)
    assert first_heading(article.body) == GO_NOW_EN
    assert first_heading(translation.body) == GO_NOW_ES
    assert translation.is_current
    assert not translation.is_approved  # new words wait for a clinical reviewer, as a new translation does
    assert getattr(localized(article, "es"), "translation_notice", "") == "pending"


@pytest.mark.django_db
def test_a_translators_words_are_kept_when_the_starter_file_changes(library):
    earlier = earlier_release_of_article_3(library)
    load_starter_library(library)
    ArticleTranslation.objects.filter(article__slug=CAUDA_EQUINA).update(title="Cauda equina: señales de alarma")
    new_release(library, earlier)
    report = load_starter_library(library)
    assert report.translations[f"{CAUDA_EQUINA} (es)"] == TRANSLATION_KEPT_CHANGED
    assert first_heading(ArticleTranslation.objects.get(article__slug=CAUDA_EQUINA).body) != GO_NOW_ES


@pytest.mark.django_db
def test_a_translation_is_kept_while_the_english_is_an_editors(library):
    earlier = earlier_release_of_article_3(library)
    load_starter_library(library)
    article = Article.objects.get(slug=CAUDA_EQUINA)
    article.summary = "An editor's new summary."
    article.save()
    new_release(library, earlier)
    report = load_starter_library(library)
    assert report.outcomes[CAUDA_EQUINA].startswith("kept")
    assert report.translations[f"{CAUDA_EQUINA} (es)"] == TRANSLATION_KEPT_OTHER_ENGLISH  # not of that English


@pytest.mark.django_db
def test_an_approved_translation_waits_for_its_new_english_to_be_approved(library, reviewer):
    earlier = earlier_release_of_article_3(library)
    load_starter_library(library)
    article = Article.objects.get(slug=CAUDA_EQUINA)
    workflow.approve(article, reviewer=reviewer)
    approve_translations()
    new_release(library, earlier)
    report = load_starter_library(library)
    assert report.outcomes[CAUDA_EQUINA] == "new version waiting for clinical review"
    # Patients still read the approved English and Spanish of the last release, which agree with each other.
    assert report.translations[f"{CAUDA_EQUINA} (es)"] == TRANSLATION_KEPT_READ
    assert getattr(localized(Article.objects.get(pk=article.pk), "es"), "translation_notice", "") is None
    workflow.approve(Article.objects.get(pk=article.pk), reviewer=reviewer)  # the new English goes live
    report = load_starter_library(library)
    assert report.translations[f"{CAUDA_EQUINA} (es)"].startswith("updated")
    translation = ArticleTranslation.objects.get(article=article)
    assert first_heading(translation.body) == GO_NOW_ES


# --- A new release of a starter translation that patients read -----------------------------------------------------
# Articles 3, 10 and 15's Spanish put the "go now" signs first. A clinic whose patients read the earlier Spanish, under
# English that did not change, kept it with no one told: the load said "kept" and queued nothing for a reviewer.


def spanish_fix_waiting(library) -> ArticleTranslation:
    """Article 3's earlier Spanish (the same English), approved and read by patients, then this release loaded."""
    earlier = earlier_release_of_article_3(library, english=False)
    load_starter_library(library)
    approve_translations()
    new_release(library, earlier)
    return ArticleTranslation.objects.get(article__slug=CAUDA_EQUINA, language="es")


def first_heading_read_in_spanish(article: Article) -> str:
    shown = localized(Article.objects.get(pk=article.pk), "es")
    assert getattr(shown, "translation_notice", "") is None  # the Spanish, not the English with a notice
    return re.findall(r"<h2[^>]*>([^<]+)</h2>", shown.body_html)[0]


@pytest.mark.django_db
def test_a_spanish_fix_to_a_translation_patients_read_waits_for_a_reviewer_once_and_patients_keep_the_approved_words(
    library,
):
    translation = spanish_fix_waiting(library)
    out = io.StringIO()
    call_command("load_articles", directory=library, stdout=out)
    assert f"1 {TRANSLATION_RELEASE_WAITING}" in out.getvalue()  # the report's count of each outcome
    assert "1 translation(s) have a new release awaiting clinical review" in out.getvalue()
    # Patients read the approved earlier Spanish until a reviewer approves the new release.
    assert first_heading_read_in_spanish(translation.article) != GO_NOW_ES
    assert ArticleTranslation.objects.get(pk=translation.pk).body == translation.body

    again = io.StringIO()
    call_command("load_articles", directory=library, stdout=again)
    assert f"1 {TRANSLATION_RELEASE_STILL_WAITING}" in again.getvalue()
    assert TRANSLATION_RELEASE_WAITING not in again.getvalue()  # not queued a second time
    assert "1 translation(s) have a new release awaiting clinical review" in again.getvalue()
    assert first_heading_read_in_spanish(translation.article) != GO_NOW_ES


@pytest.mark.django_db
def test_a_reviewer_sees_the_waiting_release_with_its_changes_and_approving_it_puts_it_in_front_of_patients(
    library, editor, reviewer
):
    translation = spanish_fix_waiting(library)
    load_starter_library(library)
    url = f"/admin/education/articletranslation/{translation.pk}/change/"
    editors = Client()
    editors.force_login(editor)
    for listing in ("/admin/education/articletranslation/", "/admin/education/article/"):
        assert 'class="badge badge-waiting">New release awaiting review' in editors.get(listing).content.decode()
    article_page = editors.get(f"/admin/education/article/{translation.article_id}/change/").content.decode()
    assert "Spanish (español): Approved: patients read it; a new release awaits clinical review" in article_page
    page = editors.get(url).content.decode()
    assert "A new release of this starter translation waits for clinical review." in page
    assert f'<li class="added">+ ## {GO_NOW_ES}</li>' in page  # what changes, for the reviewer to read
    assert "Approve the new release for patients" not in page  # an editor cannot approve it
    assert editors.post(f"/admin/education/articletranslation/{translation.pk}/approve-release/").status_code == 403

    reviewers = Client()
    reviewers.force_login(reviewer)
    page = reviewers.get(url).content.decode()
    assert "Approve the new release for patients" in page
    shown = re.search(r'name="shown" value="([0-9a-f]+)"', page)
    assert shown is not None
    response = reviewers.post(
        f"/admin/education/articletranslation/{translation.pk}/approve-release/", {"shown": shown.group(1)}
    )
    assert response.status_code == 302
    assert first_heading_read_in_spanish(translation.article) == GO_NOW_ES
    approved = reviewers.get(url).content.decode()
    assert "<strong>Approved</strong> by Riley Reviewer" in approved
    assert "waits for clinical review" not in approved
    assert load_starter_library(library).translations[f"{CAUDA_EQUINA} (es)"] == TRANSLATION_KEPT


@pytest.mark.django_db
def test_a_translators_change_sets_the_waiting_release_aside(library, editor, reviewer):
    translation = spanish_fix_waiting(library)
    load_starter_library(library)
    editors = Client()
    editors.force_login(editor)
    url = f"/admin/education/articletranslation/{translation.pk}/change/"
    words = {"title": "Cauda equina: señales de alarma", "summary": translation.summary, "body": translation.body}
    assert editors.post(url, {**words, "matches_english": "on"}).status_code == 302
    assert load_starter_library(library).translations[f"{CAUDA_EQUINA} (es)"] == TRANSLATION_KEPT_CHANGED
    reviewers = Client()
    reviewers.force_login(reviewer)
    page = reviewers.get(url).content.decode()
    assert "waits for clinical review" not in page
    assert "Approve this translation for patients" in page  # the translator's words, as any change
    assert first_heading(ArticleTranslation.objects.get(pk=translation.pk).body) != GO_NOW_ES


@pytest.mark.django_db
def test_a_waiting_release_is_not_approved_once_the_english_it_translates_has_changed(library, reviewer):
    translation = spanish_fix_waiting(library)
    load_starter_library(library)
    change_english_after_translation(translation.article)
    with pytest.raises(WorkflowError, match=re.escape(MSG_NOT_CURRENT)):
        approve_release(translation, reviewer=reviewer)
    assert first_heading(ArticleTranslation.objects.get(pk=translation.pk).body) != GO_NOW_ES


@pytest.mark.django_db
def test_the_demo_reviewer_approves_a_waiting_release_as_it_approves_a_new_english_release(library, reviewer, settings):
    # A demo database made by `make run` before a release, loaded again after it: the Spanish fix waits like the
    # English articles' new versions, which the demo reviewer approves, so the demo shows what a new one would.
    settings.DEBUG = True
    translation = spanish_fix_waiting(library)
    load_starter_library(library)
    out = io.StringIO()
    call_command("load_demo_reviews", stdout=out)
    assert "and 1 new translation release(s)" in out.getvalue()
    assert first_heading_read_in_spanish(translation.article) == GO_NOW_ES
    assert ArticleTranslation.objects.get(pk=translation.pk).approved_by == reviewer
    again = io.StringIO()
    call_command("load_demo_reviews", stdout=again)
    assert "and 0 new translation release(s)" in again.getvalue()
