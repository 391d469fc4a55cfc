"""Officer screens for Ombudsman cases. Viewing needs the complaints team's or a senior
manager's sight of every case; recording needs `record_ombudsman`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from complaints.errors import DomainError
from complaints.periods import financial_year, financial_year_label
from complaints.selectors import cases_visible_to
from complaints.submission import AlreadySubmitted, claim_submission, put_error
from ombudsman import forms, selectors, services
from ombudsman.models import OmbudsmanCase, OmbudsmanDeadline, Recommendation

_VIEW = "complaints.view_all_cases"
_RECORD = "complaints.record_ombudsman"


@login_required
@permission_required(_VIEW, raise_exception=True)
def ombudsman_list(request):
    start, end = financial_year(timezone.localdate())
    filters = forms.OmbudsmanFilter(
        request.GET or None,
        queryset=OmbudsmanCase.objects.select_related("decision", "service_area"),
    )
    page = Paginator(filters.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "ombudsman/list.html",
        {
            "filter": filters,
            "page": page,
            "figures": selectors.annual_letter_figures(start=start, end=end),
            "year_label": financial_year_label(start),
        },
    )


@login_required
@permission_required(_VIEW, raise_exception=True)
def ombudsman_detail(request, pk):
    case = get_object_or_404(
        OmbudsmanCase.objects.select_related("decision", "service_area").prefetch_related(
            "complaints", "deadlines", "recommendations__kind"
        ),
        pk=pk,
    )
    return render(
        request,
        "ombudsman/detail.html",
        {
            "case": case,
            "can_record": request.user.has_perm(_RECORD),
            "today": timezone.localdate(),
        },
    )


def _form_page(request, form, title, done, perform, back, status_ok=200):
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                claim_submission(form, request.user)
                result = perform(form.cleaned_data)
        except AlreadySubmitted:
            return redirect(back)
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, done)
            return redirect(result if isinstance(result, str) else back)
    return render(
        request,
        "form_page.html",
        {"form": form, "title": title, "back_url": back, "back_label": "Back"},
        status=400 if form.is_bound and form.errors else status_ok,
    )


@login_required
@permission_required(_RECORD, raise_exception=True)
def ombudsman_new(request):
    """Record an Ombudsman case; opened from a complaint's page, it is linked to it."""
    initial = {}
    reference = request.GET.get("complaint", "")
    if reference and cases_visible_to(request.user).filter(reference=reference).exists():
        initial["complaint_references"] = reference
    form = forms.OmbudsmanCaseForm(request.POST or None, user=request.user, initial=initial)

    def perform(d):
        return reverse("ombudsman-detail", args=[form.record(by=request.user).pk])

    return _form_page(
        request,
        form,
        "Record an Ombudsman case",
        "Ombudsman case recorded.",
        perform,
        reverse("ombudsman-list"),
    )


def _case_for_recording(pk):
    return get_object_or_404(OmbudsmanCase, pk=pk)


@login_required
@permission_required(_RECORD, raise_exception=True)
def decision_record(request, pk):
    case = _case_for_recording(pk)
    form = forms.DecisionForm(request.POST or None, initial={"route": case.route})
    return _form_page(
        request,
        form,
        f"Decision on {case.reference}",
        "Decision recorded.",
        lambda d: form.record(case),
        reverse("ombudsman-detail", args=[pk]),
    )


@login_required
@permission_required(_RECORD, raise_exception=True)
def recommendation_add(request, pk):
    case = _case_for_recording(pk)
    form = forms.RecommendationForm(request.POST or None)
    return _form_page(
        request,
        form,
        f"Recommendation on {case.reference}",
        "Recommendation added; it is chased as an agreed action until complied with.",
        lambda d: form.record(case, by=request.user),
        reverse("ombudsman-detail", args=[pk]),
    )


@login_required
@permission_required(_RECORD, raise_exception=True)
def recommendation_complete(request, pk, rec):
    recommendation = get_object_or_404(Recommendation, pk=rec, ombudsman_case_id=pk)
    form = forms.ComplianceForm(request.POST or None)
    return _form_page(
        request,
        form,
        f"Compliance: {recommendation}",
        "Recorded as complied with.",
        lambda d: services.recommendation_complete(
            recommendation, by=request.user, evidence=d["evidence"], on=d["on"]
        ),
        reverse("ombudsman-detail", args=[pk]),
    )


@login_required
@permission_required(_RECORD, raise_exception=True)
def deadline_add(request, pk):
    case = _case_for_recording(pk)
    form = forms.DeadlineForm(request.POST or None)
    return _form_page(
        request,
        form,
        f"A deadline the Ombudsman set on {case.reference}",
        "Deadline added.",
        lambda d: services.deadline_add(case, kind=d["kind"], due_on=d["due_on"]),
        reverse("ombudsman-detail", args=[pk]),
    )


@login_required
@permission_required(_RECORD, raise_exception=True)
def deadline_met(request, pk, deadline):
    item = get_object_or_404(OmbudsmanDeadline, pk=deadline, ombudsman_case_id=pk)
    if request.method == "POST":
        services.deadline_met(item, on=timezone.localdate())
        messages.success(request, f"{item.get_kind_display()}: met today.")
    return redirect("ombudsman-detail", pk=pk)


@login_required
@permission_required(_RECORD, raise_exception=True)
def premature_referral(request, pk):
    case = _case_for_recording(pk)
    form = forms.PrematureForm(request.POST or None, complaints=case.complaints.all())

    def perform(d):
        complaint = services.premature_referral(
            case, by=request.user, complaint=d["complaint"], level=d["level"]
        )
        return reverse("case-detail", args=[complaint.reference])

    return _form_page(
        request,
        form,
        f"Referred back by the Ombudsman: {case.reference}",
        "The complaint is open again at the stage chosen, with its deadlines.",
        perform,
        reverse("ombudsman-detail", args=[pk]),
    )
