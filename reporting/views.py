"""The dashboard and the annual report's pages. The figures come from reporting.statistics
(through reporting.tables); the changes from reporting.services."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import audit
from complaints.errors import DomainError
from complaints.models import ServiceArea
from complaints.periods import Period, financial_year_start
from complaints.rounding import rounding_statement
from complaints.submission import AlreadySubmitted, claim_submission, put_error
from reporting import annual_report, exports, published, services
from reporting.counting import DEFAULT, Basis, Counting, OnTimeBase
from reporting.dashboard import SECTIONS, dashboard_tables
from reporting.forms import (
    CaseStudyForm,
    CodeAssessmentForm,
    EditionForm,
    PeriodForm,
    PublishedFiguresForm,
)
from reporting.models import CaseStudy, Edition, PublishedFigure, Rendering
from reporting.statistics import workload
from reporting.tables import COUNT, DAYS, MONEY, PERCENT, Table, suppressed

VIEW = "complaints.view_dashboard"
PREPARE = "complaints.prepare_annual_report"


def _drill_url(row, table: Table, period, area, areas: dict) -> str | None:
    if not row.drill:
        return None
    query = dict(row.drill)
    by_stage = "requested_stage" in query or "responded_stage" in query
    if by_stage:
        query |= {"stage_from": period.start.isoformat(), "stage_to": period.end.isoformat()}
    else:
        query |= {
            "received_after": period.start.isoformat(),
            "received_before": period.end.isoformat(),
        }
    if "service_area" in query:
        query["service_area"] = areas.get(query["service_area"], "")
    elif area is not None:
        query["service_area"] = area.pk
    if not by_stage and table.key != "representations" and "accepted" not in query:
        # These tables count complaints received (complaints.selectors.COMPLAINT_RECEIVED).
        query.setdefault("complaint", "on")
    return reverse("case-list") + "?" + urlencode(query)


def _bars(table: Table) -> list[tuple[str, int, int]]:
    if not table.columns:
        return []
    rows = [r for r in table.rows if not r.total and isinstance(r.values[0], int)]
    top = max((r.values[0] for r in rows), default=0) or 1
    return [(r.label, r.values[0], round(100 * r.values[0] / top)) for r in rows if r.values[0]]


@login_required
@permission_required(VIEW, raise_exception=True)
def dashboard(request):
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "reporting/dashboard.html", {"form": form}, status=400)
    period, area = form.cleaned_data["period"], form.cleaned_data["service_area"]
    counted = dashboard_tables(period, area, counting=form.cleaned_data["counting"])
    tables = counted.tables
    areas = {a.name: a.pk for a in ServiceArea.objects.all()}
    sections = []
    for title, keys in SECTIONS:
        shown = []
        for key in keys:
            if key not in tables:
                continue
            table = tables[key]
            for row in table.rows:
                row.drill_url = _drill_url(row, table, period, area, areas)
            shown.append((table, _bars(table) if table.chart else None))
        sections.append((title, shown))
    now = counted.figures[0]
    stage1 = now.timeliness.get(("statutory", 1))
    return render(
        request,
        "reporting/dashboard.html",
        {
            "form": form,
            "period": period,
            "area": area,
            "now": now,
            "stage1": stage1,
            "workload": workload(today=timezone.localdate(), service_area=area),
            "sections": sections,
            "query": request.GET.urlencode(),
            "rounding": rounding_statement(),
            "counted_at": counted.counted_at,
            "recounted_every": settings.REPORTING_FIGURES_MAX_AGE // 60,
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def dashboard_table(request, key: str, fmt: str):
    form = PeriodForm(request.GET)
    if not form.is_valid():
        raise Http404("Not a period")
    period, area = form.cleaned_data["period"], form.cleaned_data["service_area"]
    tables = dashboard_tables(period, area, counting=form.cleaned_data["counting"]).tables
    if key not in tables:
        raise Http404("No such table")
    audit.record_export(request, f"Dashboard table {key}.{fmt} {request.GET.urlencode()}")
    return _download([tables[key]], f"{key}-{period.start:%Y%m%d}-{period.end:%Y%m%d}", fmt)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def dashboard_recount(request):
    """Count the figures shown again now, rather than wait for them to age."""
    form = PeriodForm(request.GET)
    if form.is_valid():
        dashboard_tables(
            form.cleaned_data["period"],
            form.cleaned_data["service_area"],
            recount=True,
            counting=form.cleaned_data["counting"],
        )
    return redirect(reverse("dashboard") + "?" + request.GET.urlencode())


def _download(tables: list[Table], name: str, fmt: str) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(exports.table_csv(tables[0]), content_type="text/csv")
    else:
        response = HttpResponse(
            exports.tables_xlsx(tables),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# --- the annual report -----------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def edition_list(request):
    last_complete = financial_year_start(timezone.localdate()).year - 1
    return render(
        request,
        "reporting/edition_list.html",
        {
            "editions": Edition.objects.select_related("published_by"),
            "last_complete": last_complete,
            "years": range(last_complete, last_complete - 5, -1),
            "may_prepare": request.user.has_perm(PREPARE),
        },
    )


@login_required
@permission_required(PREPARE, raise_exception=True)
@require_POST
def edition_start(request):
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        messages.error(request, "Choose the financial year the report covers.")
        return redirect("edition-list")
    edition = services.edition_start(year=year, by=request.user)
    return redirect("edition-detail", pk=edition.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def edition_detail(request, pk: int):
    edition = get_object_or_404(Edition, pk=pk)
    may_edit = request.user.has_perm(PREPARE) and not edition.is_published
    form = EditionForm(instance=edition) if may_edit else None
    study_form = CaseStudyForm(prefix="study") if may_edit else None
    if request.method == "POST":
        if not may_edit:
            raise Http404
        # One form: adding or removing a case study saves the narrative typed beside it.
        adding = "add_case_study" in request.POST
        removing = request.POST.get("remove_case_study", "")
        form = EditionForm(request.POST, instance=Edition.objects.get(pk=pk))
        if adding:
            study_form = CaseStudyForm(request.POST, prefix="study")
        if form.is_valid() and (not adding or study_form.is_valid()):
            data = {k: v for k, v in form.cleaned_data.items() if k not in {"compliments", "seen"}}
            try:
                with transaction.atomic():
                    services.edition_update(
                        form.instance,
                        data=data,
                        compliments=form.cleaned_data["compliments"],
                        seen=form.cleaned_data["seen"],
                    )
                    if adding:
                        services.case_study_add(edition, **study_form.cleaned_data)
                    if removing.isdigit():
                        study = get_object_or_404(CaseStudy, pk=removing, edition=edition)
                        services.case_study_remove(study)
            except DomainError as error:
                put_error(form, error)
            else:
                removed = removing.isdigit()
                done = "Case study added" if adding else "Case study removed" if removed else ""
                messages.success(request, f"Report saved. {done}." if done else "Report saved.")
                return redirect("edition-detail", pk=edition.pk)
    code = annual_report.code_assessment(edition)
    return render(
        request,
        "reporting/edition_detail.html",
        {
            "edition": edition,
            "form": form,
            "study_form": study_form,
            "may_prepare": request.user.has_perm(PREPARE),
            "recounted_every": settings.REPORTING_FIGURES_MAX_AGE // 60,
            "code_requirements": len(code),
            "code_assessed": sum(1 for row in code if row["compliance"]),
            "renderings": edition.renderings.select_related("requested_by")[:5],
            "versions": Edition.objects.filter(year=edition.year),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required(PREPARE, raise_exception=True)
def edition_code_assessment(request, pk: int):
    """The self-assessment against the Complaint Handling Code, requirement by requirement."""
    edition = get_object_or_404(Edition, pk=pk)
    if edition.is_published:
        messages.error(request, "This version is published. Start a new version to change it.")
        return redirect("edition-detail", pk=edition.pk)
    form = CodeAssessmentForm(request.POST or None, edition=edition)
    if request.method == "POST" and form.is_valid():
        try:
            services.code_assessment_save(edition, answers=form.answers())
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, "Self-assessment saved.")
            return redirect("edition-detail", pk=edition.pk)
    return render(
        request,
        "reporting/code_assessment.html",
        {"edition": edition, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required(PREPARE, raise_exception=True)
@require_POST
def case_study_remove(request, pk: int):
    study = get_object_or_404(CaseStudy, pk=pk)
    try:
        services.case_study_remove(study)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("edition-detail", pk=study.edition_id)


@login_required
@permission_required(VIEW, raise_exception=True)
def edition_preview(request, pk: int):
    edition = get_object_or_404(Edition, pk=pk)
    return render(request, "reporting/preview.html", annual_report.report_context(edition))


@login_required
@permission_required(PREPARE, raise_exception=True)
@require_POST
def edition_render(request, pk: int):
    edition = get_object_or_404(Edition, pk=pk)
    rendering = services.rendering_request(edition, by=request.user)
    return redirect("rendering-detail", pk=rendering.pk)


@login_required
@permission_required(PREPARE, raise_exception=True)
@require_POST
def edition_publish(request, pk: int):
    edition = get_object_or_404(Edition, pk=pk)
    try:
        rendering = services.edition_publish(edition, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("edition-detail", pk=pk)
    messages.success(request, f"Version {edition.version} is published. Its PDF is being made.")
    return redirect("rendering-detail", pk=rendering.pk)


@login_required
@permission_required(PREPARE, raise_exception=True)
@require_POST
def edition_new_version(request, pk: int):
    edition = get_object_or_404(Edition, pk=pk)
    copy = services.edition_new_version(edition, by=request.user)
    return redirect("edition-detail", pk=copy.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def rendering_detail(request, pk: int):
    rendering = get_object_or_404(Rendering.objects.select_related("edition"), pk=pk)
    return render(request, "reporting/rendering.html", {"rendering": rendering})


def _pdf(file, name: str) -> FileResponse:
    if not file:
        raise Http404("No PDF yet")
    return FileResponse(file.open("rb"), content_type="application/pdf", filename=name)


@login_required
@permission_required(VIEW, raise_exception=True)
def rendering_pdf(request, pk: int):
    rendering = get_object_or_404(Rendering.objects.select_related("edition"), pk=pk)
    e = rendering.edition
    return _pdf(rendering.pdf, f"annual-report-{e.year}-v{e.version}-{rendering.pk}.pdf")


@login_required
@permission_required(VIEW, raise_exception=True)
def edition_pdf(request, pk: int):
    edition = get_object_or_404(Edition, pk=pk)
    return _pdf(edition.pdf, f"annual-report-{edition.year}-v{edition.version}.pdf")


@login_required
@permission_required(VIEW, raise_exception=True)
def edition_html(request, pk: int):
    """The report as one accessible web page, to publish beside the PDF."""
    edition = get_object_or_404(Edition, pk=pk)
    response = HttpResponse(annual_report.render_html(edition), content_type="text/html")
    name = f"annual-report-{edition.year}-v{edition.version}.html"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
def edition_tables(request, pk: int, fmt: str, key: str = ""):
    """The report's tables as it prints them (small numbers suppressed): one, or all in a
    workbook."""
    edition = get_object_or_404(Edition, pk=pk)
    tables = annual_report.edition_tables(edition)
    if key and key not in tables:
        raise Http404("No such table")
    chosen = [tables[key]] if key else list(tables.values())
    if fmt == "csv" and not key:
        raise Http404("CSV is one table at a time")
    shown = [suppressed(t, edition.small_number_threshold) for t in chosen]
    audit.record_export(request, f"Annual report {edition.year} v{edition.version} {key}.{fmt}")
    return _download(
        shown, f"annual-report-{edition.year}-v{edition.version}-{key or 'tables'}", fmt
    )


class StatisticsRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stable: read rows by this, never by label or position.")
    label = serializers.CharField()
    values = serializers.ListField(
        child=serializers.JSONField(),
        help_text="One per column: a whole number, or a decimal as a string.",
    )
    total = serializers.BooleanField()
    drill = serializers.DictField(allow_null=True, help_text="Case-list filters.")


class StatisticsTableSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stable: read tables by this, never by title.")
    title = serializers.CharField()
    heading = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=[COUNT, PERCENT, DAYS, MONEY])
    )
    rows = StatisticsRowSerializer(many=True)
    note = serializers.CharField()
    chart = serializers.CharField()
    extra = serializers.DictField()


class StatisticsApi(APIView):
    """Every table of the dashboard for a financial year, as JSON, for councils' own BI tools:
    the same figures the dashboard and the annual report show."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        year = serializers.IntegerField(min_value=2000, max_value=2058)
        service_area = serializers.PrimaryKeyRelatedField(
            queryset=ServiceArea.objects.all(), required=False, allow_null=True
        )
        basis = serializers.ChoiceField(choices=Basis.choices, default=DEFAULT.basis)
        on_time_base = serializers.ChoiceField(
            choices=OnTimeBase.choices, default=DEFAULT.on_time_base
        )

    @extend_schema_serializer(component_name="Statistics")
    class OutputSerializer(serializers.Serializer):
        period = serializers.CharField()
        tables = StatisticsTableSerializer(many=True)

    @extend_schema(
        parameters=[
            OpenApiParameter("basis", str, enum=Basis.values, description=Basis.__doc__),
            OpenApiParameter("on_time_base", str, enum=OnTimeBase.values),
            OpenApiParameter(
                "year", int, description="The financial year's first year, e.g. 2025"
            ),
            OpenApiParameter("service_area", int, required=False),
        ],
        responses=OutputSerializer,
    )
    def get(self, request):
        if not request.user.has_perm(VIEW):
            raise PermissionDenied
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        period = Period.year(params.validated_data["year"])
        area = params.validated_data.get("service_area")
        counting = Counting(
            basis=params.validated_data["basis"],
            on_time_base=params.validated_data["on_time_base"],
        )
        tables = dashboard_tables(period, area, counting=counting).tables
        return Response({"period": period.label, "tables": [t.to_dict() for t in tables.values()]})


@login_required
@permission_required("reporting.add_publishedfigure", raise_exception=True)
def published_figures(request):
    """Upload the totals published for years before the cases were kept here."""
    form = PublishedFiguresForm(request.POST or None, request.FILES or None)
    last_year = financial_year_start(timezone.localdate()).year - 1
    tables = annual_report.count_tables(last_year, fresh=False)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                claim_submission(form, request.user)
                count = published.load_csv(
                    form.cleaned_data["file"], source=form.cleaned_data["source"], tables=tables
                )
        except AlreadySubmitted:
            return redirect("published-figures")
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, f"{count} published figure{'s' * (count != 1)} loaded.")
            return redirect("published-figures")
    return render(
        request,
        "reporting/published_figures.html",
        {
            "form": form,
            "tables": sorted(tables.values(), key=lambda t: t.title),
            "figures": PublishedFigure.objects.order_by("-year", "table", "row")[:500],
        },
        status=400 if form.errors else 200,
    )
