from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = "Complaints"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from complaints import signals  # noqa: F401
        from config import audit

        post_save.connect(audit.note_save, dispatch_uid="config.audit.note_save")
