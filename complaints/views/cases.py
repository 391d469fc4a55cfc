from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from complaints import access, audit, costs, deadlines, intake, selectors, spreadsheets
from complaints.errors import DomainError
from complaints.filters import CaseFilter
from complaints.forms import CaseLogForm, ElementForm
from complaints.submission import (
    AlreadySubmitted,
    already_submitted,
    put_error,
)

PAGE_SIZE = 50
# The search text is kept in the session, not the query string: names must not reach URLs,
# browser history or server logs.
SEARCH_KEY = "case_search"


def _filtered(request):
    return CaseFilter(
        request.GET or None,
        queryset=selectors.case_rows(user=request.user),
        search=request.session.get(SEARCH_KEY, ""),
    )


@login_required
def case_list(request):
    if request.method == "POST":
        request.session[SEARCH_KEY] = request.POST.get("search", "")[:100]
        return redirect(reverse("case-list") + (f"?{request.GET.urlencode()}"))
    query = request.GET.copy()
    query.pop("page", None)
    with selectors.joins_as_written():
        filters = _filtered(request)
        page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "complaints/case_list.html",
            {
                "filter": filters,
                "page": page,
                "query": query.urlencode(),
                "search": request.session.get(SEARCH_KEY, ""),
                "today": timezone.localdate(),
            },
        )


EXPORT_COLUMNS = [
    ("Reference", lambda c: c.reference),
    ("Kind", lambda c: c.get_kind_display()),
    ("Procedure", lambda c: c.get_procedure_display()),
    ("Stage", lambda c: c.current_stage.get_level_display() if c.current_stage else ""),
    ("State", lambda c: c.get_state_display()),
    ("Received", lambda c: c.received_on.isoformat()),
    ("Service area", lambda c: str(c.service_area or "")),
    ("Team", lambda c: str(c.current_stage.team or "") if c.current_stage else ""),
    ("Officer", lambda c: c.officer.get_full_name() if c.officer else ""),
    ("Due", lambda c: c.next_due_on.isoformat() if c.next_due_on else ""),
]


@login_required
def case_export(request):
    """The filtered list as CSV; complainants' names stay out of it (need-to-know)."""
    filters = _filtered(request)
    rows = (
        [get(case) for _, get in EXPORT_COLUMNS] for case in filters.qs.iterator(chunk_size=2000)
    )
    text = spreadsheets.csv_text([name for name, _ in EXPORT_COLUMNS], rows)
    audit.record_export(request, "Case list as CSV", filters=filters)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.csv"'
    return response


@login_required
@permission_required("complaints.log_case", raise_exception=True)
def case_log(request):
    form = CaseLogForm(request.POST or None, initial={"officer": request.user})
    repeats = []
    if request.method == "POST" and form.is_valid():
        if already_submitted(form):
            messages.info(request, "That form was already sent; the case was logged once.")
            return redirect("case-list")
        try:
            case = intake.log_from_form(form, request.user)
        except intake.MayRepeat as question:
            repeats = question.repeats
            form.ask_to_confirm_not_a_repeat()
            put_error(form, question)
        except AlreadySubmitted:
            messages.info(request, "That form was already sent; the case was logged once.")
            return redirect("case-list")
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, f"{case.reference} logged. Screen it next.")
            return redirect("case-detail", reference=case.reference)
    return render(request, "complaints/case_log.html", {"form": form, "repeats": repeats})


@login_required
@selectors.joins_as_written()
def case_detail(request, reference):
    cases = costs.with_appointments_known(selectors.case_page_queryset())
    case = access.case_shown(request, reference, queryset=cases)
    stages = selectors.case_page_lists(case)
    stage = next((s for s in stages if s.pk == case.current_stage_id), None)
    today = timezone.localdate()
    actions = {a.slug: a for a in access.permitted_actions(request.user, case)}
    element_form = ElementForm() if "statement" in actions else None
    letter_list = list(case.letters.all())
    # Stage 2 and 3 appointments with their costs, for those who keep them (complaints.costs).
    appointment_costs = costs.appointments_for(case, stages, request.user)
    for s in stages:
        s.costed_appointments = appointment_costs.get(s.pk, [])
    return render(
        request,
        "complaints/case_detail.html",
        {
            "case": case,
            "stage": stage,
            "stages": stages,
            "today": today,
            "days_left": deadlines.working_days_left(case.next_due_on, today),
            "actions": actions,
            "may_read_access_log": request.user.has_perm("complaints.view_access_log"),
            "latest_moves": selectors.latest_moves(case),
            # Listed only where they open: the panel's papers are for the panel.
            "documents": [d for d in case.documents.all() if access.may_download(request.user, d)],
            "element_form": element_form,
            "appointment_costs": appointment_costs,
            "draft_letters": [x for x in letter_list if not x.sent_on],
            "sent_letters": [x for x in letter_list if x.sent_on],
            "response_letter": next(
                (
                    x
                    for x in letter_list
                    if stage and x.stage_id == stage.pk and x.kind == "response" and not x.sent_on
                ),
                None,
            ),
        },
    )


@login_required
def case_timeline(request, reference):
    """The whole timeline: every move, note of contact, document and e-mail, newest first."""
    case = access.case_shown(request, reference, queryset=selectors.case_timeline_queryset())
    return render(
        request,
        "complaints/case_timeline.html",
        {
            "case": case,
            "timeline": selectors.case_timeline(
                case, may_open=lambda document: access.may_download(request.user, document)
            ),
        },
    )
