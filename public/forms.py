"""The public e-forms' questions, one page each. They type what was typed and say what to put
right; what a submission becomes is in public.services."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms
from django.core.exceptions import ValidationError

from complaints.forms import DateField, _describe_errors, active, limit_text
from complaints.models import Case, EscalationReason, Relationship, ResponseMethod, ServiceArea
from complaints.models import Team as TeamModel
from compliments.models import ComplimentSource

HONEYPOT = "leave_empty"  # a name no browser or password manager fills in
NOT_KNOWN = "none"


class PublicForm(forms.Form):
    """A question page: GOV.UK layout, its main question as the page's heading, length limits
    on every text, and the honeypot a person never sees (rendered by the page template)."""

    submit_label = "Continue"
    # Field name: what to say when it is left empty.
    required_messages: dict[str, str] = {}
    # The field whose label is the page's heading, when the page asks one question.
    question: str | None = None
    # On a page of several questions, how large each question reads.
    question_size: str | None = None

    leave_empty = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, answers: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = answers or {}
        for name, field in self.fields.items():
            _describe_errors(field, self.required_messages.get(name))
        limit_text(self)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.layout = Layout(*self.layout_fields())
        self.helper.layout.append(Button("submit", self.submit_label, type="submit"))

    def layout_fields(self):
        for name, field in self.fields.items():
            if name == HONEYPOT:
                continue
            main = name == self.question
            size = self.question_size
            if isinstance(field.widget, forms.RadioSelect):
                heading = {"legend_size": Size.LARGE, "legend_tag": "h1"} if main else {}
                yield Field.radios(name, **(heading or ({"legend_size": size} if size else {})))
            elif isinstance(field.widget, forms.CheckboxInput):
                yield Field.checkbox(name)
            else:
                heading = {"label_size": Size.for_label(Size.LARGE), "label_tag": "h1"}
                if not main:
                    heading = {"label_size": Size.for_label(size)} if size else {}
                yield Field(name, context=heading)

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT))

    def typed_answers(self) -> dict:
        """The answers as the services take them."""
        return {k: v for k, v in self.cleaned_data.items() if k != HONEYPOT}

    def answer_rows(self) -> list[tuple[str, str]]:
        """(question, answer as typed or chosen) for the check-your-answers page."""
        rows = []
        for name, field in self.fields.items():
            if name == HONEYPOT:
                continue
            value = self.cleaned_data.get(name)
            rows.append((str(field.label).removesuffix(" (optional)"), _shown(field, value)))
        return rows


def _shown(field: forms.Field, value) -> str:
    if value in (None, "", [], NOT_KNOWN):
        if isinstance(field, ServiceOrTeamField) and value == NOT_KNOWN:
            return "I don't know"
        return "Not given"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "strftime"):
        return f"{value:%-d %B %Y}"
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        return str(dict(field.choices).get(value, value))
    return str(value)


class ServiceOrTeamField(forms.ChoiceField):
    """A service area or one of its teams, from the council's organisation, as one list."""

    def __init__(self, *, allow_not_known: bool, **kwargs):
        super().__init__(choices=(), **kwargs)
        self.allow_not_known = allow_not_known

    def load(self):
        areas = list(ServiceArea.objects.order_by("name"))
        by_id = {area.pk: area for area in areas}
        teams: dict[int, list] = {}
        for team in TeamModel.objects.filter(active=True).order_by("name"):
            team.service = by_id[team.service_id]
            teams.setdefault(team.service_id, []).append(team)
        choices = [("", "Choose")]
        if self.allow_not_known:
            choices.append((NOT_KNOWN, "I don't know"))
        for area in areas:
            options = [(f"area-{area.pk}", f"{area.name} (the whole service)")]
            options += [(f"team-{t.pk}", t.name) for t in teams.get(area.pk, [])]
            choices.append((area.name, options))
        self.choices = choices
        self._objects = {f"area-{a.pk}": a for a in areas} | {
            f"team-{t.pk}": t for ts in teams.values() for t in ts
        }

    def clean(self, value):
        value = super().clean(value)
        return self._objects.get(value, value)


def _service_field(label: str, *, allow_not_known: bool) -> ServiceOrTeamField:
    return ServiceOrTeamField(label=label, allow_not_known=allow_not_known)


class ServiceMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].load()

    def service_and_team(self) -> tuple[ServiceArea | None, TeamModel | None]:
        chosen = self.cleaned_data.get("service")
        if isinstance(chosen, TeamModel):
            return chosen.service, chosen
        if isinstance(chosen, ServiceArea):
            return chosen, None
        return None, None

    def typed_answers(self):
        return {"service_and_team": self.service_and_team()}

    def answer_rows(self):
        chosen = self.cleaned_data.get("service")
        shown = "I don't know" if chosen == NOT_KNOWN else str(chosen)
        if isinstance(chosen, TeamModel):
            shown = f"{chosen.name} ({chosen.service.name})"
        return [(str(self.fields["service"].label), shown)]


# --- a complaint ------------------------------------------------------------------------------

WHO = {
    "young_person": "A child or young person",
    "parent": "A parent",
    "carer": "A relative or carer",
    "foster_carer": "A foster carer",
    "other": "Someone else",
}


class WhoForm(PublicForm):
    question = "who"
    required_messages = {"who": "Select who you are"}
    who = forms.ChoiceField(label="Who are you?", choices=WHO.items(), widget=forms.RadioSelect)

    def clean_who(self):
        code = self.cleaned_data["who"]
        relationship = Relationship.objects.filter(code=code, active=True).first()
        if relationship is None:
            raise ValidationError("Select someone else, and tell us who you are in your complaint")
        self.relationship = relationship
        return code

    def typed_answers(self):
        return {**super().typed_answers(), "relationship": self.relationship}


class ForWhomForm(PublicForm):
    question = "for_whom"
    required_messages = {"for_whom": "Select whether the complaint is for you or for a child"}
    for_whom = forms.ChoiceField(
        label="Who is the complaint for?",
        choices=[
            ("myself", "For me"),
            ("child", "For a child or young person, on their behalf"),
        ],
        widget=forms.RadioSelect,
    )


class ChildForm(PublicForm):
    required_messages = {"child_name": "Enter the child's name"}
    child_name = forms.CharField(label="Child's full name", max_length=150)
    child_date_of_birth = DateField(
        label="Child's date of birth (optional)",
        required=False,
        help_text="For example, 27 3 2012",
    )


class ServiceForm(ServiceMixin, PublicForm):
    question = "service"
    required_messages = {"service": "Select the service or team, or select I don't know"}
    service = _service_field(
        "Which service or team is your complaint about?", allow_not_known=True
    )


class WhatHappenedForm(PublicForm):
    question = "what_happened"
    required_messages = {"what_happened": "Tell us what happened"}
    what_happened = forms.CharField(
        label="What happened?",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Tell us what happened, when it happened and who was involved.",
    )


class OutcomeForm(PublicForm):
    question = "outcome"
    required_messages = {"outcome": "Tell us what you would like to happen"}
    outcome = forms.CharField(
        label="What would you like to happen?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For example, an apology, an explanation, a decision looked at again, or a "
        "change to a child's support.",
    )


