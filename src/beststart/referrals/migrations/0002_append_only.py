from django.db import migrations

from beststart.core.migrations_helpers import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    # A referral's history is what the referrer is shown: steps are added, never changed.
    operations = [append_only_trigger("referrals_referralstep")]
