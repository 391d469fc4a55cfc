from django.contrib import admin

from reporting.models import CodeProvision, PublishedFigure, ReportGrouping


@admin.register(CodeProvision)
class CodeProvisionAdmin(admin.ModelAdmin):
    list_display = ["paragraph", "label", "active", "order"]
    list_editable = ["active", "order"]
    list_display_links = ["label"]


@admin.register(ReportGrouping)
class ReportGroupingAdmin(admin.ModelAdmin):
    list_display = ["label", "table", "order"]
    list_filter = ["table"]


@admin.register(PublishedFigure)
class PublishedFigureAdmin(admin.ModelAdmin):
    list_display = ["year", "table", "row", "value", "source"]
    list_filter = ["year", "table"]
    list_editable = ["value"]
