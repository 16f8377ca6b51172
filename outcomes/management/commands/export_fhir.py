"""`manage.py export_fhir --intake ID`: print one intake as a FHIR R4 Bundle (JSON) on standard output.

The Bundle holds the patient's name, birth date and answers, so it goes to standard output only, never to a log;
redirect it to a file with care. The export is recorded in the audit trail (no person: a command has none).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import services as audit
from outcomes import exports
from outcomes.fhir.validation import FhirInvalid


class Command(BaseCommand):
    help = "Print one intake as a FHIR R4 Bundle (Patient, QuestionnaireResponse, Observations) in JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--intake", type=int, required=True, help="The intake's number (as on its staff page).")

    def handle(self, *args: Any, **options: Any) -> None:
        intake = exports.intake_for_export(options["intake"], assessed_only=False)
        if intake is None:
            raise CommandError(f"There is no intake {options['intake']}.")
        try:
            bundle = exports.intake_bundle(intake)
        except FhirInvalid as error:
            raise CommandError(str(error)) from None
        audit.record("exported_intakes", intake_id=intake.pk, detail="FHIR R4 Bundle printed by manage.py export_fhir")
        self.stdout.write(exports.as_json(bundle))
