from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.roles import is_council_staff
from complaints.errors import DomainError
from complaints.periods import financial_year, financial_year_label
from complaints.submission import AlreadySubmitted, claim_submission, put_error
from compliments import history_import, selectors, services
from compliments.forms import ComplimentFilter, ComplimentForm, ComplimentImportForm
from compliments.models import Compliment


def _refuse_outsiders(view):
    def wrapped(request, *args, **kwargs):
        if not is_council_staff(request.user):
            raise PermissionDenied("Compliments are for the council's own staff.")
        return view(request, *args, **kwargs)

    return wrapped


@login_required
@_refuse_outsiders
def compliment_list(request):
    start, end = financial_year(timezone.localdate())
    filters = ComplimentFilter(
        request.GET or None,
        queryset=Compliment.objects.select_related("service_area", "team", "source"),
    )
    page = Paginator(filters.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "compliments/list.html",
        {
            "filter": filters,
            "page": page,
            "counts": selectors.compliment_counts(start=start, end=end),
            "year_label": financial_year_label(start),
        },
    )


@login_required
@_refuse_outsiders
def compliment_new(request):
    """Quick entry for any member of staff: compliments arrive in team inboxes."""
    form = ComplimentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("submission")
        themes = data.pop("themes")
        try:
            with transaction.atomic():
                claim_submission(form, request.user)
                services.compliment_record(by=request.user, themes=themes, **data)
        except AlreadySubmitted:
            return redirect("compliment-list")
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, "Compliment recorded. Thank you for passing it on.")
            return redirect("compliment-list")
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Record a compliment",
            "back_url": "/compliments/",
            "back_label": "Compliments",
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# Imported while the page waits: a few years of compliments, not a file the size of a case import.
BROWSER_MAX_ROWS = 5000


@login_required
@permission_required("complaints.import_history", raise_exception=True)
def compliment_import(request):
    """Past compliments from a spreadsheet, checked or imported while the page waits: a
    council's years of compliments are a few thousand rows at most."""
    form = ComplimentImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with transaction.atomic():
                claim_submission(form, request.user)
                result = history_import.import_compliments(
                    upload.name,
                    upload.read(),
                    by=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                    max_rows=BROWSER_MAX_ROWS,
                )
        except AlreadySubmitted:
            return redirect("compliment-import")
        except DomainError as error:
            put_error(form, error)  # a file that cannot be read: the claim rolls back
        else:
            form = ComplimentImportForm()  # to upload the file again, corrected or for real
    status = 400 if form.errors or (result and result.problems) else 200
    return render(
        request,
        "compliments/import.html",
        {"form": form, "result": result},
        status=status,
    )


@login_required
@permission_required("complaints.import_history", raise_exception=True)
def compliment_import_template(request):
    response = HttpResponse(history_import.template_csv(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="compliments-template.csv"'
    return response
