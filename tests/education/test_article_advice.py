"""What the starter articles tell a reader to do agrees with the triage rules, in English and Spanish.

Each test is a sentence a reader would act on: a sign the rules call an emergency is never sent to a routine call,
and one the rules call serious gets a same-day call (docs/clinical/TRIAGE.md, docs/clinical/INTAKE.md,
docs/clinical/ARTICLES.md). The checks read the article files, so they need no database and no rendered page.
"""

from __future__ import annotations

import itertools
import re

import pytest

from education.starter import STARTER_DIR, parse_starter_file, read_starter_translations


def english(number: int) -> str:
    [path] = STARTER_DIR.glob(f"{number:02d}-*.md")
    return " ".join(parse_starter_file(path).body.split())


def spanish(number: int) -> str:
    [path] = STARTER_DIR.glob(f"{number:02d}-*.md")
    slug = parse_starter_file(path).slug
    [translation] = [t for t in read_starter_translations() if t.slug == slug]
    return " ".join(translation.body.split())


def section(body: str, heading: str) -> str:
    """The text from a `## heading` to the next `##` heading (or the end)."""
    start = body.index(f"## {heading}")
    following = body.find("## ", start + 3)
    return body[start : following if following != -1 else len(body)]


def box(body: str) -> str:
    """Article 15's own "When to get help now" box: the blockquote from its bold heading to the next section (it
    opens the article now; to the end of the article, it took in every section after it)."""
    start = body.index("> **")
    end = body.find("## ", start)
    return body[start : end if end != -1 else len(body)]


# --- Article 14: weakness in both legs is CE6, an emergency, not a call to the clinic ---------------------------


def test_article_14_en_does_not_send_legs_getting_weaker_to_a_routine_clinic_call():
    # docs/clinical/TRIAGE.md CE6: weakness in both legs, new or getting worse -> `urgent` (emergency room now), as
    # the article's own help-now box says; its "When to call the clinic" told the reader to phone the clinic for it.
    call = section(english(14), "When to call the clinic")
    assert "legs are getting weaker" not in call
    assert "both legs" in english(14).split("[[get-help-now]]")[0]
    assert "emergency room" in english(14) or "{{ emergency_number }}" in english(14)


def test_article_14_es_does_not_send_legs_getting_weaker_to_a_routine_clinic_call():
    call = section(spanish(14), "Cuándo llamar a la clínica")
    assert "sus piernas se están debilitando" not in call
    assert "dos piernas" in spanish(14).split("[[get-help-now]]")[0]
    assert "sala de emergencias" in spanish(14) or "{{ emergency_number }}" in spanish(14)


# --- Articles 10 and 15: a cancer history with clumsy hands or worse balance is MSCC (urgent) --------------------


def test_article_15_en_emergency_box_lists_clumsy_hands_and_worsening_balance():
    # docs/clinical/TRIAGE.md: MSCC = SP1 and any of ... CM1 (hands newly clumsy, or balance getting worse): urgent.
    emergency = box(english(15)).lower()
    assert "clumsy" in emergency
    assert "balance" in emergency


def test_article_15_es_emergency_box_lists_clumsy_hands_and_worsening_balance():
    emergency = box(spanish(15)).lower()
    assert "torpeza" in emergency or "torpes" in emergency
    assert "equilibrio" in emergency


def test_article_10_en_tells_a_cancer_history_that_clumsy_hands_or_worse_balance_is_an_emergency():
    # The article says "call the same day" for clumsy hands/balance, and its cancer section omits them from the
    # emergency list; for someone with a cancer history the rules make this urgent (MSCC), not a same-day call.
    cancer = section(english(10), "If you have had cancer")
    assert "clumsy" in cancer.lower()
    assert "balance" in cancer.lower()


def test_article_10_es_tells_a_cancer_history_that_clumsy_hands_or_worse_balance_is_an_emergency():
    cancer = section(spanish(10), "Si usted ha tenido cáncer").lower()
    assert "torpeza" in cancer or "torpes" in cancer
    assert "equilibrio" in cancer


# --- Article 3: signs that creep up over weeks count too -----------------------------------------------------------


def test_article_3_en_says_warning_signs_can_also_creep_up_over_weeks():
    # docs/clinical/INTAKE.md step 1: "new or getting worse" rather than only "recent" (a sign that has crept up over
    # weeks counts). The article said the signs come on "over hours or over days" only.
    signs = section(english(3), "The warning signs")
    assert "weeks" in signs


