from django import forms
from django.contrib import admin
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask
from simple_history.admin import SimpleHistoryAdmin

from accounts.roles import Role
from complaints import audit
from complaints.forms import people
from complaints.models import (
    CATEGORY_MODELS,
    AccessRecord,
    AgreedAction,
    Case,
    ChaseRule,
    ChaseRun,
    Deadline,
    Directorate,
    Element,
    ElementFinding,
    Event,
    LessonsLearnt,
    LetterParagraph,
    LetterTemplate,
    NonWorkingDay,
    Notification,
    Pause,
    Remedy,
    ServiceArea,
    Stage,
    StageDefinition,
    Team,
    Timescale,
)


class CategoryAdmin(admin.ModelAdmin):
    list_display = ("label", "code", "order", "active")
    list_editable = ("order", "active")
    list_filter = ("active",)
    search_fields = ("label", "code")

    def has_delete_permission(self, request, obj=None):
        # Reports count cases by these rows: retire a category by unticking "active".
        return False


for model in CATEGORY_MODELS.values():
    extra = [
        f.name
        for f in model._meta.fields
        if f.name
        in {"is_child", "group", "procedure", "requires_amount", "needs_sufficient_interest"}
    ]
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (CategoryAdmin,),
            {"list_display": ("label", "code", *extra, "order", "active")},
        ),
    )


class TimescaleInline(admin.TabularInline):
    model = Timescale
    extra = 0


@admin.register(StageDefinition)
class StageDefinitionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "procedure", "level", "active", "requires_quality_assurance")
    inlines = [TimescaleInline]


@admin.register(NonWorkingDay)
class NonWorkingDayAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "kind")
    list_filter = ("kind",)
    date_hierarchy = "date"


class CouncilStaffChoices:
    """Heading a service or managing a team shows its cases: only the council's own managers
    are offered, never an investigator or independent person from outside."""

    STAFF_FIELDS = {
        "head_of_service": (Role.HEAD_OF_SERVICE, Role.SENIOR_MANAGER),
        "manager": (Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE),
    }

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.STAFF_FIELDS:
            kwargs["queryset"] = people(*self.STAFF_FIELDS[db_field.name])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ServiceAreaInline(CouncilStaffChoices, admin.TabularInline):
    model = ServiceArea
    extra = 0


@admin.register(Directorate)
class DirectorateAdmin(admin.ModelAdmin):
    inlines = [ServiceAreaInline]


class TeamInline(CouncilStaffChoices, admin.TabularInline):
    model = Team
    extra = 0


@admin.register(ServiceArea)
class ServiceAreaAdmin(CouncilStaffChoices, admin.ModelAdmin):
    list_display = ("name", "directorate", "head_of_service")
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(CouncilStaffChoices, admin.ModelAdmin):
    list_display = ("name", "service", "manager", "active")
    list_filter = ("service", "active")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StageInline(ReadOnlyInline):
    model = Stage
    fields = ("level", "requested_on", "team", "responding_manager", "responded_on", "outcome")
    show_change_link = True


class ElementInline(ReadOnlyInline):
    model = Element
    fields = ("number", "summary", "nature")


class EventInline(ReadOnlyInline):
    model = Event
    fields = ("at", "move", "from_state", "to_state", "actor", "reason")


