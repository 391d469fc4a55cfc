from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project itself, installed as an app for the commands that span every app
    (`manage.py load_reference_data`)."""

    name = "config"
    verbose_name = "Project"
