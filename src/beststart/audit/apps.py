from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "beststart.audit"
    label = "audit"
