from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from complaints.models import NonWorkingDay
from complaints.workingdays import calendars


@receiver([post_save, post_delete], sender=NonWorkingDay)
def _refresh_calendars(**kwargs) -> None:
    calendars.invalidate()


# Sent after cases or their records are written in bulk (the demo, an import), which no save
# signal sees: whatever was counted from the rows before must be counted again.
history_imported = Signal()
