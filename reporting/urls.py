from django.urls import path

from reporting import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/recount/", views.dashboard_recount, name="dashboard-recount"),
    path("dashboard/tables/<slug:key>.<str:fmt>", views.dashboard_table, name="dashboard-table"),
    path("reports/", views.edition_list, name="edition-list"),
    path("reports/published-figures/", views.published_figures, name="published-figures"),
    path("reports/start/", views.edition_start, name="edition-start"),
    path("reports/<int:pk>/", views.edition_detail, name="edition-detail"),
    path(
        "reports/<int:pk>/code-assessment/",
        views.edition_code_assessment,
        name="edition-code-assessment",
    ),
    path("reports/<int:pk>/preview/", views.edition_preview, name="edition-preview"),
    path("reports/<int:pk>/render/", views.edition_render, name="edition-render"),
    path("reports/<int:pk>/publish/", views.edition_publish, name="edition-publish"),
    path("reports/<int:pk>/new-version/", views.edition_new_version, name="edition-new-version"),
    path("reports/<int:pk>/report.pdf", views.edition_pdf, name="edition-pdf"),
    path("reports/<int:pk>/report.html", views.edition_html, name="edition-html"),
    path("reports/<int:pk>/tables.<str:fmt>", views.edition_tables, name="edition-tables"),
    path(
        "reports/<int:pk>/tables/<slug:key>.<str:fmt>",
        views.edition_tables,
        name="edition-table",
    ),
    path(
        "reports/case-studies/<int:pk>/remove/", views.case_study_remove, name="case-study-remove"
    ),
    path("reports/renderings/<int:pk>/", views.rendering_detail, name="rendering-detail"),
    path("reports/renderings/<int:pk>/report.pdf", views.rendering_pdf, name="rendering-pdf"),
]
