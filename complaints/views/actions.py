"""One page per action on a case: a form, and the workflow move or service it calls.

ACTION_PAGES pairs each access.ACTIONS slug with its form and what to do with the cleaned data.
The generic view does the rest the same way every time: 404/403 through complaints.access, the
one-off submission token, DomainErrors back onto the form, a message and the case page.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from complaints import access, documents, forms, learning, letters, services, workflow
from complaints.errors import DomainError, StaleEdit
from complaints.models import Element, Letter, LetterKind, Remedy
from complaints.views.submission import AlreadySubmitted, claim_submission, put_error


@dataclass(frozen=True)
class ActionPage:
    form: type
    perform: Callable  # (case, user, cleaned_data, form) -> anything
    done: str
    form_kwargs: Callable = field(default=lambda case: {})
    intro: str = ""
    anchor: str = ""
    # What is saved now, shown beside the typed text when an edit came too late (StaleEdit).
    saved_now: Callable = field(default=lambda case: [])
    # More for the page to show above the form, e.g. the draft a quality check reads.
    context: Callable = field(default=lambda case: {})


def _on(label: str):
    return lambda case: {"on_label": label}


def _date_move(move, label: str, done: str) -> ActionPage:
    return ActionPage(
        forms.OnDateForm,
        lambda c, u, d, f: move(c, by=u, on=d["on"]),
        done,
        form_kwargs=_on(label),
    )


def _remedy_add(case, user, d, form):
    return services.remedy_add(
        stage=case.current_stage, kind=d["kind"], amount=d["amount"], detail=d["detail"]
    )


def _findings(case, user, d, form):
    services.findings_record(
        stage=case.current_stage,
        findings=[
            (
                ef.element,
                d[f"finding_{ef.element.number}"],
                d.get(f"reasoning_{ef.element.number}", ""),
            )
            for ef in form.rows
            if d.get(f"finding_{ef.element.number}") is not None
        ],
        seen=d.get("seen"),
    )


def _document(case, user, d, form):
    return documents.document_add(
        case=case, by=user, kind=d["kind"], title=d["title"], upload=d["file"]
    )


ACTION_PAGES: dict[str, ActionPage] = {
    "accept": ActionPage(
        forms.AcceptForm,
        lambda c, u, d, f: services.case_accept(
            case=c,
            by=u,
            send_acknowledgement=d["send_acknowledgement"],
            procedure=d["procedure"],
            level=d["level"],
            eligibility_ground=d["eligibility_ground"],
            sufficient_interest_tests=d["sufficient_interest_tests"],
            late_acceptance_reason=d["late_acceptance_reason"],
            on=d["on"],
        ),
        "Accepted into the procedure.",
        intro="Screening: who may complain, and whether the complaint is in time.",
    ),
    "refuse": ActionPage(
        forms.RefuseForm,
        lambda c, u, d, f: workflow.refuse(
            c, by=u, reason=d["reason"], detail=d["detail"], on=d["on"]
        ),
        "Refused. Prepare the refusal letter, which gives the Ombudsman route.",
    ),
    "acknowledge": _date_move(
        workflow.acknowledge, "Date acknowledged", "Acknowledgement recorded."
    ),
    "allocate": ActionPage(
        forms.AllocateForm,
        lambda c, u, d, f: workflow.allocate(
            c, by=u, team=d["team"], manager=d["manager"], on=d["on"]
        ),
        "Allocated.",
    ),
    "appoint-investigators": ActionPage(
        forms.AppointInvestigatorsForm,
        lambda c, u, d, f: workflow.appoint_investigators(
            c,
            by=u,
            investigating_officer=d["investigating_officer"],
            independent_person=d["independent_person"],
            adjudicating_officer=d["adjudicating_officer"],
            on=d["on"],
        ),
        "Investigating officer and independent person appointed.",
    ),
    "record-statement-agreed": _date_move(
        workflow.record_statement_agreed,
        "Date the statement of complaint was agreed",
        "Statement of complaint agreed.",
    ),
    "record-report-received": _date_move(
        workflow.record_report_received,
        "Date the investigation report was received",
        "Investigation report received.",
    ),
    "schedule-panel": ActionPage(
        forms.SchedulePanelForm,
        lambda c, u, d, f: workflow.schedule_panel(
            c, by=u, panel_date=d["panel_date"], members=f.seats(), late_reason=d["late_reason"]
        ),
        "Review panel scheduled.",
    ),
    "record-panel-held": ActionPage(
        forms.PanelHeldForm,
        lambda c, u, d, f: workflow.record_panel_held(
            c, by=u, on=d["on"], late_reason=d["late_reason"]
        ),
        "Panel recorded as held.",
    ),
    "record-panel-report": _date_move(
        workflow.record_panel_report,
        "Date the panel's report was sent",
        "Panel report recorded.",
    ),
    "extend": ActionPage(
        forms.ExtendForm,
        lambda c, u, d, f: workflow.extend(
            c,
            by=u,
            new_due_on=d["new_due_on"],
            reason=d["reason"],
            detail=d["detail"],
            complainant_agreed=d["complainant_agreed"],
            informed_on=d["informed_on"],
        ),
        "Deadline extended. Tell the complainant the new date.",
    ),
    "pause": ActionPage(
        forms.PauseForm,
        lambda c, u, d, f: workflow.pause(c, by=u, reason=d["reason"], on=d["on"]),
        "Paused: no deadline runs until it is resumed.",
    ),
    "resume": _date_move(workflow.resume, "Date resumed", "Resumed; due dates moved on."),
    "submit-for-qa": ActionPage(
        forms.ConfirmForm,
        lambda c, u, d, f: services.response_submit(case=c, by=u),
        "Draft sent to the complaints team for its quality check.",
        intro="The complaints team will check the findings, remedies and letter, then approve "
        "it or send it back with comments. You cannot change the draft meanwhile.",
        form_kwargs=lambda case: {"submit_label": "Submit for quality check"},
        context=lambda case: {"check": letters.quality_check(case)},
    ),
    "return-draft": ActionPage(
        forms.ReasonForm,
        lambda c, u, d, f: workflow.return_draft(c, by=u, reason=d["reason"]),
        "Draft returned to the responding manager with your comments.",
        form_kwargs=lambda case: {
            "reason_label": "What needs changing?",
            "submit_label": "Return the draft",
        },
        context=lambda case: {"check": letters.quality_check(case)},
    ),
    "approve-draft": ActionPage(
        forms.ConfirmForm,
        lambda c, u, d, f: workflow.approve_draft(c, by=u),
        "Draft approved; it can be issued.",
        intro="Read the draft below. Approve it if it answers every element and is ready to "
        "go to the family; otherwise return it with comments.",
        form_kwargs=lambda case: {"submit_label": "Approve draft"},
        context=lambda case: {"check": letters.quality_check(case), "may_return": True},
    ),
    "issue-response": ActionPage(
        forms.IssueResponseForm,
        lambda c, u, d, f: services.response_issue(
            case=c, by=u, responded_on=d["responded_on"], outcome=d["outcome"]
        ),
        "Response issued; the letter is on the case.",
    ),
    "escalate": ActionPage(
        forms.EscalateForm,
        lambda c, u, d, f: workflow.escalate(
            c,
            by=u,
            requested_on=d["requested_on"],
            reason=d["reason"],
            previous_response_method=d["previous_response_method"],
            detail=d["detail"],
            accept_late=d["accept_late"],
        ),
        "Escalated to the next stage.",
    ),
    "withdraw": ActionPage(
        forms.WithdrawForm,
        lambda c, u, d, f: workflow.withdraw(
            c, by=u, reason=d["reason"], detail=d["detail"], on=d["on"]
        ),
        "Withdrawn.",
    ),
    "close": ActionPage(
        forms.CloseForm,
        lambda c, u, d, f: workflow.close(c, by=u, reason=d["reason"], on=d["on"]),
        "Closed.",
    ),
    "reopen": ActionPage(
        forms.ReopenForm,
        lambda c, u, d, f: workflow.reopen(
            c, by=u, level=d["level"], reason=d["reason"], on=d["on"], procedure=d["procedure"]
        ),
        "Reopened.",
    ),
    "findings": ActionPage(
        forms.FindingsForm,
        _findings,
        "Findings saved.",
        form_kwargs=lambda case: {
            "element_findings": case.current_stage.element_findings.select_related(
                "element", "finding"
            ),
            "initial": {"seen": services.findings_fingerprint(case.current_stage)},
        },
        anchor="response",
        saved_now=lambda case: [
            (f"Element {ef.element.number}", f"{ef.finding or 'No finding'}. {ef.reasoning}")
            for ef in case.current_stage.element_findings.select_related("element", "finding")
        ],
    ),
    "remedies": ActionPage(forms.RemedyForm, _remedy_add, "Remedy added.", anchor="response"),
    "contact": ActionPage(
        forms.ContactForm,
        lambda c, u, d, f: services.contact_record(
            case=c,
            by=u,
            kind=d["kind"],
            happened_on=d["happened_on"],
            note=d["note"],
            with_whom=d["with_whom"],
        ),
        "Note saved.",
        anchor="timeline",
    ),
    "document": ActionPage(
        forms.DocumentForm, _document, "Document attached.", anchor="documents"
    ),
    "lessons-learnt": ActionPage(
        forms.LessonsLearntForm,
        lambda c, u, d, f: learning.lessons_submit(
            access.owed_lessons(c),
            by=u,
            what_went_wrong=d["what_went_wrong"],
            learning=d["learning"],
            applies_beyond_case=d["applies_beyond_case"],
            wider_learning=d["wider_learning"],
            actions=f.actions(),
            on=d["on"],
        ),
        "Lessons-learnt form submitted. Thank you.",
        intro="What went wrong, what the service has learnt, and the actions it will take. "
        "Each action is chased until its owner records it as done.",
        anchor="learning",
    ),
    "agreed-action": ActionPage(
        forms.AgreedActionForm,
        lambda c, u, d, f: learning.action_add(
            case=c,
            source=d["source"],
            description=d["description"],
            owner=d["owner"],
            due_on=d["due_on"],
            by=u,
            published_summary=d["published_summary"],
        ),
        "Action recorded; it will be chased until it is done.",
        anchor="learning",
    ),
    "arrange-call-back": ActionPage(
        forms.ArrangeCallBackForm,
        lambda c, u, d, f: workflow.arrange_call_back(c, by=u, person=d["person"]),
        "Call-back arranged; it will be chased if it is not made in time.",
    ),
    "resolve-call-back": ActionPage(
        forms.CallBackOutcomeForm,
        lambda c, u, d, f: workflow.resolve_call_back(c, by=u, on=d["on"], note=d["note"]),
        "Recorded as resolved by the call-back. They can still complain later.",
        form_kwargs=lambda case: {"submit_label": "Record as resolved"},
    ),
    "convert-call-back": ActionPage(
        forms.CallBackOutcomeForm,
        lambda c, u, d, f: workflow.convert_call_back(c, by=u, on=d["on"], note=d["note"]),
        "It is now a complaint, received on the date of the first contact. Screen it next.",
        form_kwargs=lambda case: {"submit_label": "Record that it became a complaint"},
    ),
    "advocacy": ActionPage(
        forms.AdvocacyForm,
        lambda c, u, d, f: services.advocacy_record(
            case=c,
            by=u,
            offered_on=d["offered_on"],
            accepted=d["accepted"],
            referred_on=d["referred_on"],
            provider=d["provider"],
            advocate_name=d["advocate_name"],
        ),
        "Advocacy saved.",
        form_kwargs=lambda case: {"case": case},
        intro="A child or young person who complains, or continues a complaint, is entitled to "
        "an independent advocate. Record the offer, whether it was taken up, and the referral.",
    ),
    "officer": ActionPage(
        forms.OfficerForm,
        lambda c, u, d, f: services.officer_change(case=c, officer=d["officer"], by=u),
        "Case officer changed.",
    ),
}


@login_required
def case_action(request, reference, slug):
    case = access.case_shown(request, reference)
    if slug not in ACTION_PAGES:
        raise PermissionDenied
    action = access.require(request.user, case, slug, check_state=request.method != "POST")
    page = ACTION_PAGES[slug]
    form = page.form(request.POST or None, request.FILES or None, **page.form_kwargs(case))
    saved_now = []
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                claim_submission(form, request.user)
                access.require_state(case, slug)
                page.perform(case, request.user, form.cleaned_data, form)
        except AlreadySubmitted:
            messages.info(request, "That form was already sent; nothing was done twice.")
            return redirect("case-detail", reference=case.reference)
        except StaleEdit as error:
            put_error(form, error)
            saved_now = page.saved_now(case)
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, page.done)
            url = reverse("case-detail", args=[case.reference])
            return redirect(url + (f"#{page.anchor}" if page.anchor else ""))
    return render(
        request,
        "complaints/action.html",
        {
            "case": case,
            "form": form,
            "title": action.label,
            "intro": page.intro,
            "saved_now": saved_now,
            **page.context(case),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- elements, remedies and letters: objects within a case ---------------------------------


@login_required
def element_edit(request, reference, number):
    case = access.case_shown(request, reference)
    access.require(request.user, case, "statement")
    element = get_object_or_404(Element, case=case, number=number)
    form = forms.ElementForm(
        request.POST or None,
        initial={
            "summary": element.summary,
            "nature": element.nature,
            "seen": services.element_fingerprint(element),
        },
        submit_label="Save element",
    )
    saved_now = []
    if request.method == "POST" and form.is_valid():
        try:
            services.element_update(
                element=element,
                summary=form.cleaned_data["summary"],
                nature=form.cleaned_data["nature"],
                seen=form.cleaned_data["seen"],
            )
        except StaleEdit as error:
            put_error(form, error)
            element.refresh_from_db()
            saved_now = [("Element of complaint", element.summary), ("Nature", element.nature)]
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, f"Element {element.number} saved.")
            return redirect(reverse("case-detail", args=[case.reference]) + "#statement")
    return render(
        request,
        "complaints/action.html",
        {
            "case": case,
            "form": form,
            "title": f"Element {element.number}",
            "saved_now": saved_now,
        },
        status=400 if form.errors else 200,
    )


@login_required
def remedy_remove(request, reference, pk):
    case = access.case_shown(request, reference)
    access.require(request.user, case, "remedies")
    remedy = get_object_or_404(Remedy, pk=pk, stage=case.current_stage)
    if request.method == "POST":
        remedy.delete()
        messages.success(request, "Remedy removed.")
        return redirect(reverse("case-detail", args=[case.reference]) + "#response")
    return render(request, "complaints/confirm_remove.html", {"case": case, "thing": remedy})


@login_required
def response_letter(request, reference):
    """The stage's response letter: drafted from its template, saved once someone saves it."""
    case = access.case_shown(request, reference)
    access.require(request.user, case, "draft-response")
    try:
        letter = letters.current(letters.response_letter_prepared(case, by=request.user))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("case-detail", reference=case.reference)
    return _letter_form(request, case, letter)


