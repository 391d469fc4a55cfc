from django.conf import settings

from accounts.roles import is_council_staff


def service(request):
    return {
        "COUNCIL_NAME": settings.COUNCIL_NAME,
        "COMPLAINTS_CONTACT": settings.COMPLAINTS_CONTACT,
        "SESSION_IDLE_MINUTES": settings.SESSION_COOKIE_AGE // 60,
        "is_council_staff": is_council_staff(request.user) if hasattr(request, "user") else False,
    }
