import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("intake", "0010_patients_from_invitations")]

    operations = [
        migrations.AlterField(
            model_name="invitation",
            name="patient",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="invitations", to="intake.patient"
            ),
        ),
        migrations.AlterField(
            model_name="intake",
            name="patient",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="intakes", to="intake.patient"
            ),
        ),
    ]
