from django.urls import path

from ombudsman import views

urlpatterns = [
    path("", views.ombudsman_list, name="ombudsman-list"),
    path("new/", views.ombudsman_new, name="ombudsman-new"),
    path("<int:pk>/", views.ombudsman_detail, name="ombudsman-detail"),
    path("<int:pk>/decision/", views.decision_record, name="ombudsman-decision"),
    path("<int:pk>/recommendations/", views.recommendation_add, name="ombudsman-recommendation"),
    path(
        "<int:pk>/recommendations/<int:rec>/complied/",
        views.recommendation_complete,
        name="ombudsman-complied",
    ),
    path("<int:pk>/deadlines/", views.deadline_add, name="ombudsman-deadline"),
    path("<int:pk>/deadlines/<int:deadline>/met/", views.deadline_met, name="ombudsman-met"),
    path("<int:pk>/premature/", views.premature_referral, name="ombudsman-premature"),
]
