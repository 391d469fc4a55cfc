from django.apps import AppConfig


class ComplimentsConfig(AppConfig):
    name = "compliments"
