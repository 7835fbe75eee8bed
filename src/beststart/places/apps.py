from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "beststart.places"
    label = "places"
