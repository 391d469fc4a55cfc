"""Importing a council's history in the browser: upload, follow the background job, download
its problems. The rules are complaints.history_import's."""

from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from complaints import forms, history_import
from complaints.errors import DomainError
from complaints.models import CaseImport
from complaints.submission import AlreadySubmitted, claim_submission, put_error

IMPORT = "complaints.import_history"


@login_required
@permission_required(IMPORT, raise_exception=True)
def import_start(request):
    form = forms.HistoryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with transaction.atomic():
                claim_submission(form, request.user)
                job = history_import.import_request(
                    name=upload.name,
                    data=upload.read(),
                    by=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                )
        except AlreadySubmitted:
            return redirect("import-start")
        except DomainError as error:
            put_error(form, error)
        else:
            return redirect("import-detail", pk=job.pk)
    status = 400 if form.errors else 200
    recent = CaseImport.objects.select_related("requested_by")[:10]
    return render(
        request,
        "complaints/import_start.html",
        {"form": form, "recent": recent, "columns": history_import.COLUMNS},
        status=status,
    )


@login_required
@permission_required(IMPORT, raise_exception=True)
def import_detail(request, pk: int):
    job = get_object_or_404(CaseImport, pk=pk)
    done, total = history_import.progress(job)
    percent = round(100 * done / total) if total else 0
    return render(
        request,
        "complaints/import_detail.html",
        {"job": job, "done": done, "total": total, "percent": percent},
    )


@login_required
@permission_required(IMPORT, raise_exception=True)
def import_problems(request, pk: int):
    job = get_object_or_404(CaseImport, pk=pk)
    response = HttpResponse(history_import.problems_csv(job), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-problems.csv"'
    return response


@login_required
@permission_required(IMPORT, raise_exception=True)
def import_template(request):
    response = HttpResponse(history_import.template_csv(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="case-history-template.csv"'
    return response
