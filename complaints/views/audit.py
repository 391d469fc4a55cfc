"""The access log, for complaints managers: a case's, and a person's activity."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from complaints import access, audit

READ_LOG = "complaints.view_access_log"
PAGE_SIZE = 100


@login_required
@permission_required(READ_LOG, raise_exception=True)
def case_access_log(request, reference):
    case = access.case_or_404(request.user, reference)
    page = Paginator(audit.case_log(case), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "complaints/access_log.html", {"case": case, "page": page})


@login_required
@permission_required(READ_LOG, raise_exception=True)
def person_activity(request, pk: int):
    person = get_object_or_404(get_user_model(), pk=pk)
    page = Paginator(audit.person_activity(person), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "complaints/access_log.html", {"person": person, "page": page})
