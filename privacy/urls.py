from django.urls import path

from privacy import views

urlpatterns = [
    path("subject-access/", views.subject_access_search, name="subject-access"),
    path(
        "subject-access/<str:kind>/<int:pk>/",
        views.subject_access_person,
        name="subject-access-person",
    ),
    path("retention/", views.retention_review, name="retention"),
    path("retention/hold/", views.hold_new, name="retention-hold"),
    path("retention/hold/<str:reference>/release/", views.hold_release, name="retention-release"),
]
