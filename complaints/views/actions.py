"""One page per action on a case, run from its entry in complaints.actions (its form, and the
workflow move or service it calls), and the pages of the actions with pages of their own.

The generic view does the same every time: 404/403 through complaints.access, the one-off
submission token, DomainErrors back onto the form, a message and the case page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from complaints import access, forms, letters, services
from complaints.errors import DomainError, StaleEdit
from complaints.models import Element, Letter, Remedy
from complaints.submission import AlreadySubmitted, claim_submission, put_error


@login_required
def case_action(request, reference, slug):
    case = access.case_shown(request, reference)
    action = access.require(request.user, case, slug, check_state=request.method != "POST")
    if action.page:
        return redirect(action.page, reference=case.reference)
    if action.form is None:  # it has pages of its own
        raise PermissionDenied
    kwargs = action.form_arguments(case, request.user)
    if request.method == "GET" and action.from_link:
        kwargs["initial"] = {k: request.GET[k] for k in action.from_link if k in request.GET}
    form = action.form(request.POST or None, request.FILES or None, **kwargs)
    saved_now = []
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                claim_submission(form, request.user)
                access.require_state(case, slug)
                action.perform(case, request.user, form.cleaned_data, form)
        except AlreadySubmitted:
            messages.info(request, "That form was already sent; nothing was done twice.")
            return redirect("case-detail", reference=case.reference)
        except StaleEdit as error:
            put_error(form, error)
            saved_now = action.saved_now(case)
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, action.done)
            url = reverse("case-detail", args=[case.reference])
            return redirect(url + (f"#{action.anchor}" if action.anchor else ""))
    return render(
        request,
        "complaints/action.html",
        {
            "case": case,
            "form": form,
            "title": action.label,
            "intro": action.intro,
            "saved_now": saved_now,
            **action.context(case),
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
    action = access.require(request.user, case, "letter")
    form = action.form(request.POST or None, **action.form_kwargs(case))
    if request.method == "POST" and form.is_valid():
        try:
            letter = action.perform(case, request.user, form.cleaned_data, form)
        except DomainError as error:
            put_error(form, error)
        else:
            return redirect("letter-edit", reference=case.reference, pk=letter.pk)
    return render(
        request,
        "complaints/action.html",
        {"case": case, "form": form, "title": action.label},
    )


@login_required
def letter_edit(request, reference, pk):
    """A draft letter: edited by those who may change it now, read by anyone who sees the case
    (the complaints team reads a draft response while it awaits their quality check)."""
    case = access.case_shown(request, reference)
    letter = get_object_or_404(Letter, case=case, pk=pk, sent_on__isnull=True)
    if not access.may(request.user, case, letters.action_for(letter)):
        if request.method != "GET":
            access.require(request.user, case, letters.action_for(letter))
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
    access.require(request.user, case, letters.action_for(letter))
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
    send = letters.sent_by_hand(letter) and access.may(request.user, case, "letter")
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
