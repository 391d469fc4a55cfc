from django.urls import path

from public import views

# Each form: a start page, its question pages, check your answers, and the confirmation.
PREFIXES = {
    "complaint": "complaint/",
    "young-person": "complaint/young-person/",
    "call-back": "complaint/call-back/",
    "compliment": "compliment/",
}

urlpatterns = [
    path("complaint/next-stage/sent/", views.escalation_done, name="public-escalation-done"),
    path("complaint/next-stage/<str:token>/", views.escalation, name="public-escalation"),
]
for name, prefix in PREFIXES.items():
    urlpatterns += [
        path(prefix, views.start, {"flow": name}, name=f"public-{name}-start"),
        path(
            f"{prefix}questions/<slug:step>/",
            views.question,
            {"flow": name},
            name=f"public-{name}-step",
        ),
        path(f"{prefix}check/", views.check, {"flow": name}, name=f"public-{name}-check"),
        path(f"{prefix}sent/", views.done, {"flow": name}, name=f"public-{name}-done"),
    ]
