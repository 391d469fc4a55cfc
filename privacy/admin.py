from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from privacy.models import RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(SimpleHistoryAdmin):
    list_display = ["record", "years", "active", "note"]
    list_editable = ["years", "active"]

    def has_delete_permission(self, request, obj=None):
        return False  # untick "active" to keep a kind of record