def test_article_3_es_says_warning_signs_can_also_creep_up_over_weeks():
    signs = section(spanish(3), "Las señales de alarma")
    assert "semanas" in signs


# --- Article 18: a weakening leg or foot needs a same-day call (SP12, `serious`) -----------------------------------


def test_article_18_en_asks_for_a_same_day_call_for_a_weakening_leg_or_foot():
    # docs/clinical/TRIAGE.md SP12 is `serious` (a clinician calls the same day); articles 2 and 10 say "the same
    # day", article 18 gave no time frame.
    [sentence] = [s for s in re.split(r"(?<=[.!?])\s", english(18)) if "leg or foot gets weaker" in s]
    assert "same day" in sentence or "today" in sentence


def test_article_18_es_asks_for_a_same_day_call_for_a_weakening_leg_or_foot():
    [sentence] = [s for s in re.split(r"(?<=[.!?])\s", spanish(18)) if "pie se le pone más débil" in s]
    assert "mismo día" in sentence or "hoy" in sentence


# --- Article 3: a reader with an emergency sign reads what to do first ------------------------------------------------
# Article 3 said "go now" in its fourth section, about four phone screens down, after the anatomy. Someone with numb
# saddle skin or new bladder trouble must meet the action (go to an emergency room now, and what to say there) right
# after a short opening paragraph.


def raw_body(number: int, language: str) -> str:
    [path] = STARTER_DIR.glob(f"{number:02d}-*.md")
    article = parse_starter_file(path)
    if language == "en":
        return article.body
    [translation] = [t for t in read_starter_translations() if t.slug == article.slug and t.language == language]
    return translation.body


def opening(body: str) -> tuple[str, str]:
    """The text before the first `##` heading, and the first block after that text's first paragraph."""
    intro, _, rest = body.partition("\n## ")
    first_paragraph, _, after = intro.strip().partition("\n\n")
    return first_paragraph, (after.strip() or "## " + rest)


GO_NOW = {"en": "emergency room now", "es": "sala de emergencias"}
SAY = {"en": 'say: "', "es": 'diga: "'}


@pytest.mark.parametrize("language", ["en", "es"])
def test_article_3_opens_with_going_to_the_emergency_room_now_and_what_to_say(language):
    body = raw_body(3, language)
    intro, first = opening(body)
    assert "\n" not in intro  # a one-paragraph opening, then the action
    headings = re.findall(r"^## (.+)$", body, flags=re.MULTILINE)
    assert first.startswith("## "), first[:80]
    assert GO_NOW[language] in headings[0].lower(), headings[0]
    go_now = section(body, headings[0])
    assert "{{ emergency_number }}" in go_now
    said = go_now[go_now.index(SAY[language]) :].split("\n")[0]
    assert "cauda equina" in said, said
    assert ("bowel" if language == "en" else "intestino") in go_now  # the signs it is for, in the same section


# --- Articles 10 and 15: the same for the other red-flag articles -----------------------------------------------------
# Article 10 (shown after staff called about a red flag) kept bladder-or-bowel trouble and the emergency signs after
# cancer for its last sections; article 15 (cancer history) its "go now" box for the very end.


@pytest.mark.parametrize("language", ["en", "es"])
def test_article_10_opens_with_the_signs_that_cannot_wait(language):
    body = raw_body(10, language)
    intro, first = opening(body)
    assert "\n" not in intro
    heading = re.findall(r"^## (.+)$", body, flags=re.MULTILINE)[0]
    assert first.startswith("## "), first[:80]
    assert GO_NOW[language] in heading.lower(), heading
    go_now = section(body, heading)
    assert "{{ emergency_number }}" in go_now
    # Bladder or bowel trouble, and the cord-compression signs after cancer (clumsy hands, worse balance).
    for words in {
        "en": ("bladder", "cancer", "clumsy", "balance"),
        "es": ("vejiga", "cáncer", "torpeza", "equilibrio"),
    }[language]:
        assert words in go_now.lower(), words


@pytest.mark.parametrize("language", ["en", "es"])
def test_article_15_opens_with_its_get_help_now_box(language):
    intro, first = opening(raw_body(15, language))
    assert "\n" not in intro
    assert first.startswith("> **"), first[:80]
    box_lines = itertools.takewhile(lambda line: line.startswith(">"), first.splitlines())
    assert "{{ emergency_number }}" in " ".join(box_lines)
