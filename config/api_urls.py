"""/api/v1/: every app's endpoints, and the schema they are documented by (/api/schema/,
read at /api/docs/). Both need a sign-in, as every endpoint but the working-days one does."""

from django.urls import path

from complaints.api import actions, learning, letters
from complaints.api.cases import CaseDetailApi, CaseDocumentApi, CaseListApi, WorkingDaysApi
from complaints.api.reference import ReferenceDataApi
from compliments.api import ComplimentListApi
from ombudsman.api import DecisionApi, OmbudsmanDetailApi, OmbudsmanListApi, RecommendationApi
from reporting.views import StatisticsApi

urlpatterns = [
    path("working-days/", WorkingDaysApi.as_view(), name="api-working-days"),
    path("cases/", CaseListApi.as_view(), name="api-cases"),
    path("cases/<str:reference>/", CaseDetailApi.as_view(), name="api-case"),
    path(
        "cases/<str:reference>/documents/<int:pk>/",
        CaseDocumentApi.as_view(),
        name="api-case-document-file",
    ),
    path(
        "cases/<str:reference>/letters/<int:pk>/",
        letters.LetterApi.as_view(),
        name="api-letter",
    ),
    path(
        "cases/<str:reference>/letters/<int:pk>/redraft/",
        letters.LetterRedraftApi.as_view(),
        name="api-letter-redraft",
    ),
    path(
        "cases/<str:reference>/letters/<int:pk>/send/",
        letters.LetterSendApi.as_view(),
        name="api-letter-send",
    ),
    *actions.urlpatterns,
    path("ombudsman/", OmbudsmanListApi.as_view(), name="api-ombudsman"),
    path("ombudsman/<int:pk>/", OmbudsmanDetailApi.as_view(), name="api-ombudsman-case"),
    path("ombudsman/<int:pk>/decision/", DecisionApi.as_view(), name="api-ombudsman-decision"),
    path(
        "ombudsman/<int:pk>/recommendations/",
        RecommendationApi.as_view(),
        name="api-ombudsman-recommendation",
    ),
    path("lessons-learnt/", learning.LessonsLearntListApi.as_view(), name="api-lessons-learnt"),
    path("agreed-actions/", learning.AgreedActionListApi.as_view(), name="api-agreed-actions"),
    path(
        "agreed-actions/<int:pk>/done/",
        learning.AgreedActionDoneApi.as_view(),
        name="api-agreed-action-done",
    ),
    path("compliments/", ComplimentListApi.as_view(), name="api-compliments"),
    path("reference-data/", ReferenceDataApi.as_view(), name="api-reference-data"),
    path("statistics/", StatisticsApi.as_view(), name="api-statistics"),
]
