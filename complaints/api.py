"""The public, read-only working-days calculator. It holds no personal data, so it needs no
log-in: councils' web forms use it to tell complainants when to expect a reply."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.workingdays import Calendar, OutOfRange, add_working_days


class WorkingDaysApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        start = serializers.DateField(input_formats=["%Y-%m-%d"])
        days = serializers.IntegerField(min_value=0, max_value=1000)
        calendar = serializers.ChoiceField(choices=Calendar.choices, default=Calendar.STATUTORY)

    class OutputSerializer(serializers.Serializer):
        start = serializers.DateField()
        days = serializers.IntegerField()
        calendar = serializers.CharField()
        due = serializers.DateField()

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, description="YYYY-MM-DD, the day received"),
            OpenApiParameter("days", int, description="Working days, 0 to 1000"),
            OpenApiParameter(
                "calendar",
                str,
                enum=[c.value for c in Calendar],
                description="statutory (default) or corporate",
            ),
        ],
        responses=OutputSerializer,
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
