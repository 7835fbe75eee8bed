from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "beststart.referrals"
    label = "referrals"
    verbose_name = "Referrals"
