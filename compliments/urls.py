from django.urls import path

from compliments import views

urlpatterns = [
    path("", views.compliment_list, name="compliment-list"),
    path("new/", views.compliment_new, name="compliment-new"),
    path("import/", views.compliment_import, name="compliment-import"),
    path(
        "import/template.csv",
        views.compliment_import_template,
        name="compliment-import-template",
    ),
]
