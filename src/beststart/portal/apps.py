from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "beststart.portal"
    label = "portal"
    verbose_name = "Pages for parents and carers"
