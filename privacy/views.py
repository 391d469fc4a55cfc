"""Personal data pages: subject access for the complaints team, retention for its manager."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from complaints import access
from complaints.errors import DomainError
from complaints.models import Case, Child, Complainant
from complaints.submission import AlreadySubmitted, claim_submission, put_error
from privacy import retention, subject_access
from privacy.forms import HoldForm, SearchForm

BUNDLE = "complaints.make_subject_access_bundle"
RETENTION = "complaints.manage_retention"
# Names are typed into a POST, never put in an address: kept in the session meanwhile.
SEARCH_KEY = "subject_access_search"
PEOPLE = {"complainant": Complainant, "child": Child}


@login_required
@permission_required(BUNDLE, raise_exception=True)
def subject_access_search(request):
    form = SearchForm(request.POST or None, initial={"search": request.session.get(SEARCH_KEY)})
    if request.method == "POST" and form.is_valid():
        request.session[SEARCH_KEY] = form.cleaned_data["search"]
        return redirect("subject-access")
    text = request.session.get(SEARCH_KEY, "")
    return render(
        request,
        "privacy/subject_access.html",
        {"form": form, "searched": text, "found": subject_access.search(text) if text else None},
        status=400 if form.errors else 200,
    )


def _subject(kind: str, pk: int) -> subject_access.Subject:
    if kind not in PEOPLE:
        raise Http404
    return subject_access.Subject(kind, get_object_or_404(PEOPLE[kind], pk=pk))


@login_required
@permission_required(BUNDLE, raise_exception=True)
def subject_access_person(request, kind: str, pk: int):
    """What the bundle will hold (GET), and the bundle itself (POST)."""
    subject = _subject(kind, pk)
    if request.method == "POST":
        data = subject_access.bundle(subject, request=request)
        response = HttpResponse(data, content_type="application/zip")
        name = f"subject-access-{kind}-{pk}-{timezone.localdate():%Y%m%d}.zip"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(
        request,
        "privacy/subject_access_person.html",
        {"subject": subject, "cases": list(subject.cases().select_related("current_stage"))},
    )


@login_required
@permission_required(RETENTION, raise_exception=True)
def retention_review(request):
    return render(request, "privacy/retention.html", {"plan": retention.plan()})


@login_required
@permission_required(RETENTION, raise_exception=True)
def hold_new(request):
    form = HoldForm(request.POST or None, initial={"reference": request.GET.get("case", "")})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                claim_submission(form, request.user)
                case = Case.objects.filter(reference=form.cleaned_data["reference"]).first()
                if case is None:
                    raise DomainError("There is no case with that reference.", field="reference")
                retention.hold_place(case, by=request.user, reason=form.cleaned_data["reason"])
        except AlreadySubmitted:
            return redirect("retention")
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, f"{case.reference} is held: its data will be kept.")
            return redirect("retention")
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Hold a case",
            "intro": "A held case keeps its personal data past its retention period, until "
            "the hold is released.",
            "back_url": "/personal-data/retention/",
            "back_label": "Back to retention",
        },
        status=400 if form.errors else 200,
    )


@login_required
@permission_required(RETENTION, raise_exception=True)
@require_POST
def hold_release(request, reference: str):
    case = access.case_or_404(request.user, reference)
    retention.hold_release(case)
    messages.success(request, f"The hold on {case.reference} is released.")
    return redirect("retention")
