"""One endpoint per action on a case, POST /api/v1/cases/{reference}/{slug}/, made from its
entry in complaints.actions: the same checks, the same form and the same call as its page.

Answers: 200 with the case; 400 with each field's problems; 403 if your role may not; 404 for
a case you may not see; 409 with the reason if the case's state does not allow it now; 412 if
If-Match names an older version of the case than the one saved.
"""

import inspect

from django import forms
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import APIException
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.views import APIView

from complaints import access
from complaints.actions import ACTIONS, Action
from complaints.api import inputs
from complaints.api.cases import REFUSALS, case_answer, version
from complaints.api.schema import Problems, Refusal
from complaints.errors import CaseMoved, InvalidTransition
from complaints.models import Case


class Conflict(APIException):
    """The case's state does not allow the action now."""

    status_code = 409

    def __init__(self, case: Case, action: Action):
        super().__init__(
            {
                "detail": f"The case is “{case.get_state_display()}”: "
                f"“{action.label}” is not open to it now.",
                "state": case.state,
            }
        )


def _input_name(slug: str) -> str:
    return "".join(part.title() for part in slug.split("-")) + "Input"


def _form_for_schema(action: Action):
    """The action's form as it is documented: one that needs a case is shown a blank one."""
    needs_case = "case" in inspect.signature(action.form.__init__).parameters
    return action.form(**({"case": Case()} if needs_case else {}))


class ActionApi(APIView):
    action: Action  # set per endpoint

    def input_serializer(self):
        return inputs.serializer_for(_form_for_schema(self.action), _input_name(self.action.slug))

    def post(self, request, reference: str):
        action = self.action
        case = access.case_or_404(request.user, reference)
        access.require(request.user, case, action.slug, check_state=False)

        def precondition():
            wanted = request.headers.get("If-Match")
            if wanted and wanted != version(case):
                raise inputs.Stale
            if not action.state_allows(case):
                raise Conflict(case, action)

        def perform(data, form):
            access.require_state(case, action.slug)  # again, in the transaction
            return action.perform(case, request.user, data, form)

        try:
            inputs.submit(
                request,
                action.form,
                perform,
                name=_input_name(action.slug),
                form_kwargs=action.form_arguments(case, request.user),
                precondition=precondition,
            )
        except (InvalidTransition, CaseMoved):
            case.refresh_from_db()
            raise Conflict(case, action) from None
        return case_answer(request, case)


def _endpoint(action: Action):
    schema = extend_schema(
        operation_id=f"cases_{action.slug.replace('-', '_')}",
        summary=action.label,
        description=(action.intro or "") + "\n\nThe same as the case page's form.",
        parameters=[
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                description="The case's ETag as you last read it; 412 if it has moved since.",
            ),
            OpenApiParameter(
                inputs.IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                description="Any unique value (a UUID): sent again, nothing is done twice.",
            ),
        ],
        responses={
            200: OpenApiResponse(description="Done: the case as it is now."),
            400: Problems,
            **REFUSALS,
            409: OpenApiResponse(Refusal, description="The case's state does not allow it."),
            412: OpenApiResponse(Refusal, description="Your copy of the case is stale."),
        },
        tags=["case actions"],
    )

    def post(self, request, reference: str):
        return ActionApi.post(self, request, reference)

    name = f"{_input_name(action.slug)[:-5]}Api"
    attributes = {"action": action, "post": schema(post)}
    if any(isinstance(f, forms.FileField) for f in action.form.base_fields.values()):
        attributes["parser_classes"] = [MultiPartParser, JSONParser]
    return type(name, (ActionApi,), attributes).as_view()


urlpatterns = [
    path(f"cases/<str:reference>/{slug}/", _endpoint(action), name=f"api-case-{slug}")
    for slug, action in ACTIONS.items()
    if action.form is not None
]