@login_required
def letter_start(request, reference):
    case = access.case_shown(request, reference)
    access.require(request.user, case, "letter")
    templates = letters.templates_for(case).exclude(kind=LetterKind.RESPONSE)
    form = forms.LetterStartForm(request.POST or None, templates=templates)
    if request.method == "POST" and form.is_valid():
        try:
            letter = letters.letter_draft(
                case=case, template=form.cleaned_data["template"], by=request.user
            )
        except DomainError as error:
            put_error(form, error)
        else:
            return redirect("letter-edit", reference=case.reference, pk=letter.pk)
    return render(
        request,
        "complaints/action.html",
        {"case": case, "form": form, "title": "Prepare a letter"},
    )


def _letter_slug(letter) -> str:
    return "draft-response" if letter.kind == LetterKind.RESPONSE else "letter"


@login_required
def letter_edit(request, reference, pk):
    """A draft letter: edited by those who may change it now, read by anyone who sees the case
    (the complaints team reads a draft response while it awaits their quality check)."""
    case = access.case_shown(request, reference)
    letter = get_object_or_404(Letter, case=case, pk=pk, sent_on__isnull=True)
    if not access.may(request.user, case, _letter_slug(letter)):
        if request.method != "GET":
            access.require(request.user, case, _letter_slug(letter))
        return render(
            request,
            "complaints/letter_read.html",
            {"case": case, "letter": letters.current(letter)},
        )
    return _letter_form(request, case, letters.current(letter))


