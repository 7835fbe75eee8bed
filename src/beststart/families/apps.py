from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "beststart.families"
    label = "families"
