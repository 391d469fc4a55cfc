"""The sign-in forms, with the GOV.UK layout and error summary every other form has."""

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model


class GovukForm:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False


class CodeForm(GovukForm, forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        error_messages={"required": "Enter the code from your authenticator app"},
        help_text="The 6-digit code your authenticator app shows, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
    )


class PasswordChangeForm(GovukForm, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(GovukForm, auth_forms.PasswordResetForm):
    def get_users(self, email):
        """Also a new account, made without a password so its owner sets one through this
        link; never an account that signs in through the council's identity provider."""
        users = get_user_model()._default_manager.filter(
            email__iexact=email, is_active=True, identity_provider_subject__isnull=True
        )
        return (u for u in users if u.email.casefold() == email.casefold())


class SetPasswordForm(GovukForm, auth_forms.SetPasswordForm):
    pass
