"""The database itself refuses to change or remove families_chronologyevent rows."""

from django.db import migrations

from beststart.core.migrations_helpers import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("families", "0001_initial")]

    operations = [append_only_trigger("families_chronologyevent")]
