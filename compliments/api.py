"""Compliments through the API, for the council's own staff as on their pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.roles import is_council_staff
from complaints.api import inputs
from complaints.api.cases import REFUSALS
from complaints.api.schema import Problems
from complaints.api.serializers import code
from compliments import services
from compliments.forms import ComplimentFilter, ComplimentForm
from compliments.models import Compliment


class ComplimentSerializer(serializers.ModelSerializer):
    service_area = serializers.CharField(source="service_area.name")
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    source = code()
    channel = code()
    themes = code(many=True)

    class Meta:
        model = Compliment
        fields = [
            "id",
            "received_on",
            "service_area",
            "team",
            "staff_named",
            "source",
            "channel",
            "summary",
            "full_text",
            "consent_to_publish",
            "extract",
            "themes",
        ]


class ComplimentListApi(generics.ListAPIView):
    """Compliments; POST records one, as *Record a compliment* does."""

    serializer_class = ComplimentSerializer
    filterset_class = ComplimentFilter
    ordering_fields = ["received_on"]
    ordering = ["-received_on", "-id"]

    def input_serializer(self):
        return inputs.serializer_for(ComplimentForm(), "ComplimentInput")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not is_council_staff(request.user):
            raise PermissionDenied("Compliments are for the council's own staff.")

    def get_queryset(self):
        return Compliment.objects.select_related(
            "service_area", "team", "source", "channel"
        ).prefetch_related("themes")

    @extend_schema(responses={201: ComplimentSerializer, 400: Problems, 403: REFUSALS[403]})
    def post(self, request):
        def record(d, form):
            data = {k: v for k, v in d.items() if k not in ("submission", "themes")}
            return services.compliment_record(by=request.user, themes=d["themes"], **data)

        compliment = inputs.submit(request, ComplimentForm, record, name="ComplimentInput")
        return Response(
            ComplimentSerializer(self.get_queryset().get(pk=compliment.pk)).data,
            status=status.HTTP_201_CREATED,
        )
