from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The fictional demo council (`manage.py seed_demo`), above every other app."""

    name = "demo"
    verbose_name = "Demo council"
