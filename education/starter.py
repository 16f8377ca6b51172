"""The starter library's files: Markdown with TOML front matter between `+++` lines. Pure parsing, no database.

Clinical sign-off belongs to the clinic that runs the portal: `reviewed_by`, `reviewed_on` and `next_review_due` in a
file are the authors' notes and are not loaded. A loaded article is "awaiting clinical review" until one of the
clinic's reviewers approves it (education/workflow.py); that approval sets the reviewer, the date and the next review.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STARTER_DIR = Path(__file__).resolve().parent / "content" / "articles"

# The topics the starter articles use, in the order patients see them.
STARTER_TOPICS: dict[str, tuple[str, str]] = {
    "running": ("Running", "Training, form and getting back to running with a sore back."),
    "sciatica": ("Sciatica", "Pain, numbness or tingling that travels from the back into the leg."),
    "red-flags": ("Red flags", "Signs that mean you should get checked soon, or today."),
    "self-care": ("Self-care", "What you can do at home while your back settles."),
    "exercise": ("Exercise", "Strength, core and low-impact training that helps your back."),
}

# Their names in the library's other languages, added with them when a topic has none (an editor's own is kept).
STARTER_TOPIC_TRANSLATIONS: dict[str, dict[str, tuple[str, str]]] = {
    "es": {
        "running": ("Correr", "Entrenamiento, técnica y cómo volver a correr con la espalda adolorida."),
        "sciatica": ("Ciática", "Dolor, adormecimiento u hormigueo que baja de la espalda a la pierna."),
        "red-flags": ("Señales de alerta", "Señales de que debe hacerse revisar pronto, o hoy mismo."),
        "self-care": ("Cuidado en casa", "Lo que puede hacer en casa mientras su espalda se calma."),
        "exercise": ("Ejercicio", "Fuerza, abdomen y ejercicio de bajo impacto que ayudan a su espalda."),
    },
}

REQUIRED_KEYS = ("title", "slug", "summary", "topics", "sources")
# Read when present (checked, so a typo still fails the load), never loaded: see the module docstring.
AUTHORS_REVIEW_KEYS = ("reviewed_on", "next_review_due")


class StarterFileError(ValueError):
    """A starter file that cannot be loaded; the message names the file and what is wrong."""


@dataclass(frozen=True)
class StarterArticle:
    title: str
    slug: str
    summary: str
    body: str
    topics: tuple[str, ...]
    featured: bool
    related: tuple[str, ...]
    author: str
    sources: tuple[str, ...]
    source_sha256: str


def _front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    """A file's TOML front matter (between the first two `+++` lines) and the body after it; `name` for errors."""
    parts = text.split("+++\n", 2)
    if len(parts) != 3 or parts[0].strip():
        raise StarterFileError(f"{name}: expected front matter between two '+++' lines at the top.")
    try:
        return tomllib.loads(parts[1]), parts[2]
    except tomllib.TOMLDecodeError as error:
        raise StarterFileError(f"{name}: front matter is not valid TOML ({error}).") from error


def parse_starter_file(path: Path) -> StarterArticle:
    text = path.read_text(encoding="utf-8")
    meta, body = _front_matter(text, path.name)
    missing = [key for key in REQUIRED_KEYS if not meta.get(key)]
    if missing:
        raise StarterFileError(f"{path.name}: missing {', '.join(missing)}.")
    unknown = [topic for topic in meta["topics"] if topic not in STARTER_TOPICS]
    if unknown:
        raise StarterFileError(f"{path.name}: unknown topic {', '.join(unknown)}.")
    for key in AUTHORS_REVIEW_KEYS:
        if key in meta and not isinstance(meta[key], datetime.date):
            raise StarterFileError(f"{path.name}: {key} must be a date like 2026-10-15.")
    return StarterArticle(
        title=meta["title"],
        slug=meta["slug"],
        summary=meta["summary"],
        body=body.strip() + "\n",
        topics=tuple(meta["topics"]),
        featured=bool(meta.get("featured", False)),
        related=tuple(meta.get("related", ())),
        author=meta.get("author", ""),
        sources=tuple(meta["sources"]),
        source_sha256=hashlib.sha256(text.encode()).hexdigest(),
    )


def read_starter_library(directory: Path = STARTER_DIR) -> list[StarterArticle]:
    return [parse_starter_file(path) for path in sorted(directory.glob("*.md"))]


@dataclass(frozen=True)
class StarterTranslation:
    """A starter article in another language: `<language>/<the English file's name>`, front matter `slug` (the
    English article's), `title` and `summary`, then the body. Placeholders and boxes as in the English."""

    language: str
    slug: str
    title: str
    summary: str
    body: str


TRANSLATION_KEYS = ("slug", "title", "summary")


def parse_translation_file(path: Path, language: str) -> StarterTranslation:
    name = f"{language}/{path.name}"
    meta, body = _front_matter(path.read_text(encoding="utf-8"), name)
    missing = [key for key in TRANSLATION_KEYS if not meta.get(key)]
    if missing or not body.strip():
        raise StarterFileError(f"{name}: missing {', '.join(missing) or 'the body'}.")
    return StarterTranslation(language, meta["slug"], meta["title"], meta["summary"], body.strip() + "\n")


RELEASED_FILE = "released.txt"
_RELEASED_LINE = re.compile(r"(?P<slug>[a-z0-9-]+) (?P<sha256>[0-9a-f]{64})")


def read_released_translations(
    directory: Path = STARTER_DIR, languages: tuple[str, ...] = ("es",)
) -> dict[tuple[str, str], frozenset[str]]:
    """The hashes of every version of each starter translation that a release shipped, by (language, slug), from
    `<language>/released.txt` (none when a folder has no such file). Words with one of these hashes are the starter's
    own, unchanged by any translator since a release loaded them (education/services.py)."""
    released: dict[tuple[str, str], set[str]] = {}
    for language in languages:
        path = directory / language / RELEASED_FILE
        if not path.exists():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            match = _RELEASED_LINE.fullmatch(line.strip())
            if match is None:
                raise StarterFileError(f"{language}/{RELEASED_FILE} line {number}: expected '<slug> <sha256>'.")
            released.setdefault((language, match["slug"]), set()).add(match["sha256"])
    return {key: frozenset(hashes) for key, hashes in released.items()}


def read_starter_translations(
    directory: Path = STARTER_DIR, languages: tuple[str, ...] = ("es",)
) -> list[StarterTranslation]:
    """Every translation file in the library's language folders (`es/`), in file order."""
    return [
        parse_translation_file(path, language)
        for language in languages
        for path in sorted((directory / language).glob("*.md"))
    ]
