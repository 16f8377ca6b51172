"""Every existing invitation onto a patient record (issue 12): one record per name, date of birth and e-mail.

Invitations with the same name (ignoring case and spaces at the ends), date of birth and e-mail (ignoring case) were
the same person; each such group becomes one `Patient`, with the newest invitation's language. Their intakes follow
their invitations. Reversing only empties the links (the records are dropped with the table).
"""

from django.db import migrations


def _key(invitation):
    return (invitation.patient_name.strip().casefold(), invitation.date_of_birth, invitation.email.strip().casefold())


def forwards(apps, schema_editor):
    Invitation = apps.get_model("intake", "Invitation")
    Intake = apps.get_model("intake", "Intake")
    Patient = apps.get_model("intake", "Patient")
    patients = {}
    for invitation in Invitation.objects.order_by("-created_at", "-id").iterator(chunk_size=2000):
        key = _key(invitation)
        patient = patients.get(key)
        if patient is None:
            patient = Patient.objects.create(
                name=invitation.patient_name.strip(),
                date_of_birth=invitation.date_of_birth,
                email=invitation.email.strip(),
                language=invitation.language,
            )
            patients[key] = patient
        invitation.patient_id = patient.pk
        invitation.save(update_fields=["patient"])
    for intake in Intake.objects.select_related("invitation").iterator(chunk_size=2000):
        intake.patient_id = intake.invitation.patient_id
        intake.save(update_fields=["patient"])


def backwards(apps, schema_editor):
    apps.get_model("intake", "Intake").objects.update(patient=None)
    apps.get_model("intake", "Invitation").objects.update(patient=None)


class Migration(migrations.Migration):
    dependencies = [("intake", "0009_patients_and_follow_ups")]

    operations = [migrations.RunPython(forwards, backwards)]
