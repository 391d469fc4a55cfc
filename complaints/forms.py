"""Forms for case work. They gather and type the input; the rules live in the workflow and the
services, whose DomainErrors the views put back on the form against the field they name."""

import uuid

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Button, Field, Layout
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html

from accounts.roles import Role, holders
from complaints import costs, documents, learning, pool
from complaints.models import (
    PART_FIELD,
    AdvocacyProvider,
    AgreedAction,
    Appointment,
    Case,
    Channel,
    Child,
    Complainant,
    Contact,
    Document,
    EligibilityGround,
    EscalationReason,
    ExtensionReason,
    Finding,
    Invoice,
    LetterTemplate,
    Level,
    Nature,
    PanelMember,
    Part,
    PoolMember,
    Procedure,
    RefusalReason,
    Relationship,
    RemedyKind,
    ResponseMethod,
    ServiceArea,
    SufficientInterestTest,
    Team,
    WithdrawalReason,
)


def people(*roles: str):
    """Active users holding any of the roles, for a choice list."""
    return (
        holders(*roles)
        .prefetch_related("teams_managed", "services_headed")
        .order_by("first_name", "last_name")
    )


def active(model):
    return model.objects.filter(active=True).order_by("order", "label")


def yes_no_unknown(label: str, unknown: str) -> forms.TypedChoiceField:
    """Yes, no, or not known: True, False or None."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", "Yes"), ("no", "No"), ("", unknown)],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
    )


class PersonChoiceField(forms.ModelChoiceField):
    """A person as a choice: their name, job title, and the teams they manage or the services
    they head, so two team managers can be told apart."""

    def label_from_instance(self, obj):
        label = obj.get_full_name() or obj.username
        if getattr(obj, "job_title", ""):
            label = f"{label}, {obj.job_title}"
        held = [t.name for t in obj.teams_managed.all()] or [
            s.name for s in obj.services_headed.all()
        ]
        return f"{label} ({', '.join(held)})" if held else label


class DateField(DateInputField):
    """A GOV.UK date input (day, month, year) that refuses impossible and future dates."""

    def __init__(self, *, allow_future: bool = False, **kwargs):
        self.allow_future = allow_future
        super().__init__(**kwargs)

    def compress(self, data_list):
        try:
            return super().compress(data_list)
        except ValidationError:
            raise ValidationError("Enter a real date, for example 27 3 2025.") from None

    def clean(self, value):
        day = super().clean(value)
        if day and not self.allow_future and day > timezone.localdate():
            raise ValidationError(f"{self.label or 'The date'} cannot be in the future.")
        if day and day.year < 2000:
            raise ValidationError("Enter a year from 2000 onwards.")
        return day


def _describe_errors(field: forms.Field, message: str | None) -> None:
    """GOV.UK-style messages that say what to do ("Select the reason"), never "This field is
    required"; and "Choose" rather than dashes as a select's empty choice."""
    label = str(field.label or "")
    question = " " in label  # quote a phrase or question; name a single noun
    noun = label[0].lower() + label[1:] if label else "value"
    if isinstance(field, forms.ModelChoiceField) and field.empty_label is not None:
        field.empty_label = "Choose"
    if isinstance(field, DateInputField):
        default = f"Enter the day, month and year for “{label}”"
        field.error_messages["required"] = field.error_messages["incomplete"] = message or default
    elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        default = f"Select an answer for “{label}”" if question else f"Select the {noun}"
        field.error_messages["required"] = message or default
    elif not isinstance(field, forms.FileField | forms.UUIDField):
        default = f"Enter an answer for “{label}”" if question else f"Enter the {noun}"
        field.error_messages["required"] = message or default


# The longest free text a form takes, in characters: a note or a summary runs to pages, not
# megabytes (a 2.4 MB note once made its case page 7 MB). A letter may run longer.
TEXT_MAX_LENGTH = 10_000
LETTER_MAX_LENGTH = 50_000


def limit_text(form: forms.BaseForm) -> None:
    """Every text field gets a length limit (its own, or TEXT_MAX_LENGTH) and a message that
    says the limit and how long the text is; what was typed stays on the form."""
    for field in form.fields.values():
        if not isinstance(field, forms.CharField) or isinstance(field, forms.UUIDField):
            continue
        if field.max_length is None:
            field.max_length = TEXT_MAX_LENGTH
            field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))
        label = str(field.label or "The text").replace("%", "%%")
        field.error_messages["max_length"] = (
            f"“{label}” must be {field.max_length:,} characters or fewer. "
            "It has %(show_value)s: shorten it, or attach the rest as a document."
        )


