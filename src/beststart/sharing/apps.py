from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "beststart.sharing"
    label = "sharing"
