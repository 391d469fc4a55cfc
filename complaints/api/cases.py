"""Cases through the API: the list (and logging a new one), a case with everything in it, and
its documents. The working-days calculator is public: it holds no personal data, and councils'
web forms use it to tell complainants when to expect a reply."""

from django.db.models import Max
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import access, audit, intake, selectors
from complaints.api import inputs
from complaints.api.schema import Problems, Refusal
from complaints.api.serializers import CaseSerializer, CaseSummarySerializer
from complaints.filters import CaseFilter
from complaints.forms import CaseLogForm
from complaints.models import Case, Document
from complaints.workingdays import Calendar, OutOfRange, add_working_days


def version(case: Case) -> str:
    """The case's ETag: it changes with every workflow move (each writes an event row), so a
    client holding an older one is told its copy is stale (412) rather than acting on it."""
    last = case.events.aggregate(last=Max("pk"))["last"] or 0
    return f'"{case.pk}-{last}"'


def case_answer(request, case: Case, status_code=status.HTTP_200_OK) -> Response:
    case = selectors.whole_case_queryset().get(pk=case.pk)
    actions = [a.slug for a in access.permitted_actions(request.user, case)]
    context = {
        "request": request,
        "actions": actions,
        "contact_details": access.sees_contact_details(request.user),
    }
    data = CaseSerializer(case, context=context).data
    # The panel's papers are listed only to those who may open them.
    shown = {d.pk for d in case.documents.all() if access.may_download(request.user, d)}
    data["documents"] = [d for d in data["documents"] if d["id"] in shown]
    return Response(data, status=status_code, headers={"ETag": version(case)})


REFUSALS = {
    403: OpenApiResponse(Refusal, description="Your role may not do this on this case."),
    404: OpenApiResponse(Refusal, description="No such case, or one you may not see."),
}


class CaseListApi(generics.ListAPIView):
    """The case list, with the same visibility and filters as the page; POST logs a new
    representation, as *Log a representation* does."""

    serializer_class = CaseSummarySerializer
    filterset_class = CaseFilter
    ordering_fields = ["received_on", "next_due_on", "reference"]
    ordering = ["-received_on", "-id"]

    def input_serializer(self):
        return inputs.serializer_for(CaseLogForm(), "CaseLogInput")

    def get_queryset(self):
        return selectors.case_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        answer = super().list(request, *args, **kwargs)  # 400 for filters it cannot read
        filters = self.filterset_class(request.GET, queryset=self.get_queryset())
        audit.record_export(request, "Case list through the API", filters=filters)
        return answer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                inputs.IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                description="Any unique value (a UUID): sent again, the case is logged once.",
            )
        ],
        responses={
            201: CaseSerializer,
            400: Problems,
            403: REFUSALS[403],
        },
    )
    def post(self, request):
        if not request.user.has_perm("complaints.log_case"):
            return Response({"detail": "Your role may not log cases."}, status=403)

        def log(data, form):
            try:
                return intake.log_from_form(form, request.user, token_claimed=True)
            except intake.MayRepeat as question:
                refs = ", ".join(c.reference for c in question.repeats)
                raise ValidationError({"not_a_repeat": [f"{question.message} ({refs})"]}) from None

        case = inputs.submit(request, CaseLogForm, log, name="CaseLogInput")
        return case_answer(request, case, status.HTTP_201_CREATED)


class CaseDetailApi(APIView):
    @extend_schema(responses={200: CaseSerializer, **REFUSALS})
    def get(self, request, reference: str):
        """A case with its people, stages, findings, remedies, elements, contacts, documents,
        letters and events, and the actions you may take on it now. Its ETag header goes back
        as If-Match with an action, to be told (412) if the case moved meanwhile."""
        return case_answer(request, access.case_shown(request, reference))


class CaseDocumentApi(APIView):
    @extend_schema(
        responses={
            (200, "*/*"): OpenApiTypes.BINARY,
            404: REFUSALS[404],
        }
    )
    def get(self, request, reference: str, pk: int):
        """A document's file, after the same check as the case."""
        case = access.case_or_404(request.user, reference)
        document = get_object_or_404(Document, case=case, pk=pk)
        if not access.may_download(request.user, document):
            raise Http404("No such document.")
        audit.record_download(request, document)
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.filename,
            content_type=document.content_type,
        )


class WorkingDaysApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        start = serializers.DateField(input_formats=["%Y-%m-%d"])
        days = serializers.IntegerField(min_value=0, max_value=1000)
        calendar = serializers.ChoiceField(choices=Calendar.choices, default=Calendar.STATUTORY)

    @extend_schema_serializer(component_name="WorkingDays")
    class OutputSerializer(serializers.Serializer):
        start = serializers.DateField()
        days = serializers.IntegerField()
        calendar = serializers.CharField()
        due = serializers.DateField()

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="The day received"),
            OpenApiParameter("days", int, description="Working days, 0 to 1000"),
            OpenApiParameter(
                "calendar",
                str,
                enum=[c.value for c in Calendar],
                description="statutory (default) or corporate",
            ),
        ],
        responses={200: OutputSerializer, 400: Problems},
    )
    def get(self, request):
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        try:
            due = add_working_days(data["start"], data["days"], data["calendar"])
        except OutOfRange as exc:
            return Response({"start": [str(exc)]}, status=400)
        return Response(self.OutputSerializer({**data, "due": due}).data)
