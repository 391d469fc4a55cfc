from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import forms, oidc, views

_reset = {
    "email_template_name": "registration/password_reset_email.txt",
    "form_class": forms.PasswordResetForm,
}

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Single sign-on: these names are the ones mozilla-django-oidc reverses.
    path("sso/", oidc.authentication_init, name="oidc_authentication_init"),
    path("sso/callback/", oidc.authentication_callback, name="oidc_authentication_callback"),
    path("two-factor/", views.two_factor_overview, name="two-factor"),
    path("two-factor/set-up/", views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("two-factor/backup-codes/", views.backup_codes, name="two-factor-backup-codes"),
    path("two-factor/remove/", views.two_factor_remove, name="two-factor-remove"),
    path(
        "password_change/",
        auth_views.PasswordChangeView.as_view(form_class=forms.PasswordChangeForm),
        name="password_change",
    ),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(
            **_reset, success_url=reverse_lazy("password_reset_done")
        ),
        name="password_reset",
    ),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=forms.SetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
