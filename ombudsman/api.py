"""Ombudsman cases through the API, with the same permissions as their pages: seeing them needs
the complaints team's or a senior manager's sight of every case, recording needs
`record_ombudsman`. Recording runs the pages' own forms (complaints.api.inputs)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.api import inputs
from complaints.api.cases import REFUSALS
from complaints.api.schema import Problems
from complaints.api.serializers import code
from ombudsman import forms
from ombudsman.models import OmbudsmanCase, Recommendation

_VIEW = "complaints.view_all_cases"
_RECORD = "complaints.record_ombudsman"


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied("Your role may not do this.")


class RecommendationSerializer(serializers.ModelSerializer):
    kind = code()

    class Meta:
        model = Recommendation
        fields = ["id", "kind", "amount", "detail", "due_on", "completed_on", "evidence"]


class OmbudsmanCaseSerializer(serializers.ModelSerializer):
    decision = code(allow_null=True)
    complaints = serializers.SlugRelatedField(slug_field="reference", many=True, read_only=True)
    service_area = serializers.CharField(source="service_area.name", allow_null=True)
    recommendations = RecommendationSerializer(many=True)

    class Meta:
        model = OmbudsmanCase
        fields = [
            "id",
            "reference",
            "received_on",
            "route",
            "complaints",
            "service_area",
            "summary",
            "decision",
            "decision_on",
            "draft_decision_on",
            "public_report",
            "remedied_before_decision",
            "published_summary",
            "recommendations",
        ]


def _cases():
    return OmbudsmanCase.objects.select_related("decision", "service_area").prefetch_related(
        "complaints", "recommendations__kind"
    )


def _answer(case: OmbudsmanCase, status_code=status.HTTP_200_OK) -> Response:
    return Response(OmbudsmanCaseSerializer(_cases().get(pk=case.pk)).data, status=status_code)


class OmbudsmanListApi(generics.ListAPIView):
    """Ombudsman cases; POST records one, as *Record an Ombudsman case* does."""

    serializer_class = OmbudsmanCaseSerializer
    filterset_class = forms.OmbudsmanFilter
    ordering_fields = ["received_on", "reference"]
    ordering = ["-received_on", "-id"]

    def input_serializer(self):
        return inputs.serializer_for(forms.OmbudsmanCaseForm(), "OmbudsmanCaseInput")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method == "GET":
            _require(request, _VIEW)

    def get_queryset(self):
        return _cases()

    @extend_schema(responses={201: OmbudsmanCaseSerializer, 400: Problems, 403: REFUSALS[403]})
    def post(self, request):
        _require(request, _RECORD)
        case = inputs.submit(
            request,
            forms.OmbudsmanCaseForm,
            lambda d, form: form.record(by=request.user),
            name="OmbudsmanCaseInput",
            form_kwargs={"user": request.user},
        )
        return _answer(case, status.HTTP_201_CREATED)


class OmbudsmanDetailApi(APIView):
    @extend_schema(responses={200: OmbudsmanCaseSerializer, **REFUSALS})
    def get(self, request, pk: int):
        _require(request, _VIEW)
        return _answer(get_object_or_404(OmbudsmanCase, pk=pk))


class DecisionApi(APIView):
    def input_serializer(self):
        return inputs.serializer_for(forms.DecisionForm(), "OmbudsmanDecisionInput")

    @extend_schema(responses={200: OmbudsmanCaseSerializer, 400: Problems, **REFUSALS})
    def post(self, request, pk: int):
        """Record the Ombudsman's decision."""
        _require(request, _RECORD)
        case = get_object_or_404(OmbudsmanCase, pk=pk)
        inputs.submit(
            request,
            forms.DecisionForm,
            lambda d, form: form.record(case),
            name="OmbudsmanDecisionInput",
        )
        return _answer(case)


class RecommendationApi(APIView):
    def input_serializer(self):
        return inputs.serializer_for(forms.RecommendationForm(), "RecommendationInput")

    @extend_schema(responses={201: OmbudsmanCaseSerializer, 400: Problems, **REFUSALS})
    def post(self, request, pk: int):
        """Add a recommendation; it is chased as an agreed action until complied with."""
        _require(request, _RECORD)
        case = get_object_or_404(OmbudsmanCase, pk=pk)
        inputs.submit(
            request,
            forms.RecommendationForm,
            lambda d, form: form.record(case, by=request.user),
            name="RecommendationInput",
        )
        return _answer(case, status.HTTP_201_CREATED)
