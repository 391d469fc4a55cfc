from django.contrib import admin

from reporting.models import CodeProvision


@admin.register(CodeProvision)
class CodeProvisionAdmin(admin.ModelAdmin):
    list_display = ["paragraph", "label", "active", "order"]
    list_editable = ["active", "order"]
    list_display_links = ["label"]
