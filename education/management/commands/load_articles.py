"""Load the starter library of patient-education articles. Safe to run on every deploy (see education/services.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from education.reminders import awaiting_clinical_review, translations_with_a_new_release
from education.services import load_starter_library
from education.starter import STARTER_DIR, StarterFileError


class Command(BaseCommand):
    help = "Create the starter articles and topics; never overwrites an article an editor has changed or deleted."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--directory", type=Path, default=STARTER_DIR, help="Folder of .md article files.")

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        if not directory.is_dir():
            raise CommandError(f"No such folder: {directory}")
        try:
            report = load_starter_library(directory)
        except StarterFileError as error:
            raise CommandError(f"Nothing was loaded. {error}") from error
        for slug, outcome in report.outcomes.items():
            self.stdout.write(f"  {slug}: {outcome}", style_func=None)
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(report.counts().items()))
        self.stdout.write(self.style.SUCCESS(f"Starter articles: {summary}."))
        if report.translations:
            counts = Counter(report.translations.values())
            translated = ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items()))
            self.stdout.write(f"Starter translations: {translated}.")
        waiting = awaiting_clinical_review().count()
        if waiting:
            self.stdout.write(
                f"{waiting} article(s) await clinical review: a member of the Clinical reviewers group approves each "
                "one in the admin (Patient education > Articles, “Review”)."
            )
        releases = translations_with_a_new_release().count()
        if releases:
            self.stdout.write(
                f"{releases} translation(s) have a new release awaiting clinical review: patients read the approved "
                "words until a member of the Clinical reviewers group approves it in the admin (Patient education > "
                "Article translations, “Approve the new release for patients”)."
            )
