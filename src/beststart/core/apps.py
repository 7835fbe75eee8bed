from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "beststart.core"
    label = "core"
