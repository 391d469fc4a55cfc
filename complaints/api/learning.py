"""Lessons-learnt forms and agreed actions through the API: the complaints team's lists (each
person's own, for anyone else), and marking an action done. A form is submitted, and an action
agreed, on its case: POST /api/v1/cases/{reference}/lessons-learnt/ and …/agreed-action/."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import access, forms, learning
from complaints.api import inputs
from complaints.api.cases import REFUSALS
from complaints.api.schema import Problems
from complaints.api.serializers import AgreedActionSerializer, LessonsLearntSerializer
from complaints.filters import AgreedActionFilter, LessonsLearntFilter
from complaints.models import AgreedAction, LessonsLearnt


class LessonsLearntListApi(generics.ListAPIView):
    """Lessons-learnt forms, owed and submitted: every one for the complaints team, else those
    you owe."""

    serializer_class = LessonsLearntSerializer
    filterset_class = LessonsLearntFilter
    ordering_fields = ["due_on", "submitted_on"]
    ordering = ["due_on", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema, read with no one signed in
            return LessonsLearnt.objects.none()
        return learning.forms_for(self.request.user).select_related("stage")


class AgreedActionListApi(generics.ListAPIView):
    """Agreed actions: every one for the complaints team, else those you own."""

    serializer_class = AgreedActionSerializer
    filterset_class = AgreedActionFilter
    ordering_fields = ["due_on", "completed_on"]
    ordering = ["due_on", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AgreedAction.objects.none()
        return learning.actions_for(self.request.user)


class AgreedActionDoneApi(APIView):
    def input_serializer(self):
        form = forms.ActionCompleteForm(user=self.request.user)
        return inputs.serializer_for(form, "AgreedActionDoneInput", per_case=True)

    @extend_schema(responses={200: AgreedActionSerializer, 400: Problems, **REFUSALS})
    def post(self, request, pk: int):
        """Mark an action done, with the evidence; as its owner or the complaints team. Only the
        complaints team words what the annual report says of it (published_summary)."""
        action = get_object_or_404(learning.actions_for(request.user), pk=pk)
        if action.case:
            access.case_or_404(request.user, action.case.reference)
        if not learning.may_complete(request.user, action):
            raise PermissionDenied("Only the action's owner or the complaints team can close it.")
        done = inputs.submit(
            request,
            forms.ActionCompleteForm,
            lambda d, form: learning.action_complete(
                action,
                by=request.user,
                evidence=d["evidence"],
                on=d["on"],
                published_summary=d.get("published_summary"),
            ),
            name="AgreedActionDoneInput",
            form_kwargs={"user": request.user},
        )
        return Response(AgreedActionSerializer(done).data)
