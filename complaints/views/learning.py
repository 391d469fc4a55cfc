from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from complaints import access, forms, learning
from complaints.errors import DomainError
from complaints.models import AgreedAction, LessonsLearnt
from complaints.periods import financial_year, financial_year_label
from complaints.submission import AlreadySubmitted, claim_submission, put_error


@login_required
@permission_required("complaints.manage_actions", raise_exception=True)
def learning_overview(request):
    """For the complaints team: the lessons-learnt return rate, forms outstanding, and every
    open agreed action."""
    today = timezone.localdate()
    start, end = financial_year(today)
    outstanding = LessonsLearnt.objects.filter(submitted_on__isnull=True).select_related(
        "case", "team", "owed_by"
    )
    actions = AgreedAction.objects.filter(status=AgreedAction.Status.OPEN).select_related(
        "case", "owner"
    )
    return render(
        request,
        "complaints/learning.html",
        {
            "today": today,
            "year_label": financial_year_label(start),
            "rate": learning.return_rate(start=start, end=end),
            "outstanding": outstanding,
            "actions": actions,
        },
    )


@login_required
def action_complete(request, pk):
    action = get_object_or_404(AgreedAction.objects.select_related("case"), pk=pk)
    case = access.case_shown(request, action.case.reference) if action.case else None
    if not learning.may_complete(request.user, action):
        raise PermissionDenied("Only the action's owner or the complaints team can close it.")
    form = forms.ActionCompleteForm(
        request.POST or None,
        initial={"published_summary": action.published_summary},
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                claim_submission(form, request.user)
                learning.action_complete(
                    action,
                    by=request.user,
                    evidence=form.cleaned_data["evidence"],
                    on=form.cleaned_data["on"],
                    published_summary=form.cleaned_data.get("published_summary"),
                )
        except AlreadySubmitted:
            return redirect("learning")
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, "Action recorded as done.")
            if case is None or request.user.has_perm("complaints.manage_actions"):
                return redirect("learning")
            return redirect("case-detail", reference=case.reference)
    return render(
        request,
        "complaints/action.html" if case else "form_page.html",
        {
            "case": case,
            "form": form,
            "title": "Record an action as done",
            "intro": action.description,
            "back_url": "/learning/",
        },
        status=400 if form.is_bound and form.errors else 200,
    )
