from django.urls import path

from compliments import views

urlpatterns = [
    path("", views.compliment_list, name="compliment-list"),
    path("new/", views.compliment_new, name="compliment-new"),
]
