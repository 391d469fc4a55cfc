"""Staff accounts in the admin.

A complaints manager creates and deactivates accounts and gives them the product's roles, and
nothing else: no superuser flag, no raw groups or permissions, no passwords (people set their
own through "Forgotten your password?"), no change to a superuser's account, and nobody
changes their own roles. Only a superuser grants superuser.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied

from accounts.models import User
from accounts.roles import Role, roles_set, user_roles


class RolesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=Role.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
            help_text="What the person may do. Which cases they see follows from their role "
            "and the teams, services and investigations they are given.",
            **kwargs,
        )


class StaffChangeForm(forms.ModelForm):
    roles = RolesField()

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "job_title",
            "organisation",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["roles"] = sorted(user_roles(self.instance))


class StaffCreationForm(StaffChangeForm):
    """A new account has no password: its owner sets one through the e-mailed reset link, or
    signs in through the council's single sign-on."""

    class Meta(StaffChangeForm.Meta):
        fields = ["username", "first_name", "last_name", "email", "job_title", "organisation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


_PEOPLE = ("username", "first_name", "last_name", "email", "job_title", "organisation")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "job_title", "is_active")
    list_filter = ("groups", "is_active")
    search_fields = ("username", "first_name", "last_name", "email")

    def _superuser(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def get_fieldsets(self, request, obj=None):
        if self._superuser(request):
            base = super().get_fieldsets(request, obj)
            return (*base, ("Role details", {"fields": ("job_title", "organisation", "roles")}))
        if obj is None:
            return ((None, {"fields": (*_PEOPLE, "roles")}),)
        return ((None, {"fields": (*_PEOPLE, "is_active", "roles", "last_login")}),)

    def get_readonly_fields(self, request, obj=None):
        readonly = ["last_login", "date_joined"]
        if obj is not None and not self._superuser(request):
            # The reset link goes to this address: whoever could change it could take the
            # account. The council's IT (a superuser), or single sign-on, changes it.
            readonly.append("email")
        if obj is not None and obj.pk == request.user.pk:
            readonly += ["roles", "is_active", "is_superuser", "is_staff", "groups"]
            readonly += ["user_permissions"]
        return readonly

    def get_form(self, request, obj=None, **kwargs):
        if not self._superuser(request):
            kwargs["form"] = StaffCreationForm if obj is None else StaffChangeForm
        elif obj is None:
            kwargs["form"] = type(
                "SuperuserCreationForm", (self.add_form,), {"roles": RolesField()}
            )
        else:
            kwargs["form"] = type("SuperuserChangeForm", (self.form,), {"roles": RolesField()})
        return super().get_form(request, obj, **kwargs)

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(sorted(Role(r).label for r in user_roles(obj))) or "None"

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not self._superuser(request):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # People are deactivated, not deleted: cases and the access log name them.
        return self._superuser(request) and super().has_delete_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not self._superuser(request):
            raise PermissionDenied("People set their own password through the reset e-mail.")
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        if not self._superuser(request):
            # Whatever was posted, these are a superuser's to give.
            original = User.objects.filter(pk=obj.pk).first() if change else None
            obj.is_superuser = bool(original and original.is_superuser)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        if user.pk != request.user.pk and "roles" in form.cleaned_data:
            roles_set(user, set(form.cleaned_data["roles"]))
        if not self._superuser(request):
            user.user_permissions.clear()
