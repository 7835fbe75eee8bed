from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "beststart.care"
    label = "care"
    verbose_name = "Healthy Child Programme"
