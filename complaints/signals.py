from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver

from complaints.models import NonWorkingDay
from complaints.templatetags import filter_forms
from complaints.workingdays import calendars


@receiver([post_save, post_delete], sender=NonWorkingDay)
def _refresh_calendars(**kwargs) -> None:
    calendars.invalidate()


# Sent after cases or their records are written in bulk (the demo, an import), which no save
# signal sees: whatever was counted from the rows before must be counted again.
history_imported = Signal()


@receiver([post_save, post_delete, m2m_changed])
def _refresh_filter_options(sender, update_fields=None, **kwargs) -> None:
    if update_fields and set(update_fields) <= {"last_login"}:
        return  # signing in changes nothing a filter offers
    model = sender._meta.auto_created or sender  # a table of pairs: the model it belongs to
    if model._meta.label in filter_forms.OPTION_MODELS:
        filter_forms.options_changed()


@receiver(history_imported)
def _refresh_filter_options_after_import(**kwargs) -> None:
    filter_forms.options_changed()  # an import may bring teams and areas in bulk
