from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Pre-visit intake"

    def ready(self) -> None:
        # What the intake's e-mails say, rendered when the messaging app sends them (messaging never imports intake).
        from clinic_portal.language_choice import language_chosen
        from intake import patient_session, tasks

        tasks.register_messages()
        # A language the patient picks on their form is kept with their invitation.
        language_chosen.connect(patient_session.remember_language, dispatch_uid="intake.remember_language")
        # The emergency advice a birth-date page gave a moment ago, again in the language just chosen.
        language_chosen.connect(
            patient_session.advice_again_in_new_language, dispatch_uid="intake.advice_again_in_new_language"
        )
        # ... and the advice the consent page gave for a page sent before the consent (intake.before_consent).
        language_chosen.connect(
            patient_session.advice_before_consent_again, dispatch_uid="intake.advice_before_consent_again"
        )
        # ... and the page a visit's page sent during a follow-up got, with its advice (intake.late_pages).
        language_chosen.connect(patient_session.visit_page_again, dispatch_uid="intake.visit_page_again")
