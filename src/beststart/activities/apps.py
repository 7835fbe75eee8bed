from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "beststart.activities"
    label = "activities"
    verbose_name = "Children's centre activity"