class CaseworkForm(forms.Form):
    """Every case-work form: GOV.UK layout, one submit button and a one-off token that makes a
    second submit of the same page do nothing (see views.act_once)."""

    submit_label = "Continue"
    submit_css = ""

    submission = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": "This page has expired: open it again and resubmit."},
    )
    # Field name: what to say when it is left empty, where the label alone reads badly.
    required_messages: dict[str, str] = {}

    def __init__(self, *args, submit_label: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission", uuid.uuid4())
        self.submit_label = submit_label or self.submit_label
        for name, field in self.fields.items():
            _describe_errors(field, self.required_messages.get(name))
        limit_text(self)
        self.build_layout()

    def build_layout(self):
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.layout.append(
            Button("submit", self.submit_label, css_class=self.submit_css, type="submit")
        )

    def date_today(self, *names):
        for name in names:
            self.initial.setdefault(name, timezone.localdate())


# --- logging a representation --------------------------------------------------------------


class CaseLogForm(CaseworkForm):
    submit_label = "Log representation"
    required_messages = {
        "kind": "Select what kind of representation it is",
        "received_on": "Enter the date it was received",
        "channel": "Select how it was received",
        "via": "Select whether it came through an MP or councillor",
        "name": "Enter the complainant's full name",
        "relationship": "Select their relationship to the child",
        "parental_responsibility": "Select whether they have parental responsibility",
        "summary": "Enter a summary of the representation",
    }

    kind = forms.ChoiceField(
        label="What kind of representation is it?",
        choices=Case.Kind.choices,
        widget=forms.RadioSelect,
        initial=Case.Kind.COMPLAINT,
    )
    received_on = DateField(label="Date received", help_text="For example, 27 3 2025")
    channel = forms.ModelChoiceField(
        label="How was it received?", queryset=Channel.objects.none(), empty_label="Choose"
    )
    via = forms.ChoiceField(
        label="Was it made through an MP or councillor?",
        choices=Case.Via.choices,
        widget=forms.RadioSelect,
        initial=Case.Via.DIRECT,
    )
    via_name = forms.CharField(label="Name of the MP or councillor", required=False)

    name = forms.CharField(label="Complainant's full name", max_length=150)
    email = forms.EmailField(label="Email address", required=False)
    letters_by_email = forms.BooleanField(
        label="They agree to receive letters by e-mail",
        required=False,
        help_text="Letters then go to this address as well, with the PDF attached.",
    )
    phone = forms.CharField(label="Telephone", required=False, max_length=40)
    address = forms.CharField(
        label="Postal address", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    contact_by = forms.ChoiceField(
        label="How they prefer to be contacted",
        choices=[("", "Not said"), *Case.ContactBy.choices],
        required=False,
    )
    reasonable_adjustments = forms.CharField(
        label="Support or reasonable adjustments they need",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example an interpreter, large print, or a call at a set time.",
    )
    relationship = forms.ModelChoiceField(
        label="Their relationship to the child",
        queryset=Relationship.objects.none(),
        empty_label="Choose",
    )
    parental_responsibility = forms.ChoiceField(
        label="Do they have parental responsibility?",
        choices=Complainant.ParentalResponsibility.choices,
        widget=forms.RadioSelect,
        initial=Complainant.ParentalResponsibility.UNKNOWN,
    )
    on_behalf_of_child = forms.BooleanField(
        label="They are complaining on behalf of a child", required=False
    )

    child_name = forms.CharField(label="Child's full name", required=False, max_length=150)
    child_date_of_birth = DateField(label="Child's date of birth", required=False)
    child_case_system_reference = forms.CharField(
        label="Child's case system ID",
        required=False,
        max_length=40,
        help_text="The child's ID in the social care case system.",
    )
    second_child_name = forms.CharField(
        label="Another child's full name (if any)", required=False, max_length=150
    )
    second_child_case_system_reference = forms.CharField(
        label="That child's case system ID", required=False, max_length=40
    )

    summary = forms.CharField(
        label="Summary of the representation",
        widget=forms.Textarea,
        help_text="What happened, in the complainant's words where possible.",
    )
    outcome_sought_detail = forms.CharField(
        label="Outcome sought, in their words",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    grounds_arose_on = DateField(
        label="When did the matter complained of happen?",
        required=False,
        help_text="A complaint must normally be made within a year.",
    )
    service_area = forms.ModelChoiceField(
        label="Service area", queryset=ServiceArea.objects.none(), required=False
    )
    officer = PersonChoiceField(
        label="Case officer", queryset=get_user_model().objects.none(), required=False
    )
    not_a_repeat = forms.BooleanField(
        label="I have checked the cases listed above and this is a new representation",
        required=False,
    )

    ask_about_repeats = False
    # One set of checkboxes per RemedyKind.Group, so 34 outcomes read as five short lists.
    outcome_groups: list[str] = []

    def build_layout(self):
        def heading(text):
            return HTML(format_html('<h2 class="govuk-heading-m">{}</h2>', text))

        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "submission",
            heading("The representation"),
            Field.radios("kind", small=True),
            "received_on",
            "channel",
            Field.radios("via", small=True),
            "via_name",
            heading("Who made it"),
            "name",
            "relationship",
            Field.radios("parental_responsibility", small=True, inline=True),
            "email",
            Field.checkbox("letters_by_email", small=True),
            "phone",
            "address",
            "postcode",
            "contact_by",
            "reasonable_adjustments",
            Field.checkbox("on_behalf_of_child", small=True),
            heading("The child or children it concerns"),
            "child_name",
            "child_date_of_birth",
            "child_case_system_reference",
            "second_child_name",
            "second_child_case_system_reference",
            heading("What it is about"),
            "summary",
            HTML(
                '<h3 class="govuk-heading-s">What outcome do they want?</h3>'
                '<p class="govuk-body">Tick all that apply, under any heading.</p>'
            ),
            *[Field.checkboxes(name, small=True) for name in self.outcome_groups],
            "outcome_sought_detail",
            "grounds_arose_on",
            "service_area",
            "officer",
            *(["not_a_repeat"] if self.ask_about_repeats else []),
            Button("submit", self.submit_label, type="submit"),
        )

    def ask_to_confirm_not_a_repeat(self):
        self.ask_about_repeats = True
        self.build_layout()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = active(Channel)
        self.fields["relationship"].queryset = active(Relationship)
        self.outcome_groups = []
        kinds = list(active(RemedyKind))
        for group in RemedyKind.Group:
            ids = [k.pk for k in kinds if k.group == group]
            if ids:
                name = f"outcome_sought_{group.value}"
                self.fields[name] = forms.ModelMultipleChoiceField(
                    label=group.label,
                    queryset=active(RemedyKind).filter(pk__in=ids),
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                )
                self.outcome_groups.append(name)
        self.fields["service_area"].queryset = ServiceArea.objects.order_by("name")
        self.fields["officer"].queryset = people(Role.COMPLAINTS_OFFICER, Role.COMPLAINTS_MANAGER)
        self.date_today("received_on")
        self.build_layout()

    def clean(self):
        data = super().clean()
        if data.get("via") != Case.Via.DIRECT and not data.get("via_name", "").strip():
            self.add_error("via_name", "Enter the name of the MP or councillor.")
        if data.get("letters_by_email") and not data.get("email"):
            self.add_error("email", "Enter the email address their letters should go to.")
        if data.get("on_behalf_of_child") and not data.get("child_name", "").strip():
            self.add_error("child_name", "Enter the name of the child they complain for.")
        received, arose = data.get("received_on"), data.get("grounds_arose_on")
        if received and arose and arose > received:
            self.add_error(
                "grounds_arose_on", "The matter cannot have happened after the date received."
            )
        return data

    def complainant(self) -> Complainant:
        d = self.cleaned_data
        return Complainant(
            name=d["name"],
            email=d["email"],
            letters_by_email=d["letters_by_email"],
            phone=d["phone"],
            address=d["address"],
            postcode=d["postcode"],
            relationship=d["relationship"],
            parental_responsibility=d["parental_responsibility"],
        )

    def children(self) -> list[Child]:
        """The children as typed; services.people_on_record finds those already on record."""
        d = self.cleaned_data
        found = []
        for prefix, dob in (("child_", d.get("child_date_of_birth")), ("second_child_", None)):
            name = d.get(f"{prefix}name", "").strip()
            if name:
                ref = d.get(f"{prefix}case_system_reference", "").strip()
                found.append(Child(name=name, date_of_birth=dob, case_system_reference=ref))
        return found

    def case_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "channel": d["channel"],
            "received_on": d["received_on"],
            "summary": d["summary"],
            "outcome_sought": [kind for name in self.outcome_groups for kind in d[name]],
            "outcome_sought_detail": d["outcome_sought_detail"],
            "on_behalf_of_child": d["on_behalf_of_child"],
            "via": d["via"],
            "via_name": d["via_name"],
            "grounds_arose_on": d["grounds_arose_on"],
            "service_area": d["service_area"],
            "officer": d["officer"],
            "contact_by": d["contact_by"],
            "reasonable_adjustments": d["reasonable_adjustments"],
        }


# --- workflow moves ------------------------------------------------------------------------


class AcceptForm(CaseworkForm):
    submit_label = "Accept"
    required_messages = {
        "procedure": "Select the procedure",
        "level": "Select the stage",
        "on": "Enter the date screened",
    }

    procedure = forms.ChoiceField(
        label="Which procedure?", choices=Procedure.choices, widget=forms.RadioSelect
    )
    level = forms.TypedChoiceField(
        label="At which stage?",
        coerce=int,
        choices=[(Level.EARLY_RESOLUTION, Level.EARLY_RESOLUTION.label)]
        + [(Level.LOCAL_RESOLUTION, Level.LOCAL_RESOLUTION.label)],
        widget=forms.RadioSelect,
        initial=Level.LOCAL_RESOLUTION,
    )
    eligibility_ground = forms.ModelChoiceField(
        label="Who may complain under the Children Act 1989",
        queryset=EligibilityGround.objects.none(),
        required=False,
        help_text="Statutory procedure only.",
    )
    sufficient_interest_tests = forms.ModelMultipleChoiceField(
        label="Sufficient interest tests met",
        queryset=SufficientInterestTest.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    late_acceptance_reason = forms.CharField(
        label="Why a complaint made after a year is accepted",
        widget=forms.Textarea,
        required=False,
    )
    on = DateField(label="Date screened")
    send_acknowledgement = forms.BooleanField(
        label="Send the acknowledgement letter now",
        required=False,
        initial=True,
        help_text="It gives the date the response is due, and records the acknowledgement "
        "today. It goes by e-mail too if the complainant agreed to that.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["eligibility_ground"].queryset = active(EligibilityGround)
        self.fields["sufficient_interest_tests"].queryset = active(SufficientInterestTest)
        self.date_today("on")


class RefuseForm(CaseworkForm):
    submit_label = "Refuse"
    submit_css = "govuk-button--warning"

    reason = forms.ModelChoiceField(label="Reason", queryset=RefusalReason.objects.none())
    detail = forms.CharField(label="Explanation", widget=forms.Textarea, required=False)
    on = DateField(label="Date decided")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = active(RefusalReason)
        self.date_today("on")


class OnDateForm(CaseworkForm):
    submit_label = "Save"
    on = DateField(label="Date")

    def __init__(self, *args, on_label: str = "Date", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = on_label
        self.date_today("on")


class AllocateForm(CaseworkForm):
    submit_label = "Allocate"

    team = forms.ModelChoiceField(label="Team", queryset=Team.objects.none(), empty_label="Choose")
    manager = PersonChoiceField(
        label="Responding manager",
        queryset=get_user_model().objects.none(),
        required=False,
        help_text="Leave empty for the team's manager.",
    )
    on = DateField(label="Date allocated")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.select_related("service").order_by(
            "service__name", "name"
        )
        self.fields["manager"].queryset = people(Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE)
        self.date_today("on")


POOL_RADIOS = "complaints/includes/pool_radios.html"


class PoolChoiceField(forms.ModelChoiceField):
    """A pool member, chosen by their sign-in (so the API names them by username): radios with
    the proposals first, each with a hint, then the rest of the pool who take the part."""

    def offer(self, proposed, others) -> None:
        def engagement(member):
            if not member.is_external:
                return "council staff"
            return f"external, {member.engagement.replace('_', '-')}"

        def cases(n):
            return "no open cases" if n == 0 else f"{n} open case{'' if n == 1 else 's'}"

        choices = [
            Choice(
                m.user_id,
                self.label_from_instance(m.user),
                hint=f"Proposed: {cases(m.caseload)}, {engagement(m)}",
            )
            for m in proposed
        ]
        choices += [
            Choice(
                m.user_id,
                self.label_from_instance(m.user),
                hint=f"Not proposed: {why[0].lower()}{why[1:]}. "
                f"{cases(m.caseload).capitalize()}, {engagement(m)}",
            )
            for m, why in others
        ]
        if proposed and others:
            choices[len(proposed) - 1].divider = "or someone else in the pool"
        self.choices = choices

    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class AppointInvestigatorsForm(CaseworkForm):
    """The investigating officer and the independent person from the pool: complaints.pool's
    proposals first (holding the part, available, no conflict, lowest caseload), then anyone
    else in the pool, whom the move checks and may refuse."""

    submit_label = "Appoint"

    investigating_officer = PoolChoiceField(
        label="Investigating officer",
        queryset=get_user_model().objects.none(),
        widget=forms.RadioSelect,
        help_text="Someone in the pool (in the API, their username). Those proposed are free "
        "to take it, fewest open cases first.",
    )
    independent_person = PoolChoiceField(
        label="Independent person",
        queryset=get_user_model().objects.none(),
        widget=forms.RadioSelect,
        required=False,
        help_text="Someone in the pool, not the investigating officer, nor a member or officer "
        "of the council (reg 2).",
    )
    adjudicating_officer = PersonChoiceField(
        label="Adjudicating officer",
        queryset=get_user_model().objects.none(),
        required=False,
        help_text="The senior manager who will adjudicate on the report.",
    )
    on = DateField(label="Date appointed")

    def __init__(self, *args, case: Case | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        in_pool = get_user_model().objects.filter(pool_member__isnull=False)
        stage = case.current_stage if case is not None and case.pk else None
        today = timezone.localdate()
        for name in ("investigating_officer", "independent_person"):
            field = self.fields[name]
            field.queryset = in_pool
            if stage is not None:
                proposed = pool.proposals(stage, Part(name), on=today)
                others = pool.not_proposed(stage, Part(name), on=today, proposed=proposed)
                field.offer(proposed, others)
                if not proposed and not others:
                    field.help_text = "Nobody in the pool takes this part: add someone first."
                self.initial.setdefault(name, getattr(stage, f"{name}_id"))
        self.fields["adjudicating_officer"].queryset = people(
            Role.SENIOR_MANAGER, Role.HEAD_OF_SERVICE
        )
        self.date_today("on")

    def build_layout(self):
        super().build_layout()
        self.helper.layout = Layout(
            "submission",
            Field("investigating_officer", template=POOL_RADIOS),
            Field("independent_person", template=POOL_RADIOS),
            "adjudicating_officer",
            "on",
            Button("submit", self.submit_label, type="submit"),
        )


class PoolMemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = obj.user.get_full_name() or obj.user.username
        caseload = getattr(obj, "caseload", None)
        if caseload is not None:
            label = f"{label} ({caseload} open {'case' if caseload == 1 else 'cases'})"
        return label


class SchedulePanelForm(CaseworkForm):
    """The panel's date, meeting and three people from the pool. The pool's proposals (not
    refused, available, lowest caseload first) are offered first; the move checks whoever is
    chosen. Opened again, it shows the panel as it stands, to change or rearrange it."""

    submit_label = "Schedule panel"

    panel_date = DateField(label="Date of the panel", allow_future=True)
    # A text input: GOV.UK has no time input, and crispy-forms-gds styles text inputs.
    starts = forms.TimeField(
        label="Start time",
        help_text="For example, 10:00",
        error_messages={"invalid": "Enter the start time in hours and minutes, like 10:00"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )
    ends = forms.TimeField(
        label="End time",
        help_text="For example, 13:00",
        error_messages={"invalid": "Enter the end time in hours and minutes, like 13:00"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )
    place = forms.CharField(
        label="Where the panel meets",
        max_length=250,
        help_text="The room and address, or how to join online. It goes in the invitations.",
    )
    chair = PoolMemberChoiceField(label="Chair (independent)", queryset=PoolMember.objects.none())
    member_1 = PoolMemberChoiceField(
        label="Second panel member", queryset=PoolMember.objects.none()
    )
    member_2 = PoolMemberChoiceField(
        label="Third panel member", queryset=PoolMember.objects.none()
    )
    late_reason = forms.CharField(
        label="If the panel meets more than 30 working days after the request, why?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    SEATS = {
        "chair": Part.PANEL_CHAIR,
        "member_1": Part.PANEL_MEMBER,
        "member_2": Part.PANEL_MEMBER,
    }

    def __init__(self, *args, case: Case, **kwargs):
        from complaints import panels, pool

        super().__init__(*args, **kwargs)
        stage = case.current_stage if case.pk else None
        on = timezone.localdate()
        for name, part in self.SEATS.items():
            self.fields[name].queryset = PoolMember.objects.filter(
                Q(left_on__isnull=True) | Q(left_on__gt=on), **{PART_FIELD[part]: True}
            ).select_related("user")
        if stage is None:
            return
        for name, part in self.SEATS.items():
            field = self.fields[name]
            proposed = pool.proposals(stage, part, on=on, limit=10)
            others = field.queryset.exclude(pk__in=[m.pk for m in proposed]).order_by(
                "user__first_name", "user__last_name"
            )
            field.choices = [
                ("", "Choose"),
                (
                    "Proposed: no conflict, available, fewest cases first",
                    _options(field, proposed),
                ),
                ("Others in the pool (checked when you schedule)", _options(field, others)),
            ]
        seats = {s.role: s for s in stage.panel_members.select_related("appointment")}
        members = [s for s in stage.panel_members.all() if s.role == PanelMember.Role.MEMBER]
        for name, seat in (
            ("chair", seats.get(PanelMember.Role.CHAIR)),
            ("member_1", _nth(members, 0)),
            ("member_2", _nth(members, 1)),
        ):
            if seat is not None and seat.appointment_id:
                self.initial.setdefault(name, seat.appointment.member_id)
        meeting = panels.live_meeting(stage)
        if meeting is not None:
            starts = timezone.localtime(meeting.starts_at, panels.LONDON)
            self.initial.setdefault("panel_date", starts.date())
            self.initial.setdefault("starts", f"{starts:%H:%M}")
            self.initial.setdefault(
                "ends", f"{timezone.localtime(meeting.ends_at, panels.LONDON):%H:%M}"
            )
            self.initial.setdefault("place", meeting.place)
            self.submit_label = "Change the panel and send updates"

    def seats(self):
        from complaints.workflow import PanelSeat

        d = self.cleaned_data
        return [
            PanelSeat.from_pool(d["chair"], PanelMember.Role.CHAIR, field="chair"),
            PanelSeat.from_pool(d["member_1"], field="member_1"),
            PanelSeat.from_pool(d["member_2"], field="member_2"),
        ]

    def meeting(self):
        from complaints.panels import Meeting

        d = self.cleaned_data
        return Meeting(starts=d["starts"], ends=d["ends"], place=d["place"])


def _options(field, members) -> list:
    return [(m.pk, field.label_from_instance(m)) for m in members]


def _nth(items: list, index: int):
    return items[index] if index < len(items) else None


class CancelPanelMeetingForm(CaseworkForm):
    submit_label = "Cancel the meeting"
    submit_css = "govuk-button--warning"

    reason = forms.CharField(
        label="Why is the meeting cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept on the case. The e-mails say only that it is cancelled.",
    )


class PanelPapersForm(CaseworkForm):
    submit_label = "Make the panel's papers"


class PanelHeldForm(OnDateForm):
    late_reason = forms.CharField(
        label="If it met more than 30 working days after the request, why?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, on_label="Date the panel was held", **kwargs)


class ArrangeCallBackForm(CaseworkForm):
    submit_label = "Arrange the call-back"

    person = PersonChoiceField(
        label="Who will call back?", queryset=get_user_model().objects.none(), empty_label="Choose"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people(
            Role.TEAM_MANAGER,
            Role.HEAD_OF_SERVICE,
            Role.COMPLAINTS_OFFICER,
            Role.COMPLAINTS_MANAGER,
        )


class CallBackOutcomeForm(CaseworkForm):
    on = DateField(label="Date of the call-back")
    note = forms.CharField(
        label="What was said and agreed", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_today("on")


class AdvocacyForm(CaseworkForm):
    submit_label = "Save advocacy"

    offered_on = DateField(label="Date an advocate was offered")
    accepted = yes_no_unknown("Did they accept the offer?", "Not known yet")
    referred_on = DateField(label="Date referred to the advocacy provider", required=False)
    provider = forms.ModelChoiceField(
        label="Advocacy provider", queryset=AdvocacyProvider.objects.none(), required=False
    )
    advocate_name = forms.CharField(label="Advocate's name", required=False, max_length=150)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        recorded = {  # what is on the case already; a posted form ignores it
            "offered_on": case.advocacy_offered_on,
            "accepted": {True: "yes", False: "no"}.get(case.advocacy_accepted, ""),
            "referred_on": case.advocacy_referred_on,
            "provider": case.advocacy_provider_id,
            "advocate_name": case.advocate_name,
        }
        self.initial.update({k: v for k, v in recorded.items() if v not in (None, "")})
        self.fields["provider"].queryset = active(AdvocacyProvider)
        self.date_today("offered_on")


class ExtendForm(CaseworkForm):
    submit_label = "Extend"

    new_due_on = DateField(label="New due date", allow_future=True)
    reason = forms.ModelChoiceField(label="Reason", queryset=ExtensionReason.objects.none())
    detail = forms.CharField(label="Detail", widget=forms.Textarea, required=False)
    complainant_agreed = yes_no_unknown("Did the complainant agree?", "Not asked")
    informed_on = DateField(label="Date the complainant was told", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = active(ExtensionReason)


class ReasonForm(CaseworkForm):
    """A move whose only input is a reason, e.g. returning a draft or pausing."""

    submit_label = "Save"
    reason = forms.CharField(label="Reason", widget=forms.Textarea)

    def __init__(self, *args, reason_label: str = "Reason", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = reason_label


class PauseForm(ReasonForm):
    submit_label = "Pause"
    on = DateField(label="Date paused")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, reason_label="Why is the case paused?", **kwargs)
        self.date_today("on")


class ConfirmForm(CaseworkForm):
    """A move with nothing to enter: the button confirms it."""


class IssueResponseForm(CaseworkForm):
    submit_label = "Issue response"

    responded_on = DateField(
        label="Date of the response",
        help_text="Today's date is filled in. It is the date on the letter and the date the "
        "complainant's time to ask for the next stage runs from: change it if the response "
        "went earlier.",
    )
    outcome = forms.ModelChoiceField(
        label="Overall outcome",
        queryset=Finding.objects.none(),
        required=False,
        help_text="The stage's finding on the complaint as a whole.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].queryset = active(Finding)
        self.date_today("responded_on")


class EscalateForm(CaseworkForm):
    submit_label = "Record escalation"

    requested_on = DateField(label="Date the next stage was requested")
    reason = forms.ModelChoiceField(
        label="Why do they want to escalate?",
        queryset=EscalationReason.objects.none(),
        required=False,
    )
    previous_response_method = forms.ModelChoiceField(
        label="How was the complaint responded to?",
        queryset=ResponseMethod.objects.none(),
        required=False,
    )
    detail = forms.CharField(label="What they said", widget=forms.Textarea, required=False)
    accept_late = forms.BooleanField(
        label="The request came after the 20 working days and the council accepts it",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = active(EscalationReason)
        self.fields["previous_response_method"].queryset = active(ResponseMethod)
        self.date_today("requested_on")


class WithdrawForm(CaseworkForm):
    submit_label = "Withdraw"
    submit_css = "govuk-button--warning"

    reason = forms.ModelChoiceField(label="Reason", queryset=WithdrawalReason.objects.none())
    detail = forms.CharField(label="Detail", widget=forms.Textarea, required=False)
    on = DateField(label="Date withdrawn")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = active(WithdrawalReason)
        self.date_today("on")


class CloseForm(CaseworkForm):
    submit_label = "Close case"

    reason = forms.CharField(label="Note", widget=forms.Textarea, required=False)
    on = DateField(label="Date closed")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_today("on")


class ReopenForm(CaseworkForm):
    submit_label = "Reopen"

    level = forms.TypedChoiceField(
        label="At which stage?", coerce=int, choices=Level.choices, widget=forms.RadioSelect
    )
    procedure = forms.ChoiceField(
        label="Procedure",
        choices=[("", "Keep the current procedure"), *Procedure.choices],
        required=False,
    )
    reason = forms.CharField(label="Why is it reopened?", widget=forms.Textarea)
    on = DateField(label="Date reopened")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_today("on")


# --- the rest of the case file -------------------------------------------------------------


class EditForm(CaseworkForm):
    """A form that edits saved text. It carries a fingerprint of what it showed, so a save
    made after someone else's is refused rather than lost (complaints.concurrency)."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)


class ElementForm(EditForm):
    submit_label = "Add element"

    summary = forms.CharField(
        label="Element of complaint",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One matter the complainant wants looked at, in plain words.",
    )
    nature = forms.ModelChoiceField(
        label="Nature", queryset=Nature.objects.none(), empty_label="Choose"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nature"].queryset = active(Nature)


class FindingsForm(EditForm):
    """A finding and its reasoning for each element the stage considers."""

    submit_label = "Save findings"

    def __init__(self, *args, element_findings=(), **kwargs):
        super().__init__(*args, **kwargs)
        findings = active(Finding)
        self.rows = []
        for ef in element_findings:
            key = ef.element.number
            self.fields[f"finding_{key}"] = forms.ModelChoiceField(
                label=f"Finding on element {key}: {ef.element.summary[:120]}",
                queryset=findings,
                required=False,
                initial=ef.finding_id,
                empty_label="Choose",
            )
            self.fields[f"reasoning_{key}"] = forms.CharField(
                label=f"Reasoning on element {key}",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                initial=ef.reasoning,
            )
            self.rows.append(ef)
        limit_text(self)
        self.build_layout()


class RemedyForm(CaseworkForm):
    submit_label = "Add remedy"

    kind = forms.ModelChoiceField(
        label="Remedy", queryset=RemedyKind.objects.none(), empty_label="Choose"
    )
    amount = forms.DecimalField(
        label="Amount in pounds", required=False, max_digits=9, decimal_places=2, min_value=0
    )
    detail = forms.CharField(label="Detail", widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = active(RemedyKind)


class LetterStartForm(CaseworkForm):
    submit_label = "Draft letter"

    template = forms.ModelChoiceField(
        label="Letter", queryset=LetterTemplate.objects.none(), empty_label="Choose"
    )

    def __init__(self, *args, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates or LetterTemplate.objects.none()


class LetterForm(EditForm):
    submit_label = "Save draft"

    subject = forms.CharField(label="Subject", max_length=200)
    body = forms.CharField(
        label="Letter text",
        max_length=LETTER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text="Leave a blank line between paragraphs.",
    )


class ContactForm(CaseworkForm):
    submit_label = "Save note"

    kind = forms.ChoiceField(label="Kind of contact", choices=Contact.Kind.choices)
    happened_on = DateField(label="Date")
    with_whom = forms.CharField(label="With whom", required=False, max_length=150)
    note = forms.CharField(label="Note", widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_today("happened_on")


class DocumentForm(CaseworkForm):
    submit_label = "Upload"

    kind = forms.ChoiceField(
        label="What is it?",
        choices=[(k, label) for k, label in Document.Kind.choices if k != Document.Kind.LETTER],
    )
    title = forms.CharField(label="Title", max_length=200)
    file = forms.FileField(
        label="File",
        error_messages={
            "required": "Select a file to upload.",
            "empty": "The selected file is empty.",
        },
        help_text=f"PDF, Word, Excel, text, JPEG or PNG, up to {settings.DOCUMENT_MAX_MB} MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        documents.check_upload(upload)
        return upload


class OfficerForm(CaseworkForm):
    submit_label = "Change officer"

    officer = PersonChoiceField(label="Case officer", queryset=get_user_model().objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = people(Role.COMPLAINTS_OFFICER, Role.COMPLAINTS_MANAGER)


# --- lessons learnt and agreed actions ------------------------------------------------------

ACTION_ROWS = 3


class LessonsLearntForm(CaseworkForm):
    submit_label = "Submit the form"
    required_messages = {"learning": "Say what the service has learnt"}

    what_went_wrong = forms.CharField(
        label="What went wrong?", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    learning = forms.CharField(
        label="What has the service learnt?", widget=forms.Textarea(attrs={"rows": 4})
    )
    applies_beyond_case = forms.TypedChoiceField(
        label="Does the learning apply beyond this case?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    wider_learning = forms.CharField(
        label="Where else does it apply?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Other teams, a procedure, training for everyone who does this work.",
    )
    on = DateField(
        label="Date the form was completed",
        help_text="Today's date is filled in: change it if the form came in earlier.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_today("on")
        owners = people(
            Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.COMPLAINTS_MANAGER, Role.SENIOR_MANAGER
        )
        for n in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{n}_description"] = forms.CharField(
                label=f"Action {n}", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"action_{n}_owner"] = PersonChoiceField(
                label=f"Who owns action {n}?", queryset=owners, required=False
            )
            self.fields[f"action_{n}_due_on"] = DateField(
                label=f"Action {n} due by", required=False, allow_future=True
            )
        for name, field in self.fields.items():
            _describe_errors(field, self.required_messages.get(name))
        limit_text(self)
        self.build_layout()

    def clean(self):
        data = super().clean()
        for n in range(1, ACTION_ROWS + 1):
            text = data.get(f"action_{n}_description", "").strip()
            owner, due = data.get(f"action_{n}_owner"), data.get(f"action_{n}_due_on")
            if text and owner is None:
                self.add_error(f"action_{n}_owner", f"Choose who owns action {n}")
            if text and due is None and f"action_{n}_due_on" not in self.errors:
                self.add_error(f"action_{n}_due_on", f"Enter the date action {n} is due by")
            if not text and (owner or due):
                self.add_error(f"action_{n}_description", f"Describe action {n}")
        return data

    def actions(self):
        from complaints.learning import ActionInput

        d = self.cleaned_data
        return [
            ActionInput(
                d[f"action_{n}_description"].strip(),
                d[f"action_{n}_owner"],
                d[f"action_{n}_due_on"],
            )
            for n in range(1, ACTION_ROWS + 1)
            if d.get(f"action_{n}_description", "").strip()
        ]


def published_summary_field() -> forms.CharField:
    """An action's wording for the annual report, wherever it is written."""
    return forms.CharField(
        label="For the annual report (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=AgreedAction._meta.get_field("published_summary").help_text,
    )


class AgreedActionForm(CaseworkForm):
    submit_label = "Record action"

    source = forms.ChoiceField(
        label="Where does it come from?",
        choices=[c for c in AgreedAction.Source.choices if c[0] != "lessons_learnt"],
        widget=forms.RadioSelect,
    )
    description = forms.CharField(label="Action", widget=forms.Textarea(attrs={"rows": 3}))
    owner = PersonChoiceField(label="Owner", queryset=get_user_model().objects.none())
    due_on = DateField(label="Due by", allow_future=True)
    published_summary = published_summary_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people(
            Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.COMPLAINTS_MANAGER, Role.SENIOR_MANAGER
        )


class ActionCompleteForm(CaseworkForm):
    submit_label = "Mark as done"

    evidence = forms.CharField(
        label="What was done?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The evidence the action is complete: a new procedure, training dates, etc.",
    )
    on = DateField(label="Date completed")
    published_summary = published_summary_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_today("on")
        if not learning.words_for_the_public(user):
            del self.fields["published_summary"]


class HistoryImportForm(CaseworkForm):
    submit_label = "Upload and check"

    file = forms.FileField(
        label="Spreadsheet of cases",
        error_messages={
            "required": "Select the spreadsheet to import.",
            "empty": "The selected file is empty.",
        },
        help_text="CSV or XLSX, laid out as the template.",
    )
    dry_run = forms.TypedChoiceField(
        label="What should happen?",
        choices=[
            ("yes", "Check it only: report every problem and write nothing"),
            ("no", "Import it: write the cases if no row has a problem"),
        ],
        coerce=lambda v: v == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.HISTORY_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is larger than {limit // 1_048_576} MB, the most that can be imported "
                "at once. Split it into several files, for example one per year."
            )
        return upload


# --- what an appointment costs (complaints.costs) -------------------------------------------


class AppointmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return (
            f"{obj.member}, {obj.get_part_display().lower()} at {obj.stage.get_level_display()}"
            f" (£{obj.rate} {obj.get_rate_unit_display()})"
        )


class OwnAppointmentChoiceField(AppointmentChoiceField):
    """Someone recording their own time: their appointments, without the rate as a label."""

    def label_from_instance(self, obj):
        return f"{obj.get_part_display()} at {obj.stage.get_level_display()}"


def _case_appointments(case):
    if case is None or case.pk is None:  # the API's schema reads a blank form
        return Appointment.objects.none()
    return (
        Appointment.objects.filter(stage__case=case)
        .select_related("member__user", "stage")
        .order_by("stage__level", "part", "appointed_on")
    )


class InvoiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return (
            f"Invoice {obj.number} from {obj.appointment.member}, £{obj.amount}, "
            f"received {obj.received_on:%-d %B %Y}"
        )


class TimeEntryForm(CaseworkForm):
    """Amounts are not limited here: complaints.costs refuses a negative one, for the API
    too, in words."""

    submit_label = "Record time and expenses"

    appointment = AppointmentChoiceField(
        label="Whose appointment?", queryset=Appointment.objects.none(), widget=forms.RadioSelect
    )
    worked_on = DateField(label="Date worked")
    quantity = forms.DecimalField(
        label="Time worked",
        required=False,
        max_digits=6,
        decimal_places=2,
        help_text="In days or hours, as the appointment's rate is: for example 1.5.",
    )
    expenses = forms.DecimalField(
        label="Expenses in pounds", required=False, max_digits=9, decimal_places=2
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=200)

    def __init__(self, *args, case=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        appointments = _case_appointments(case)
        if user is not None and not costs.keeps_costs(user):
            # An investigator sees their own appointments only, not others' or their rates.
            field = self.fields["appointment"]
            self.fields["appointment"] = OwnAppointmentChoiceField(
                label=field.label, queryset=appointments, widget=forms.RadioSelect
            )
            appointments = appointments.filter(member__user=user)
        self.fields["appointment"].queryset = appointments
        self.date_today("worked_on")


class InvoiceForm(CaseworkForm):
    submit_label = "Record invoice"
    required_messages = {"amount": "Enter the invoice's amount in pounds"}

    appointment = AppointmentChoiceField(
        label="Whose invoice is it?",
        queryset=Appointment.objects.none(),
        widget=forms.RadioSelect,
    )
    number = forms.CharField(label="Invoice number", max_length=50)
    received_on = DateField(label="Date received")
    amount = forms.DecimalField(label="Amount in pounds", max_digits=9, decimal_places=2)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment"].queryset = _case_appointments(case)
        self.date_today("received_on")


class InvoiceApproveForm(CaseworkForm):
    submit_label = "Approve invoice"

    invoice = InvoiceChoiceField(
        label="Which invoice?", queryset=Invoice.objects.none(), widget=forms.RadioSelect
    )
    on = DateField(label="Date approved")

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Approved ones stay choosable, so approving one twice is refused in words.
        invoices = Invoice.objects.none()
        if case is not None and case.pk is not None:
            invoices = Invoice.objects.filter(appointment__stage__case=case).select_related(
                "appointment__member__user"
            )
        if not self.is_bound:
            invoices = invoices.filter(approved_on__isnull=True)
        self.fields["invoice"].queryset = invoices.order_by("received_on", "pk")
        self.date_today("on")