class ContactForm(PublicForm):
    required_messages = {"name": "Enter your full name"}
    name = forms.CharField(
        label="Full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label="E-mail address (optional)",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={"invalid": "Enter an e-mail address like name@example.com"},
    )
    phone = forms.CharField(
        label="Telephone number (optional)",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    address = forms.CharField(
        label="Postal address (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label="Postcode (optional)",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone") and "email" not in self.errors:
            self.add_error(
                "email", "Enter an e-mail address or a telephone number, so we can reply to you"
            )
        return data


class YoungPersonContactForm(ContactForm):
    """The young person's own details: a name to use, and a way to reach them."""

    name = forms.CharField(label="Your name", max_length=150)
    date_of_birth = DateField(
        label="Your date of birth (optional)", required=False, help_text="For example, 27 3 2010"
    )
    address = None
    postcode = None
    field_order = ["name", "date_of_birth", "email", "phone"]


CONTACT_BY = [
    (Case.ContactBy.EMAIL.value, "By e-mail"),
    (Case.ContactBy.PHONE.value, "By telephone"),
    (Case.ContactBy.POST.value, "By letter"),
]


class ContactByForm(PublicForm):
    question = "contact_by"
    required_messages = {"contact_by": "Select how you would like us to contact you"}
    contact_by = forms.ChoiceField(
        label="How would you like us to contact you?",
        choices=CONTACT_BY,
        widget=forms.RadioSelect,
    )
    # What each way needs from the contact details page.
    NEEDS = {
        "email": (
            "email",
            "You did not give an e-mail address: choose another way, or go back and add one",
        ),
        "phone": (
            "phone",
            "You did not give a telephone number: choose another way, or go back and add one",
        ),
        "post": (
            "address",
            "You did not give a postal address: choose another way, or go back and add one",
        ),
    }

    def clean_contact_by(self):
        way = self.cleaned_data["contact_by"]
        needed, message = self.NEEDS[way]
        if self.answers and not self.answers.get(needed):
            raise ValidationError(message)
        return way


class YoungPersonContactByForm(ContactByForm):
    contact_by = forms.ChoiceField(
        label="How should we get in touch with you?",
        choices=CONTACT_BY[:2],
        widget=forms.RadioSelect,
    )


class SupportForm(PublicForm):
    question = "support"
    support = forms.CharField(
        label="Do you need any support or changes to help you take part? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, an interpreter, British Sign Language, large print, easy read, "
        "or someone you trust with you. Leave it empty if you do not.",
    )


# --- a young person's complaint ---------------------------------------------------------------


class YoungPersonWhatHappenedForm(PublicForm):
    question = "what_happened"
    required_messages = {"what_happened": "Tell us what has happened"}
    what_happened = forms.CharField(
        label="What has happened?",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Use your own words. Write as much or as little as you like.",
    )


class YoungPersonOutcomeForm(PublicForm):
    question = "outcome"
    required_messages = {"outcome": "Tell us what would make things better"}
    outcome = forms.CharField(
        label="What would make things better?",
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class AdvocateForm(PublicForm):
    question = "advocate"
    required_messages = {"advocate": "Select yes if you would like an advocate"}
    advocate = forms.TypedChoiceField(
        label="Would you like an advocate to help you?",
        choices=[("yes", "Yes, please find me an advocate"), ("no", "No, thank you")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        help_text="An advocate is on your side and does not work for the council's social "
        "care teams. They can help you say what you want, and come to meetings with you. "
        "It is free.",
    )


class YoungPersonSupportForm(SupportForm):
    support = forms.CharField(
        label="Is there anything that would help you? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, someone to talk to us with you, an interpreter, or easy read "
        "letters.",
    )


# --- a call-back ------------------------------------------------------------------------------


class CallBackForm(PublicForm):
    required_messages = {
        "name": "Enter your name",
        "phone": "Enter a telephone number we can call you on",
    }
    name = forms.CharField(label="Your name", max_length=150)
    phone = forms.CharField(
        label="Telephone number",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    good_time = forms.CharField(
        label="When is a good time to call? (optional)",
        required=False,
        max_length=200,
        help_text="For example, weekday mornings, or after 3pm.",
    )
    note = forms.CharField(
        label="What would you like to talk about? (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A sentence or two is enough.",
    )


# --- a compliment -----------------------------------------------------------------------------


class ComplimentServiceForm(ServiceMixin, PublicForm):
    question = "service"
    required_messages = {"service": "Select the service or team"}
    service = _service_field(
        "Which service or team is your compliment for?", allow_not_known=False
    )


class ComplimentTextForm(PublicForm):
    question = "text"
    required_messages = {"text": "Tell us what you would like to say"}
    text = forms.CharField(
        label="What would you like to tell us?",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="You can name the people you would like to thank.",
    )


class ComplimentFromForm(PublicForm):
    required_messages = {"source": "Select who you are"}
    source = forms.ModelChoiceField(
        label="Who are you?",
        queryset=ComplimentSource.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    name = forms.CharField(label="Your name (optional)", required=False, max_length=150)
    contact = forms.CharField(
        label="E-mail address or telephone number (optional)",
        required=False,
        max_length=200,
        help_text="Only if you would like us to reply.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = active(ComplimentSource)


class ComplimentConsentForm(PublicForm):
    consent = forms.BooleanField(
        label="You may quote my compliment, without my name, in the council's reports",
        required=False,
    )


# --- asking for the next stage ----------------------------------------------------------------


class EscalationForm(PublicForm):
    submit_label = "Ask for the next stage"
    question_size = Size.MEDIUM
    required_messages = {
        "previous_response_method": "Select how your complaint was responded to",
        "reason": "Select the main reason you are asking for the next stage",
    }
    previous_response_method = forms.ModelChoiceField(
        label="How was your complaint responded to?",
        queryset=ResponseMethod.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    reason = forms.ModelChoiceField(
        label="What is the main reason you are asking for the next stage?",
        queryset=EscalationReason.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    detail = forms.CharField(
        label="What do you disagree with in the response? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Say which parts of the response you disagree with and why.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["previous_response_method"].queryset = active(ResponseMethod)
        self.fields["reason"].queryset = active(EscalationReason)
