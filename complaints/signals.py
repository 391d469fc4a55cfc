from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from complaints.models import NonWorkingDay
from complaints.workingdays import calendars


@receiver([post_save, post_delete], sender=NonWorkingDay)
def _refresh_calendars(**kwargs) -> None:
    calendars.invalidate()
