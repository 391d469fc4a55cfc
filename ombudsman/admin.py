from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ombudsman.models import (
    Decision,
    OmbudsmanCase,
    OmbudsmanDeadline,
    Recommendation,
    RecommendationKind,
)


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["label", "group", "fault", "injustice", "remedied_by_council", "active"]
    list_editable = ["active"]


@admin.register(RecommendationKind)
class RecommendationKindAdmin(admin.ModelAdmin):
    list_display = ["label", "requires_amount", "service_improvement", "active"]


class DeadlineInline(admin.TabularInline):
    model = OmbudsmanDeadline
    extra = 0


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    extra = 0
    raw_id_fields = ["action"]


@admin.register(OmbudsmanCase)
class OmbudsmanCaseAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "received_on", "route", "decision", "decision_on"]
    list_filter = ["route", "decision"]
    search_fields = ["reference"]
    raw_id_fields = ["complaints"]
    inlines = [DeadlineInline, RecommendationInline]
