"""The public forms' pages in order: which question pages each form asks (some only after
certain answers), and how the answers become a call to public.services."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from complaints.models import Relationship
from public import forms, services


@dataclass(frozen=True)
class Step:
    slug: str
    form: type[forms.PublicForm]
    title: str
    # Whether to ask, from the answers to the pages before it.
    asked: Callable[[dict], bool] = lambda answers: True


@dataclass(frozen=True)
class Done:
    """What the confirmation page shows: kept in the submitter's session only."""

    kind: str
    reference: str = ""
    dates: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Flow:
    name: str  # also the URL names' middle part: public-<name>-step
    title: str
    steps: tuple[Step, ...]
    submit: Callable[[dict], Done]
    check_intro: str = ""
    submit_label: str = "Send"


def _iso(day):
    return day.isoformat() if day else ""


def _complaint_done(case) -> Done:
    dates = services.complaint_due_dates(case.received_on)
    return Done(
        kind="complaint",
        reference=case.reference,
        dates={"acknowledge_by": _iso(dates.acknowledge_by), "respond_by": _iso(dates.respond_by)},
    )


def _complaint(answers: dict) -> Done:
    service_area, team = answers["service_and_team"]
    on_behalf = answers.get("for_whom") == "child"
    case = services.complaint_submit(
        services.ComplaintAnswers(
            relationship=answers["relationship"],
            name=answers["name"],
            email=answers.get("email", ""),
            phone=answers.get("phone", ""),
            address=answers.get("address", ""),
            postcode=answers.get("postcode", ""),
            contact_by=answers["contact_by"],
            on_behalf_of_child=on_behalf,
            child_name=answers.get("child_name", "") if on_behalf else "",
            child_date_of_birth=answers.get("child_date_of_birth") if on_behalf else None,
            service_area=service_area,
            team=team,
            what_happened=answers["what_happened"],
            outcome=answers.get("outcome", ""),
            support=answers.get("support", ""),
        )
    )
    return _complaint_done(case)


def _young_person(answers: dict) -> Done:
    case = services.complaint_submit(
        services.ComplaintAnswers(
            relationship=Relationship.objects.get(code="young_person"),
            name=answers["name"],
            email=answers.get("email", ""),
            phone=answers.get("phone", ""),
            contact_by=answers["contact_by"],
            # The child the complaint concerns is the young person themselves.
            child_name=answers["name"],
            child_date_of_birth=answers.get("date_of_birth"),
            what_happened=answers["what_happened"],
            outcome=answers.get("outcome", ""),
            support=answers.get("support", ""),
            advocate=answers["advocate"],
        )
    )
    done = _complaint_done(case)
    return Done(kind="young-person", reference=done.reference, dates=done.dates)


def _call_back(answers: dict) -> Done:
    case = services.call_back_submit(
        name=answers["name"],
        phone=answers["phone"],
        good_time=answers.get("good_time", ""),
        note=answers.get("note", ""),
    )
    return Done(
        kind="call-back", reference=case.reference, dates={"call_by": _iso(case.callback_due_on)}
    )


def _compliment(answers: dict) -> Done:
    service_area, team = answers["service_and_team"]
    services.compliment_submit(
        service_area=service_area,
        team=team,
        text=answers["text"],
        source=answers["source"],
        name=answers.get("name", ""),
        contact=answers.get("contact", ""),
        consent=answers.get("consent", False),
    )
    return Done(kind="compliment", dates={"received_on": _iso(timezone.localdate())})


def _for_a_child(answers: dict) -> bool:
    return answers.get("for_whom") == "child"


COMPLAINT = Flow(
    name="complaint",
    title="Make a complaint about children's social care",
    steps=(
        Step("who", forms.WhoForm, "Who are you?"),
        Step("for-whom", forms.ForWhomForm, "Who is the complaint for?"),
        Step("child", forms.ChildForm, "About the child or young person", _for_a_child),
        Step("service", forms.ServiceForm, "Which service or team is your complaint about?"),
        Step("what-happened", forms.WhatHappenedForm, "What happened?"),
        Step("outcome", forms.OutcomeForm, "What would you like to happen?"),
        Step("contact", forms.ContactForm, "Your contact details"),
        Step("contact-by", forms.ContactByForm, "How would you like us to contact you?"),
        Step("support", forms.SupportForm, "Support or changes to help you"),
    ),
    submit=_complaint,
    submit_label="Send complaint",
)

YOUNG_PERSON = Flow(
    name="young-person",
    title="Tell us what is wrong",
    steps=(
        Step("what-happened", forms.YoungPersonWhatHappenedForm, "What has happened?"),
        Step("outcome", forms.YoungPersonOutcomeForm, "What would make things better?"),
        Step("advocate", forms.AdvocateForm, "Would you like an advocate to help you?"),
        Step("about-you", forms.YoungPersonContactForm, "About you"),
        Step("contact-by", forms.YoungPersonContactByForm, "How should we get in touch?"),
        Step("support", forms.YoungPersonSupportForm, "Is there anything that would help you?"),
    ),
    submit=_young_person,
    submit_label="Send",
)

CALL_BACK = Flow(
    name="call-back",
    title="Ask us to call you back",
    steps=(Step("details", forms.CallBackForm, "Ask us to call you back"),),
    submit=_call_back,
    submit_label="Ask for a call-back",
)

COMPLIMENT = Flow(
    name="compliment",
    title="Send a compliment",
    steps=(
        Step("service", forms.ComplimentServiceForm, "Which service or team is it for?"),
        Step("compliment", forms.ComplimentTextForm, "What would you like to tell us?"),
        Step("about-you", forms.ComplimentFromForm, "About you"),
        Step("consent", forms.ComplimentConsentForm, "May we quote your compliment?"),
    ),
    submit=_compliment,
    submit_label="Send compliment",
)

FLOWS = {flow.name: flow for flow in (COMPLAINT, YOUNG_PERSON, CALL_BACK, COMPLIMENT)}
