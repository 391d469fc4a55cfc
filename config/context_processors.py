from django.conf import settings


def service(request):
    return {"COUNCIL_NAME": settings.COUNCIL_NAME}
