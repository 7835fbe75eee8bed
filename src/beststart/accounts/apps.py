from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "beststart.accounts"
    label = "accounts"
