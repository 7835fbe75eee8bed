from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "beststart.assessments"
    label = "assessments"
    verbose_name = "Assessments and plans"
