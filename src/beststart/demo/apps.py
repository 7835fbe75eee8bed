from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "beststart.demo"
    label = "demo"
