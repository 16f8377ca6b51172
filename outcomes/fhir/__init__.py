"""The intake in FHIR R4, built and validated with fhir.resources (its R4B models: R4B changed none of the resources
used here, Questionnaire, QuestionnaireResponse, Patient, Observation and Bundle, from R4; docs/PITFALLS.md,
"Interoperability").

- ``questionnaire``: the Questionnaire the portal publishes for the pre-visit intake form, read generically from
  ``intake.rules.questionnaire`` (field code, kind, label, hint, choices, required), at a canonical URL built from
  SITE_URL.
- ``bundle``: one intake as a Bundle of type collection: the Patient (name, birth date), a QuestionnaireResponse
  (answers by field code) and an Observation for each instrument score its answers give.
- ``codes``: the URLs of the portal's own code systems and of the published Questionnaire.

The Bundle carries patient data: it goes only into the staff download and the output of ``manage.py export_fhir``,
never into a log line. A validation error is reported by the place and kind of the fault only, never with the value
(``validation.FhirInvalid``).
"""
