from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "beststart.api"
    label = "api"
    verbose_name = "JSON API for partner systems"
