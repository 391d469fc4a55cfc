from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from complaints.api import CaseListApi, WorkingDaysApi
from reporting.views import StatisticsApi

admin.site.site_header = "Complaints service administration"
admin.site.site_title = "Complaints administration"

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/working-days/", WorkingDaysApi.as_view(), name="api-working-days"),
    path("api/v1/cases/", CaseListApi.as_view(), name="api-cases"),
    path("api/v1/statistics/", StatisticsApi.as_view(), name="api-statistics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("compliments/", include("compliments.urls")),
    path("ombudsman/", include("ombudsman.urls")),
    path("personal-data/", include("privacy.urls")),
    path("", include("reporting.urls")),
    path("", include("complaints.urls")),
]
