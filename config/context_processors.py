from django.conf import settings


def service(request):
    return {
        "COUNCIL_NAME": settings.COUNCIL_NAME,
        "SESSION_IDLE_MINUTES": settings.SESSION_COOKIE_AGE // 60,
    }