class LoggedCaseAdmin(SimpleHistoryAdmin):
    """A case's admin pages show its record and history: opening them is in the access log,
    as the case's own pages are."""

    def _case(self, obj):
        return obj

    def _log(self, request, object_id):
        obj = self.get_object(request, object_id)
        if obj is not None and request.method == "GET":
            audit.record(
                request, audit.Action.VIEWED_CASE, case=self._case(obj), detail=request.path
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._log(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._log(request, object_id)
        return super().history_view(request, object_id, extra_context)


@admin.register(Case)
class CaseAdmin(LoggedCaseAdmin):
    """Cases are worked in the application; the admin shows them and their history. State is
    read-only here because only complaints.workflow may change it."""

    list_display = ("reference", "kind", "procedure", "state", "received_on", "next_due_on")
    list_filter = ("kind", "procedure", "state", "service_area")
    search_fields = ("reference",)
    date_hierarchy = "received_on"
    readonly_fields = ("reference", "state", "current_stage", "next_due_on", "created_at")
    raw_id_fields = ("complainant", "children", "repeat_of", "logged_by", "screened_by")
    inlines = [StageInline, ElementInline, EventInline]
    list_select_related = ("service_area",)


class DeadlineInline(ReadOnlyInline):
    model = Deadline
    fields = ("step", "starts_on", "service_target_on", "due_on", "extended_due_on", "max_due_on")


class FindingInline(admin.TabularInline):
    model = ElementFinding
    extra = 0
    fields = ("element", "finding", "reasoning")
    readonly_fields = ("element",)


class RemedyInline(admin.TabularInline):
    model = Remedy
    extra = 0


class PauseInline(ReadOnlyInline):
    model = Pause
    fields = ("started_on", "ended_on", "working_days", "reason")


@admin.register(Stage)
class StageAdmin(LoggedCaseAdmin):
    list_display = ("__str__", "level", "requested_on", "responded_on")
    list_filter = ("level",)
    search_fields = ("case__reference",)
    raw_id_fields = (
        "case",
        "responding_manager",
        "investigating_officer",
        "independent_person",
        "adjudicating_officer",
    )
    readonly_fields = ("case", "level", "requested_on", "responded_on", "paused_working_days")
    inlines = [DeadlineInline, FindingInline, RemedyInline, PauseInline]

    def _case(self, obj):
        return obj.case


@admin.register(LetterTemplate)
class LetterTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "procedure", "level", "active"]
    list_filter = ["kind", "procedure", "level", "active"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "procedure", "level", "active"]}),
        (
            "Wording",
            {
                "fields": ["subject", "body"],
                "description": (
                    "Django template text. Available: {{ complainant.name }}, "
                    "{{ case.reference }}, {{ case.received_on|date:'j F Y' }}, {{ stage_name }}, "
                    "{{ next_stage_name }}, {{ due_on|date:'j F Y' }}, "
                    "{{ escalate_by|date:'j F Y' }}, {{ escalation_link }} (the complainant's "
                    "own link to ask for the next stage online), {% for e in elements %}"
                    "{{ e.number }} "
                    "{{ e.summary }} {{ e.finding }} {{ e.reasoning }}{% endfor %}, "
                    "{% for r in remedies %}…{% endfor %}, {{ refusal_reason }}, "
                    "{{ officer.name }}, {{ officer.job_title }}, {{ council.name }} and "
                    "{{ paragraph.<code> }} for each letter paragraph. The text is plain: "
                    "what you write and what the case holds appear exactly as typed."
                ),
            },
        ),
    ]


@admin.register(LetterParagraph)
class LetterParagraphAdmin(admin.ModelAdmin):
    list_display = ["code", "title"]


@admin.register(ChaseRule)
class ChaseRuleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "trigger",
        "procedure",
        "level",
        "step",
        "offset_working_days",
        "active",
    ]
    list_filter = ["trigger", "active", "level"]
    fieldsets = [
        (None, {"fields": ["code", "name", "active", "trigger"]}),
        (
            "When",
            {
                "fields": [
                    "procedure",
                    "level",
                    "step",
                    "anchor",
                    "offset_working_days",
                    "offset_months",
                    "unless",
                    "only_while_drafting",
                    "move",
                ]
            },
        ),
        ("Who and what", {"fields": ["to", "cc", "subject", "body"]}),
    ]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox and its log: failures show here with their error."""

    list_display = ["subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "rule"]
    search_fields = ["key", "subject"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ChaseRun)
class ChaseRunAdmin(admin.ModelAdmin):
    list_display = ["for_date", "started_at", "finished_at", "queued", "sent", "failed", "error"]
    readonly_fields = [f.name for f in ChaseRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(LessonsLearnt)
class LessonsLearntAdmin(SimpleHistoryAdmin):
    list_display = ["stage", "team", "owed_by", "due_on", "submitted_on"]
    list_filter = ["submitted_on", "team"]
    raw_id_fields = ["stage", "case"]


@admin.register(AgreedAction)
class AgreedActionAdmin(SimpleHistoryAdmin):
    list_display = ["description", "source", "owner", "due_on", "status"]
    list_filter = ["status", "source"]
    raw_id_fields = ["case", "stage", "lessons_learnt"]


@admin.register(AccessRecord)
class AccessRecordAdmin(admin.ModelAdmin):
    """The access log, to read and filter. Nobody adds, changes or deletes a record here."""

    list_display = ["at", "user", "action", "case", "detail", "address"]
    list_filter = ["action"]
    search_fields = ["case__reference", "user__username"]
    date_hierarchy = "at"
    list_select_related = ["user", "case"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = PeriodicTask
        fields = ["enabled", "interval", "crontab", "start_time"]


class ScheduleAdmin(PeriodicTaskAdmin):
    """The service's periodic jobs (chasing, the outbox, retention…). A complaints manager
    retimes them or switches them off; what they run, and with what arguments, is the
    council's IT's (a superuser's) to change, and only they may run one at once."""

    def _superuser(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def get_form(self, request, obj=None, **kwargs):
        if self._superuser(request):
            return super().get_form(request, obj, **kwargs)
        return ScheduleForm

    def get_fieldsets(self, request, obj=None):
        if self._superuser(request):
            return super().get_fieldsets(request, obj)
        return [
            (None, {"fields": ["name", "task", "enabled", "description"]}),
            ("Schedule", {"fields": ["interval", "crontab", "start_time", "last_run_at"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if self._superuser(request):
            return super().get_readonly_fields(request, obj)
        return ["name", "task", "description", "last_run_at"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self._superuser(request):
            actions.pop("run_tasks", None)
        return actions


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, ScheduleAdmin)
