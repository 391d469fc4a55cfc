from django.apps import AppConfig


class OmbudsmanConfig(AppConfig):
    name = "ombudsman"
