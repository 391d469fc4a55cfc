"""The API. The working-days calculator is public: it holds no personal data, and councils'
web forms use it to tell complainants when to expect a reply. Everything else needs a sign-in
and sees what complaints.selectors.cases_visible_to allows, as the pages do."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import audit
from complaints.workingdays import Calendar, OutOfRange, add_working_days


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


class CaseListApi(APIView):
    """The case list as JSON, with the same visibility, filters and paging as the page.

    For the council's own reporting tools. Complainants' names are left out (need-to-know);
    the case page has them.
    """

    @extend_schema_serializer(component_name="CaseSummary")
    class OutputSerializer(serializers.Serializer):
        reference = serializers.CharField()
        kind = serializers.CharField()
        procedure = serializers.CharField()
        stage = serializers.IntegerField(source="current_stage.level", allow_null=True)
        state = serializers.CharField()
        received_on = serializers.DateField()
        service_area = serializers.CharField(source="service_area.name", allow_null=True)
        team = serializers.CharField(source="current_stage.team.name", allow_null=True)
        next_due_on = serializers.DateField(allow_null=True)

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        from complaints.filters import CaseFilter
        from complaints.selectors import case_list

        filters = CaseFilter(request.query_params or None, queryset=case_list(user=request.user))
        if filters.is_bound and not filters.is_valid():
            return Response(filters.errors, status=400)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(filters.qs, request, view=self)
        audit.record_export(request, f"Case list through the API {request.GET.urlencode()}")
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)
