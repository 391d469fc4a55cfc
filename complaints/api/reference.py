"""The categories the API's inputs and answers name by `code`, with their labels."""

from django.apps import apps
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.models import ServiceArea, Team

# Every category model of every app: a subclass of complaints.models.reference.Category.
_APPS = ("complaints", "ombudsman", "compliments")


def _categories():
    from complaints.models.reference import Category

    for app in _APPS:
        for model in apps.get_app_config(app).get_models():
            if issubclass(model, Category):
                yield model


class EntrySerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    active = serializers.BooleanField()


class ReferenceDataSerializer(serializers.Serializer):
    categories = serializers.DictField(
        child=EntrySerializer(many=True),
        help_text="By model name, e.g. escalationreason: every code, with its label.",
    )
    service_areas = serializers.ListField(child=serializers.DictField())
    teams = serializers.ListField(child=serializers.DictField())


class ReferenceDataApi(APIView):
    @extend_schema(responses=ReferenceDataSerializer)
    def get(self, request):
        """Categories by code, and the service areas and teams by id."""
        categories = {
            model._meta.model_name: list(model.objects.values("code", "label", "active"))
            for model in _categories()
        }
        return Response(
            {
                "categories": categories,
                "service_areas": list(ServiceArea.objects.values("id", "name")),
                "teams": list(Team.objects.values("id", "name", "service_id")),
            }
        )
