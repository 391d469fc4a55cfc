import django_filters
from django import forms
from django.contrib.auth import get_user_model

from complaints.filters import ReceivedBetween
from complaints.forms import (
    CaseworkForm,
    DateField,
    HistoryImportForm,
    PersonChoiceField,
    active,
)
from complaints.models import Channel, ServiceArea, Team
from compliments.models import ComplimentSource, ComplimentTheme


class ComplimentForm(CaseworkForm):
    submit_label = "Record compliment"
    required_messages = {
        "received_on": "Enter the date it was received",
        "summary": "Say in a line what the compliment is for",
    }

    received_on = DateField(label="Date received")
    team = forms.ModelChoiceField(
        label="Team complimented", queryset=Team.objects.none(), required=False
    )
    service_area = forms.ModelChoiceField(
        label="Service area",
        queryset=ServiceArea.objects.none(),
        required=False,
        help_text="Leave empty when you chose a team.",
    )
    staff_named = forms.CharField(label="Staff named", required=False, max_length=200)
    staff_member = PersonChoiceField(
        label="Staff member, if they use this service",
        queryset=get_user_model().objects.none(),
        required=False,
    )
    source = forms.ModelChoiceField(
        label="Who is it from?", queryset=ComplimentSource.objects.none()
    )
    channel = forms.ModelChoiceField(label="How did it arrive?", queryset=Channel.objects.none())
    summary = forms.CharField(label="What is it for?", max_length=200)
    full_text = forms.CharField(
        label="The compliment", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    themes = forms.ModelMultipleChoiceField(
        label="Themes",
        queryset=ComplimentTheme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    consent_to_publish = forms.BooleanField(
        label="They agreed it may be quoted, without names", required=False
    )
    extract = forms.CharField(
        label="Anonymised extract for the annual report",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    staff_told_on = DateField(label="Date the staff member was told", required=False)
    manager_told_on = DateField(label="Date their manager was told", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.select_related("service").order_by("name")
        self.fields["service_area"].queryset = ServiceArea.objects.order_by("name")
        self.fields["staff_member"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name")
        )
        self.fields["source"].queryset = active(ComplimentSource)
        self.fields["channel"].queryset = active(Channel)
        self.fields["themes"].queryset = active(ComplimentTheme)
        self.date_today("received_on")

    def clean(self):
        data = super().clean()
        if not data.get("team") and not data.get("service_area"):
            self.add_error("team", "Choose the team complimented, or at least the service area")
        return data


class ComplimentFilter(ReceivedBetween):
    service_area = django_filters.ModelChoiceFilter(
        queryset=ServiceArea.objects.order_by("name"), empty_label="Any service area"
    )
    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.select_related("service").order_by("name"), empty_label="Any team"
    )
    source = django_filters.ModelChoiceFilter(
        queryset=ComplimentSource.objects.all(), empty_label="Anyone"
    )
    themes = django_filters.ModelChoiceFilter(
        queryset=ComplimentTheme.objects.all(), empty_label="Any theme", label="Theme"
    )


class ComplimentImportForm(HistoryImportForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = "Spreadsheet of compliments"
        self.fields["dry_run"].choices = [
            ("yes", "Check it only: report every problem and write nothing"),
            ("no", "Import it: write the compliments if no row has a problem"),
        ]
