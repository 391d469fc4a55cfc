from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and roles"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from accounts import audit_trail, permissions

        post_save.connect(audit_trail.note_save, dispatch_uid="accounts.audit_trail.note_save")
        permissions.watch_roles()
