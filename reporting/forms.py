import datetime as dt

from crispy_forms.helper import FormHelper
from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from complaints.forms import LETTER_MAX_LENGTH, CaseworkForm, limit_text
from complaints.models import ServiceArea
from complaints.periods import Period, financial_year_start
from compliments.models import Compliment
from reporting.annual_report import code_requirements
from reporting.counting import DEFAULT, Basis, Counting, OnTimeBase
from reporting.models import NARRATIVE_SECTIONS, CaseStudy, CodeAssessment, Edition
from reporting.services import edition_fingerprint


def _years():
    latest = financial_year_start(timezone.localdate()).year
    return [(y, f"{y}/{str(y + 1)[2:]}") for y in range(latest, latest - 8, -1)]


class PeriodForm(forms.Form):
    """The dashboard's period: a financial year, one of its quarters, or any two dates."""

    KINDS = [("year", "Financial year"), ("quarter", "Quarter"), ("custom", "Dates I choose")]

    kind = forms.ChoiceField(label="Period", choices=KINDS, initial="year", required=False)
    year = forms.TypedChoiceField(label="Financial year", coerce=int, required=False)
    quarter = forms.TypedChoiceField(
        label="Quarter",
        coerce=int,
        required=False,
        choices=[
            (1, "Q1 (April to June)"),
            (2, "Q2 (July to September)"),
            (3, "Q3 (October to December)"),
            (4, "Q4 (January to March)"),
        ],
    )
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    service_area = forms.ModelChoiceField(
        queryset=ServiceArea.objects.order_by("name"),
        required=False,
        empty_label="All service areas",
    )
    basis = forms.ChoiceField(
        label="Stage figures describe", choices=Basis.choices, required=False
    )
    on_time_base = forms.ChoiceField(
        label="“% on time” is a share of", choices=OnTimeBase.choices, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years()

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or "year"
        year = data.get("year") or financial_year_start(timezone.localdate()).year
        if kind == "quarter":
            data["period"] = Period.quarter(year, data.get("quarter") or 1)
        elif kind == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError("Enter both dates of the period.")
            if end < start:
                self.add_error("end", "The end date must be on or after the start date.")
                return data
            if (end - start) > dt.timedelta(days=366 * 5):
                self.add_error("end", "Choose a period of five years or less.")
                return data
            data["period"] = Period.between(start, end)
        else:
            data["period"] = Period.year(year)
        data["counting"] = Counting(
            basis=data.get("basis") or DEFAULT.basis,
            on_time_base=data.get("on_time_base") or DEFAULT.on_time_base,
        )
        return data


class EditionForm(forms.ModelForm):
    """The edition's settings and narrative. How it counts (`basis`, `on_time_base`) is
    chosen once per council, so it matches what the council published before."""

    # What the form showed, so a save after someone else's is refused (complaints.concurrency).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    compliments = forms.ModelMultipleChoiceField(
        queryset=Compliment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Compliments to quote",
        help_text="Those received in the year with consent to publish and an anonymised extract.",
    )

    class Meta:
        model = Edition
        fields = ["title", "small_number_threshold", "basis", "on_time_base", *NARRATIVE_SECTIONS]
        labels = NARRATIVE_SECTIONS | {
            "small_number_threshold": "Show counts below this as “fewer than”"
        }
        widgets = {key: forms.Textarea(attrs={"rows": 6}) for key in NARRATIVE_SECTIONS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _summary_helper()
        period = Period.year(self.instance.year)
        self.fields["compliments"].queryset = Compliment.objects.filter(
            received_on__range=(period.start, period.end), consent_to_publish=True
        ).exclude(extract="")
        self.fields["compliments"].label_from_instance = lambda c: c.extract
        self.initial["compliments"] = list(self.instance.compliments.values_list("pk", flat=True))
        self.initial.setdefault("seen", edition_fingerprint(self.instance))
        for key in ("basis", "on_time_base"):  # left out, they stay as they were
            self.fields[key].required = False
        for key in NARRATIVE_SECTIONS:  # a section of the report may run to pages
            self.fields[key].max_length = LETTER_MAX_LENGTH
            self.fields[key].validators.append(MaxLengthValidator(LETTER_MAX_LENGTH))
        limit_text(self)

    def clean_basis(self):
        return self.cleaned_data["basis"] or self.instance.basis

    def clean_on_time_base(self):
        return self.cleaned_data["on_time_base"] or self.instance.on_time_base


class CodeAssessmentForm(forms.Form):
    """One answer, and its evidence, per requirement of the Complaint Handling Code."""

    def __init__(self, *args, edition: Edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.provisions, answers = code_requirements(edition)
        for p in self.provisions:
            answer = answers.get(p.pk)
            self.fields[f"compliance_{p.pk}"] = forms.ChoiceField(
                label=f"{p.paragraph} {p.label}".strip(),
                choices=[*CodeAssessment.Compliance.choices, ("", "Not assessed yet")],
                required=False,
                widget=forms.RadioSelect,
                initial=answer.compliance if answer else "",
            )
            self.fields[f"evidence_{p.pk}"] = forms.CharField(
                label="Evidence and commentary",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=answer.evidence if answer else "",
            )

        limit_text(self)

    def rows(self):
        return [(self[f"compliance_{p.pk}"], self[f"evidence_{p.pk}"]) for p in self.provisions]

    def answers(self):
        data = self.cleaned_data
        return [(p, data[f"compliance_{p.pk}"], data[f"evidence_{p.pk}"]) for p in self.provisions]


class CaseStudyForm(forms.ModelForm):
    class Meta:
        model = CaseStudy
        fields = ["title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _summary_helper()
        limit_text(self)


def _summary_helper() -> FormHelper:
    """What the GOV.UK error summary reads; the page lays the fields out itself."""
    helper = FormHelper()
    helper.form_tag = False
    return helper


class PublishedFiguresForm(CaseworkForm):
    submit_label = "Load the figures"

    file = forms.FileField(
        label="Spreadsheet of published figures (CSV)",
        error_messages={
            "required": "Select the CSV file of published figures.",
            "empty": "The selected file is empty.",
        },
        help_text="Columns year, table, row and value: one figure a line.",
    )
    source = forms.CharField(
        label="Where were they published? (optional)",
        required=False,
        max_length=200,
        help_text="For example, the annual report 2022/23 on the council's website.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 1_048_576:
            raise forms.ValidationError("The file is larger than 1 MB: it should be a few lines.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not a CSV file saved as text.") from None
