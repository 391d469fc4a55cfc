import django_filters
from django import forms
from django.contrib.auth import get_user_model

from accounts.roles import Role
from complaints.filters import ReceivedBetween
from complaints.forms import (
    CaseworkForm,
    DateField,
    PersonChoiceField,
    active,
    people,
    yes_no_unknown,
)
from complaints.models import Case, Level, ServiceArea
from ombudsman import services
from ombudsman.models import Decision, OmbudsmanCase, OmbudsmanDeadline, RecommendationKind


class OmbudsmanCaseForm(CaseworkForm):
    submit_label = "Record Ombudsman case"
    required_messages = {"reference": "Enter the Ombudsman's reference"}

    reference = forms.CharField(
        label="LGSCO reference", max_length=20, help_text="For example, 24 004 450"
    )
    received_on = DateField(label="Date the Ombudsman contacted the council")
    route = forms.ChoiceField(
        label="Stage at the Ombudsman",
        choices=OmbudsmanCase.Route.choices,
        widget=forms.RadioSelect,
        initial=OmbudsmanCase.Route.ASSESSMENT,
    )
    complaint_references = forms.CharField(
        label="Complaint references",
        required=False,
        help_text="The council's references of the complaints it concerns, separated by "
        "commas, e.g. CSC-2025-00123. Leave empty if it reached the Ombudsman directly.",
    )
    service_area = forms.ModelChoiceField(
        label="Service area", queryset=ServiceArea.objects.none(), required=False
    )
    summary = forms.CharField(
        label="Summary", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    enquiry_response_due_on = DateField(
        label="Response to the Ombudsman's enquiries due by", required=False, allow_future=True
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["service_area"].queryset = ServiceArea.objects.order_by("name")
        self.date_today("received_on")

    def clean_complaint_references(self):
        from complaints.selectors import cases_visible_to

        refs = [r.strip().upper() for r in self.cleaned_data["complaint_references"].split(",")]
        refs = [r for r in refs if r]
        found = list(cases_visible_to(self.user).filter(reference__in=refs))
        missing = sorted(set(refs) - {c.reference for c in found})
        if missing:
            raise forms.ValidationError(f"No complaint with reference {', '.join(missing)}")
        return found

    def record(self, *, by):
        """The case these answers describe (for the page and the API alike)."""
        d = self.cleaned_data
        return services.ombudsman_case_create(
            reference=d["reference"],
            received_on=d["received_on"],
            by=by,
            complaints=d["complaint_references"],
            service_area=d["service_area"],
            route=d["route"],
            summary=d["summary"],
            enquiry_response_due_on=d["enquiry_response_due_on"],
        )


class DecisionForm(CaseworkForm):
    submit_label = "Record decision"

    decision = forms.ModelChoiceField(
        label="The Ombudsman's decision", queryset=Decision.objects.none()
    )
    route = forms.ChoiceField(
        label="Stage at the Ombudsman",
        choices=OmbudsmanCase.Route.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Upheld and not upheld decisions follow an investigation.",
    )
    draft_decision_on = DateField(label="Date of the draft decision", required=False)
    decision_on = DateField(label="Date of the final decision")
    remedied_before_decision = yes_no_unknown(
        "Had the council already remedied the complaint before the decision?", "Not known"
    )
    published_summary = forms.CharField(
        label="For the annual report (optional)",
        help_text="A summary the annual report may print: what it was about, what the "
        "Ombudsman found and what the council did. Write it so it identifies no one.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
    )
    public_report = forms.ChoiceField(
        label="Public report",
        choices=OmbudsmanCase.PublicReport.choices,
        required=False,
        widget=forms.RadioSelect,
        initial="",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = active(Decision)
        self.date_today("decision_on")

    def record(self, case):
        d = self.cleaned_data
        return services.decision_record(
            case,
            decision=d["decision"],
            decision_on=d["decision_on"],
            draft_decision_on=d["draft_decision_on"],
            public_report=d["public_report"],
            route=d["route"],
            remedied_before_decision=d["remedied_before_decision"],
            published_summary=d["published_summary"],
        )


class RecommendationForm(CaseworkForm):
    submit_label = "Add recommendation"

    kind = forms.ModelChoiceField(
        label="Recommendation", queryset=RecommendationKind.objects.none()
    )
    amount = forms.DecimalField(
        label="Amount in pounds", required=False, max_digits=9, decimal_places=2, min_value=0
    )
    detail = forms.CharField(
        label="Detail", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    due_on = DateField(label="Due by", allow_future=True)
    owner = PersonChoiceField(
        label="Who will see it done?", queryset=get_user_model().objects.none()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = active(RecommendationKind)
        self.fields["owner"].queryset = people(
            Role.COMPLAINTS_MANAGER,
            Role.COMPLAINTS_OFFICER,
            Role.HEAD_OF_SERVICE,
            Role.SENIOR_MANAGER,
        )

    def record(self, case, *, by):
        d = self.cleaned_data
        return services.recommendation_add(
            case,
            by=by,
            kind=d["kind"],
            amount=d["amount"],
            detail=d["detail"],
            due_on=d["due_on"],
            owner=d["owner"],
        )


class ComplianceForm(CaseworkForm):
    submit_label = "Record as complied with"

    evidence = forms.CharField(label="Evidence", widget=forms.Textarea(attrs={"rows": 3}))
    on = DateField(label="Date complied with")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_today("on")


class DeadlineForm(CaseworkForm):
    submit_label = "Add deadline"

    kind = forms.ChoiceField(label="What is due?", choices=OmbudsmanDeadline.Kind.choices)
    due_on = DateField(label="Due by", allow_future=True)


class PrematureForm(CaseworkForm):
    submit_label = "Reopen the complaint"

    complaint = forms.ModelChoiceField(label="Complaint", queryset=Case.objects.none())
    level = forms.TypedChoiceField(
        label="Reopen it at",
        coerce=int,
        choices=Level.choices,
        widget=forms.RadioSelect,
        initial=Level.LOCAL_RESOLUTION,
    )

    def __init__(self, *args, complaints=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["complaint"].queryset = (
            complaints if complaints is not None else Case.objects.none()
        )
        self.fields["complaint"].empty_label = None


class OmbudsmanFilter(ReceivedBetween):
    decision__group = django_filters.ChoiceFilter(
        choices=Decision.Group.choices, label="Decision", empty_label="Any decision"
    )
    route = django_filters.ChoiceFilter(choices=OmbudsmanCase.Route.choices, empty_label="Any")
    undecided = django_filters.BooleanFilter(
        label="Awaiting decision only", method="filter_undecided", widget=forms.CheckboxInput
    )

    def filter_undecided(self, queryset, name, value):
        # An unticked box means "all", not "decided only".
        return queryset.filter(decision__isnull=True) if value else queryset
