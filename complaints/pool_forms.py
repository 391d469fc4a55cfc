"""Forms for keeping the Stage 2 and 3 pool. They gather and type the input; the rules are
complaints.pool's, whose DomainErrors the views put back on the form."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Button, Field, Layout
from django import forms
from django.contrib.auth import get_user_model
from django.utils.html import format_html

from complaints.forms import CaseworkForm, DateField, PersonChoiceField
from complaints.models import Part, PoolCheck, PoolMember, RateUnit, ServiceArea


def _heading(text):
    return HTML(format_html('<h2 class="govuk-heading-m">{}</h2>', text))


class PoolMemberForm(CaseworkForm):
    """Add a member (choosing or making their sign-in) or change one (`adding=False`)."""

    submit_label = "Save"
    required_messages = {
        "rate": "Enter their rate, in pounds",
        "parts": "Select at least one part they may take",
        "engagement": "Select how they are engaged",
    }

    user = PersonChoiceField(
        label="Someone who signs in already",
        queryset=get_user_model().objects.none(),
        required=False,
        help_text="Council staff, or an external person who has a sign-in.",
    )
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    email = forms.EmailField(
        label="E-mail address",
        required=False,
        help_text="They sign in with it, and set their password through “Forgotten password”.",
    )
    organisation = forms.CharField(
        label="Organisation", max_length=150, required=False, help_text="If external."
    )
    engagement = forms.ChoiceField(
        label="How are they engaged?",
        choices=PoolMember.Engagement.choices,
        widget=forms.RadioSelect,
    )
    supplier = forms.CharField(
        label="Agency or framework",
        max_length=150,
        required=False,
        help_text="For example NEPO, or the agency they come through.",
    )
    parts = forms.MultipleChoiceField(
        label="What may they do?",
        choices=Part.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )
    rate = forms.DecimalField(
        label="Rate, in pounds",
        max_digits=8,
        decimal_places=2,
        min_value=0,
        error_messages={
            "invalid": "Enter the rate as a number of pounds, for example 350 or 42.50",
            "min_value": "The rate must be £0 or more",
            "max_digits": "Enter a rate below £1,000,000",
            "max_decimal_places": "Enter the rate to the nearest penny",
        },
    )
    rate_unit = forms.ChoiceField(
        label="Per day or per hour?",
        choices=RateUnit.choices,
        initial=RateUnit.DAY,
        widget=forms.RadioSelect,
    )
    unavailable_until = DateField(
        label="Unavailable until",
        allow_future=True,
        required=False,
        help_text="Leave empty if they can take cases now. For example 27 3 2026.",
    )
    most_cases = forms.IntegerField(
        label="Most cases at once",
        min_value=1,
        max_value=99,
        initial=3,
        error_messages={"min_value": "They must be able to take at least 1 case"},
    )
    conflicts = forms.ModelMultipleChoiceField(
        label="Service areas where they have a conflict of interest",
        queryset=ServiceArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Those they managed or worked in. They are never proposed for these cases.",
    )
    notes = forms.CharField(
        label="Notes", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, adding: bool = True, **kwargs):
        self.adding = adding
        super().__init__(*args, **kwargs)
        if adding:
            in_pool = PoolMember.objects.values("user_id")
            self.fields["user"].queryset = (
                get_user_model()
                .objects.filter(is_active=True)
                .exclude(pk__in=in_pool)
                .prefetch_related("teams_managed", "services_headed")
                .order_by("first_name", "last_name")
            )
        else:
            for name in ("user", "first_name", "last_name", "email", "organisation"):
                del self.fields[name]
        self.fields["conflicts"].queryset = ServiceArea.objects.order_by("name")
        self.build_layout()

    def build_layout(self):
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        sign_in = []
        if self.adding:
            sign_in = [
                _heading("Their sign-in"),
                "user",
                HTML('<p class="govuk-body">Or, for someone with no sign-in, give them one:</p>'),
                "first_name",
                "last_name",
                "email",
                "organisation",
            ]
        self.helper.layout = Layout(
            "submission",
            *sign_in,
            _heading("Their engagement"),
            Field.radios("engagement", small=True),
            "supplier",
            Field.checkboxes("parts", small=True),
            "rate",
            Field.radios("rate_unit", small=True, inline=True),
            _heading("Availability and conflicts"),
            "unavailable_until",
            Field("most_cases", css_class="govuk-input--width-3"),
            Field.checkboxes("conflicts", small=True),
            "notes",
            Button("submit", self.submit_label, type="submit"),
        )

    def clean(self):
        data = super().clean()
        if not self.adding:
            return data
        new = [data.get(name) for name in ("first_name", "last_name", "email")]
        if data.get("user") and any(new):
            self.add_error(
                "user", "Choose someone who signs in already, or give a new sign-in: not both"
            )
        elif not data.get("user") and not any(new) and "email" not in self.errors:
            self.add_error(
                "user", "Choose someone who signs in already, or give a new sign-in's details"
            )
        return data

    def new_user(self) -> dict | None:
        d = self.cleaned_data
        if d.get("user"):
            return None
        return {k: d.get(k, "") for k in ("first_name", "last_name", "email", "organisation")}

    def member_fields(self) -> dict:
        d = self.cleaned_data
        names = ("engagement", "supplier", "rate", "rate_unit")
        return {
            **{k: d[k] for k in names},
            "unavailable_until": d.get("unavailable_until"),
            "most_cases": d["most_cases"],
            "notes": d.get("notes", ""),
        }


class PoolCheckForm(CaseworkForm):
    submit_label = "Record the check"

    kind = forms.ChoiceField(
        label="Kind of check", choices=PoolCheck.Kind.choices, widget=forms.RadioSelect
    )
    detail = forms.CharField(
        label="Detail",
        max_length=200,
        required=False,
        help_text="For example the certificate number or the course.",
    )
    obtained_on = DateField(label="Date obtained")
    expires_on = DateField(label="Date it expires", allow_future=True)


class PoolRemoveForm(CaseworkForm):
    submit_label = "Remove from the pool"
    submit_css = "govuk-button--warning"

    left_on = DateField(label="Date they leave the pool", allow_future=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_today("left_on")
