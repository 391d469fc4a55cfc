"""The case list's filters. They narrow what `cases_visible_to` already allows, never widen it."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from accounts.roles import Role
from complaints.deadlines import ACTIVE_STATES, OPEN_STATES
from complaints.forms import PersonChoiceField, people
from complaints.models import (
    AgreedAction,
    Case,
    Child,
    Complainant,
    Finding,
    Level,
    Nature,
    Procedure,
    Relationship,
    ServiceArea,
    Stage,
    Team,
)
from complaints.selectors import ACCEPTED, COMPLAINT_RECEIVED
from complaints.workingdays import add_working_days


class PersonFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


def _date_input():
    return forms.DateInput(attrs={"type": "date", "class": "govuk-input govuk-input--width-10"})


class ReceivedBetween(django_filters.FilterSet):
    """The "received from … to …" pair every list in the service offers."""

    received_after = django_filters.DateFilter(
        field_name="received_on", lookup_expr="gte", label="Received from", widget=_date_input()
    )
    received_before = django_filters.DateFilter(
        field_name="received_on", lookup_expr="lte", label="Received to", widget=_date_input()
    )


class CaseFilter(ReceivedBetween):
    kind = django_filters.ChoiceFilter(choices=Case.Kind.choices, empty_label="Any kind")
    procedure = django_filters.ChoiceFilter(
        choices=Procedure.choices, empty_label="Any", method="filter_procedure"
    )
    stage = django_filters.ChoiceFilter(
        field_name="current_stage__level", choices=Level.choices, empty_label="Any stage"
    )
    state = django_filters.ChoiceFilter(
        choices=[("open", "Open: any state with work to do"), *Case.State.choices],
        method="filter_state",
        empty_label="Any state",
    )
    service_area = django_filters.ModelChoiceFilter(
        queryset=ServiceArea.objects.order_by("name"),
        empty_label="Any service area",
        method="filter_service_area",
    )
    joint = django_filters.BooleanFilter(
        label="Include joint complaints that also concern it",
        method="filter_nothing",  # read by filter_service_area
        widget=forms.CheckboxInput,
    )
    team = django_filters.ModelChoiceFilter(
        field_name="current_stage__team",
        queryset=Team.objects.select_related("service").order_by("name"),
        empty_label="Any team",
    )
    officer = PersonFilter(
        queryset=people(Role.COMPLAINTS_OFFICER, Role.COMPLAINTS_MANAGER), empty_label="Anyone"
    )
    due_within = django_filters.ChoiceFilter(
        label="Due within",
        choices=[("5", "5 working days"), ("10", "10 working days"), ("20", "20 working days")],
        method="filter_due_within",
        empty_label="Any time",
    )
    overdue = django_filters.BooleanFilter(
        label="Overdue only", method="filter_overdue", widget=forms.CheckboxInput
    )
    accepted = django_filters.BooleanFilter(
        label="Accepted into a procedure only",
        field_name="procedure",
        method="filter_accepted",
        widget=forms.CheckboxInput,
    )
    complaint = django_filters.BooleanFilter(
        label="Complaints only (accepted, refused or not yet screened)",
        field_name="kind",
        method="filter_complaint",
        widget=forms.CheckboxInput,
    )
    # The dashboard's figures link here with these, to list the cases behind a figure.
    nature = django_filters.ModelChoiceFilter(
        field_name="elements__nature",
        queryset=Nature.objects.all(),
        to_field_name="label",
        distinct=True,
        empty_label="Any nature",
        label="Nature of an element",
    )
    relationship = django_filters.ModelChoiceFilter(
        field_name="complainant__relationship",
        queryset=Relationship.objects.all(),
        to_field_name="label",
        empty_label="Anyone",
        label="Complainant",
    )
    requested_stage = django_filters.ChoiceFilter(
        choices=Level.choices, empty_label="—", label="Stage requested", method="filter_stage"
    )
    responded_stage = django_filters.ChoiceFilter(
        choices=Level.choices, empty_label="—", label="Stage completed", method="filter_stage"
    )
    stage_from = django_filters.DateFilter(
        label="Stage requested or completed from", method="filter_nothing", widget=_date_input()
    )
    stage_to = django_filters.DateFilter(
        label="Stage requested or completed to", method="filter_nothing", widget=_date_input()
    )
    outcome = django_filters.ChoiceFilter(
        choices=Finding.Group.choices,
        empty_label="Any outcome",
        label="Outcome of the stage completed",
        method="filter_nothing",
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("received_on", "received"),
            ("next_due_on", "due"),
            ("state", "state"),
        ),
        field_labels={"received": "Date received", "due": "Due date"},
        label="Sort by",
        empty_label="Newest first",
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, *args, today: dt.date | None = None, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.search = search.strip()

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(state__in=OPEN_STATES)
        return queryset.filter(state=value)

    def filter_due_within(self, queryset, name, value):
        until = add_working_days(self.today, int(value))
        return queryset.filter(
            state__in=ACTIVE_STATES, next_due_on__gte=self.today, next_due_on__lte=until
        )

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(state__in=ACTIVE_STATES, next_due_on__lt=self.today)

    def filter_procedure(self, queryset, name, value):
        """The procedure's cases; with complaint=on, the Children Act's include complaints
        refused or not yet screened before either was chosen, as the statistics count them
        (reporting.statistics.profile_of)."""
        if value == Procedure.STATUTORY and self.form.cleaned_data.get("complaint"):
            return queryset.filter(procedure__in=[value, ""])
        return queryset.filter(procedure=value)

    def filter_accepted(self, queryset, name, value):
        return queryset.filter(ACCEPTED) if value else queryset

    def filter_complaint(self, queryset, name, value):
        return queryset.filter(COMPLAINT_RECEIVED) if value else queryset

    def filter_service_area(self, queryset, name, value):
        if not value:
            return queryset
        if self.form.cleaned_data.get("joint"):
            joint = Case.objects.filter(joint_service_areas=value).values("pk")
            return queryset.filter(Q(service_area=value) | Q(pk__in=joint))
        return queryset.filter(service_area=value)

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by filter_stage

    def filter_stage(self, queryset, name, value):
        """Cases with a stage at that level requested (or completed) between the stage dates,
        with the outcome chosen: as the statistics count stages."""
        date = "requested_on" if name == "requested_stage" else "responded_on"
        data = self.form.cleaned_data
        stages = Stage.objects.filter(level=value)
        if data.get("stage_from"):
            stages = stages.filter(**{f"{date}__gte": data["stage_from"]})
        if data.get("stage_to"):
            stages = stages.filter(**{f"{date}__lte": data["stage_to"]})
        if name == "responded_stage":
            stages = stages.filter(responded_on__isnull=False)
            if data.get("outcome"):
                stages = stages.filter(outcome__group=data["outcome"])
        return queryset.filter(pk__in=stages.values("case_id"))

    @property
    def qs(self):
        cases = super().qs
        if self.search:
            cases = cases.filter(search_q(self.search))
        return cases


# Up to this many matches are worked out once and listed, not matched again for the page
# count and the page; a search that matches more (a letter or two) is left as a subquery.
SEARCH_IDS_LISTED = 10000


def search_q(text: str) -> Q:
    """The cases whose reference ends with `text`, or whose complainant's or child's name
    holds it, or whose child has it as their case system ID. Each branch reads its own
    trigram index on PostgreSQL (migration 0027), rather than every name in turn."""
    branches = _search_branches(text.strip())
    ids = list(branches[0].union(*branches[1:])[: SEARCH_IDS_LISTED + 1])
    if len(ids) <= SEARCH_IDS_LISTED:
        return Q(pk__in=ids)
    return Q(pk__in=branches[0]) | Q(pk__in=branches[1]) | Q(pk__in=branches[2])


def _search_branches(text: str) -> list:
    # A whole reference ends with itself too.
    by_reference = Case.objects.filter(reference__iendswith=text).values_list("pk", flat=True)
    by_complainant = Case.objects.filter(
        complainant__in=Complainant.objects.filter(name__icontains=text)
    ).values_list("pk", flat=True)
    by_child = Case.children.through.objects.filter(
        child__in=Child.objects.filter(
            Q(name__icontains=text) | Q(case_system_reference__iexact=text)
        )
    ).values_list("case_id", flat=True)
    # No ordering in a branch: SQLite refuses it inside a compound query.
    return [q.order_by() for q in (by_reference, by_complainant, by_child)]


class LessonsLearntFilter(django_filters.FilterSet):
    submitted = django_filters.BooleanFilter(
        field_name="submitted_on", lookup_expr="isnull", exclude=True, label="Submitted"
    )
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all())
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")


class AgreedActionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AgreedAction.Status.choices)
    source = django_filters.ChoiceFilter(choices=AgreedAction.Source.choices)
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")
