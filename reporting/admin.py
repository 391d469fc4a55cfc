from django.contrib import admin

from reporting.models import CodeProvision, ReportGrouping


@admin.register(CodeProvision)
class CodeProvisionAdmin(admin.ModelAdmin):
    list_display = ["paragraph", "label", "active", "order"]
    list_editable = ["active", "order"]
    list_display_links = ["label"]


@admin.register(ReportGrouping)
class ReportGroupingAdmin(admin.ModelAdmin):
    list_display = ["label", "table", "order"]
    list_filter = ["table"]