@login_required
def letter_redraft(request, reference, pk):
    """Draft the letter again from the case. The page first says that hand edits will go."""
    case = access.case_shown(request, reference)
    letter = get_object_or_404(Letter, case=case, pk=pk, sent_on__isnull=True)
    access.require(request.user, case, _letter_slug(letter))
    form = forms.ConfirmForm(request.POST or None, submit_label="Redraft the letter")
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                claim_submission(form, request.user)
                letters.letter_redraft(letter, by=request.user)
        except AlreadySubmitted:
            return redirect("letter-edit", reference=case.reference, pk=letter.pk)
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, "Letter redrafted from the case; hand edits were replaced.")
            return redirect("letter-edit", reference=case.reference, pk=letter.pk)
    return render(
        request,
        "complaints/letter_redraft.html",
        {"case": case, "form": form, "letter": letter},
        status=400 if form.errors else 200,
    )


def _letter_form(request, case, letter):
    form = forms.LetterForm(
        request.POST or None,
        initial={
            "subject": letter.subject,
            "body": letter.body,
            "seen": letters.letter_fingerprint(letter),
        },
    )
    send = letter.kind != LetterKind.RESPONSE and access.may(request.user, case, "letter")
    saved_now = []
    if request.method == "POST" and form.is_valid():
        sending = send and "send" in request.POST
        try:
            with transaction.atomic():
                letter = letters.letter_update(
                    letter,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    seen=form.cleaned_data["seen"],
                )
                if sending:
                    letter = letters.letter_send(letter, by=request.user)
        except StaleEdit as error:
            put_error(form, error)
            letter = letters.current(Letter.objects.get(pk=letter.pk))
            saved_now = [("Subject", letter.subject), ("Letter text", letter.body)]
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, _letter_done(letter, sending))
            return redirect(reverse("case-detail", args=[case.reference]) + "#letters")
    return render(
        request,
        "complaints/letter_form.html",
        {
            "case": case,
            "form": form,
            "letter": letter,
            "can_send": send,
            "saved_now": saved_now,
            "placeholders": letters.placeholders(f"{letter.subject}\n{letter.body}"),
        },
        status=400 if form.errors else 200,
    )


def _letter_done(letter, sent: bool) -> str:
    if not sent:
        return "Draft saved."
    complainant = letter.case.complainant
    if complainant.letters_by_email and complainant.email:
        return (
            "Letter sent: the PDF is on the case, and it is being e-mailed to the complainant. "
            "The case's timeline shows when it has gone."
        )
    return "Letter sent: the PDF is on the case, ready to post or hand over."
