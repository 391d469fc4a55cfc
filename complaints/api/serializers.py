"""What the API answers about a case. Categories come as their stable `code`, people as their
username, dates as YYYY-MM-DD; every serializer has a component name of its own in the schema."""

from django.urls import reverse
from rest_framework import serializers

from complaints.models import (
    AgreedAction,
    Case,
    Child,
    Complainant,
    Contact,
    Document,
    Element,
    ElementFinding,
    Event,
    LessonsLearnt,
    Letter,
    Remedy,
    Stage,
)


def code(**kwargs):
    return serializers.SlugRelatedField(slug_field="code", read_only=True, **kwargs)


def person(**kwargs):
    return serializers.SlugRelatedField(slug_field="username", read_only=True, **kwargs)


class CaseSummarySerializer(serializers.ModelSerializer):
    """A row of the case list. Complainants' names are left out (need-to-know); the case has
    them."""

    stage = serializers.IntegerField(source="current_stage.level", allow_null=True)
    service_area = serializers.CharField(source="service_area.name", allow_null=True)
    team = serializers.CharField(source="current_stage.team.name", allow_null=True)

    class Meta:
        model = Case
        fields = [
            "reference",
            "kind",
            "procedure",
            "stage",
            "state",
            "received_on",
            "service_area",
            "team",
            "next_due_on",
        ]


class _ContactDetails:
    """Fields left out unless the context says the reader may see contact details
    (access.sees_contact_details)."""

    private: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("contact_details"):
            for name in self.private:
                data.pop(name, None)
        return data


class ComplainantSerializer(_ContactDetails, serializers.ModelSerializer):
    relationship = code(allow_null=True)
    private = ("email", "letters_by_email", "phone", "address", "postcode")

    class Meta:
        model = Complainant
        fields = [
            "name",
            "email",
            "letters_by_email",
            "phone",
            "address",
            "postcode",
            "relationship",
            "parental_responsibility",
        ]


class ChildSerializer(_ContactDetails, serializers.ModelSerializer):
    private = ("date_of_birth",)

    class Meta:
        model = Child
        fields = ["name", "date_of_birth", "case_system_reference"]


class ElementSerializer(serializers.ModelSerializer):
    nature = code()

    class Meta:
        model = Element
        fields = ["number", "summary", "nature"]


class FindingSerializer(serializers.ModelSerializer):
    element = serializers.IntegerField(source="element.number")
    finding = code(allow_null=True)

    class Meta:
        model = ElementFinding
        fields = ["element", "finding", "reasoning"]


class RemedySerializer(serializers.ModelSerializer):
    kind = code()

    class Meta:
        model = Remedy
        fields = ["id", "kind", "amount", "detail"]


class StageSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    responding_manager = person(allow_null=True)
    investigating_officer = person(allow_null=True)
    independent_person = person(allow_null=True)
    adjudicating_officer = person(allow_null=True)
    outcome = code(allow_null=True)
    escalation_reason = code(allow_null=True)
    previous_response_method = code(allow_null=True)
    findings = FindingSerializer(source="element_findings", many=True)
    remedies = RemedySerializer(many=True)

    class Meta:
        model = Stage
        fields = [
            "level",
            "requested_on",
            "acknowledged_on",
            "allocated_on",
            "statement_agreed_on",
            "report_received_on",
            "panel_scheduled_for",
            "panel_held_on",
            "panel_report_on",
            "responded_on",
            "withdrawn_on",
            "team",
            "responding_manager",
            "investigating_officer",
            "independent_person",
            "adjudicating_officer",
            "outcome",
            "escalation_reason",
            "previous_response_method",
            "findings",
            "remedies",
        ]


class ContactSerializer(serializers.ModelSerializer):
    recorded_by = person(allow_null=True)

    class Meta:
        model = Contact
        fields = ["kind", "happened_on", "with_whom", "note", "recorded_by", "recorded_at"]


class DocumentSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "kind", "title", "filename", "content_type", "size", "uploaded_at"]
        fields += ["download"]

    def get_download(self, document) -> str:
        return reverse("api-case-document-file", args=[document.case.reference, document.pk])


class LetterSerializer(serializers.ModelSerializer):
    document = serializers.IntegerField(source="document_id", allow_null=True)

    class Meta:
        model = Letter
        fields = ["id", "kind", "subject", "body", "drafted_at", "sent_on", "document"]


class EventSerializer(serializers.ModelSerializer):
    actor = person(allow_null=True)
    stage = serializers.IntegerField(source="stage.level", allow_null=True, default=None)

    class Meta:
        model = Event
        fields = ["move", "from_state", "to_state", "stage", "actor", "at", "reason"]


class LessonsLearntSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    stage = serializers.IntegerField(source="stage.level")
    team = serializers.CharField(source="team.name", allow_null=True)
    owed_by = person(allow_null=True)
    submitted_by = person(allow_null=True)

    class Meta:
        model = LessonsLearnt
        fields = [
            "id",
            "case",
            "stage",
            "team",
            "owed_by",
            "due_on",
            "submitted_on",
            "submitted_by",
            "what_went_wrong",
            "learning",
            "applies_beyond_case",
            "wider_learning",
        ]


class AgreedActionSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    owner = person(allow_null=True)

    class Meta:
        model = AgreedAction
        fields = [
            "id",
            "case",
            "source",
            "description",
            "owner",
            "due_on",
            "status",
            "completed_on",
            "evidence",
            "published_summary",
        ]


class CaseSerializer(serializers.ModelSerializer):
    """A case with everything in it that the case page shows."""

    channel = code()
    service_area = serializers.CharField(source="service_area.name", allow_null=True)
    officer = person(allow_null=True)
    complainant = ComplainantSerializer()
    children = ChildSerializer(many=True)
    outcome_sought = code(many=True)
    stage = serializers.IntegerField(source="current_stage.level", allow_null=True)
    stages = StageSerializer(many=True)
    elements = ElementSerializer(many=True)
    contacts = ContactSerializer(many=True)
    documents = DocumentSerializer(many=True)
    letters = LetterSerializer(many=True)
    events = EventSerializer(many=True)
    lessons_learnt = LessonsLearntSerializer(many=True)
    agreed_actions = AgreedActionSerializer(many=True)
    actions = serializers.SerializerMethodField(
        help_text="The actions this person may take on the case now, by slug: "
        "POST /api/v1/cases/{reference}/{slug}/."
    )

    class Meta:
        model = Case
        fields = [
            "reference",
            "kind",
            "procedure",
            "state",
            "stage",
            "channel",
            "received_on",
            "summary",
            "outcome_sought",
            "outcome_sought_detail",
            "service_area",
            "on_behalf_of_child",
            "contact_by",
            "reasonable_adjustments",
            "officer",
            "next_due_on",
            "callback_due_on",
            "advocacy_offered_on",
            "advocacy_accepted",
            "advocacy_referred_on",
            "complainant",
            "children",
            "stages",
            "elements",
            "contacts",
            "documents",
            "letters",
            "events",
            "lessons_learnt",
            "agreed_actions",
            "actions",
        ]

    def get_actions(self, case) -> list[str]:
        return self.context.get("actions", [])
