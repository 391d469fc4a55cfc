from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

handler404 = "config.errors.not_found"

admin.site.site_header = "Complaints service administration"
admin.site.site_title = "Complaints administration"

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("compliments/", include("compliments.urls")),
    path("ombudsman/", include("ombudsman.urls")),
    path("personal-data/", include("privacy.urls")),
    path("", include("public.urls")),
    path("", include("reporting.urls")),
    path("", include("complaints.urls")),
]
