"""The database itself refuses to change or remove audit_auditevent rows."""

from django.db import migrations

from beststart.core.migrations_helpers import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [append_only_trigger("audit_auditevent")]
