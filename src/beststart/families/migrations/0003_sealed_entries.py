"""Sealed chronology entries, and the events of consent, safeguarding shares and break-glass.

SQLite rebuilds the table to add a NOT NULL column, which drops its append-only triggers: the
last operation puts them back (on PostgreSQL it replaces them with themselves)."""

from django.db import migrations, models

from beststart.core.migrations_helpers import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0002_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="chronologyevent",
            name="is_sealed",
            field=models.BooleanField(
                default=False,
                help_text="A sealed entry is seen only by the team that recorded it",
                verbose_name="Private to the recording team",
            ),
        ),
        migrations.AlterField(
            model_name="chronologyevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("family_created", "Family record created"),
                    ("member_added", "Member added"),
                    ("person_updated", "Details updated"),
                    ("birth_recorded", "Birth recorded"),
                    ("address_changed", "Address changed"),
                    ("involvement_started", "Involvement started"),
                    ("involvement_ended", "Involvement ended"),
                    ("note", "Note"),
                    ("consent_given", "Consent recorded"),
                    ("consent_withdrawn", "Consent withdrawn"),
                    ("safeguarding_share", "Shared for safeguarding"),
                    ("break_glass", "Emergency access"),
                ],
                max_length=24,
            ),
        ),
        append_only_trigger("families_chronologyevent"),
    ]
