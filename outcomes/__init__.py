"""Outcome measures (issue 12): instruments as data, their scores, and the FHIR R4 export of an intake.

- ``outcomes.instruments``: the Django-free core (definitions read from TOML, scoring, minimal important change).
- ``outcomes.registry``: which instruments this portal has (the shipped ones and OUTCOME_INSTRUMENT_DIRS).
- ``outcomes.fhir``: the published Questionnaire of the pre-visit intake and an intake as a FHIR Bundle.
- ``outcomes.views`` / ``outcomes.urls``: /fhir/Questionnaire/<id>/ (public, no patient data) and the staff download
  /staff/intakes/<pk>/fhir/; ``manage.py export_fhir --intake ID`` prints the same Bundle.

Layering: this app reads intake (the questionnaire catalogue, intake rows) and writes only audit events; nothing
below imports it.
"""
