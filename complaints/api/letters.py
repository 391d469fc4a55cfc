"""A letter on a case through the API, as its page (letter_edit) handles it: read the draft as
it reads now, save its text, draft it again from the case, send it. A letter is drafted from a
template by the "letter" action (POST /api/v1/cases/{reference}/letter/); a response letter is
drafted by "draft-response" and goes when the response is issued."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import access, forms, letters
from complaints.api import inputs
from complaints.api.cases import REFUSALS
from complaints.api.schema import Problems, Refusal
from complaints.api.serializers import LetterSerializer
from complaints.models import Letter


class DraftLetterSerializer(LetterSerializer):
    seen = serializers.SerializerMethodField(
        help_text="Send it back with your edit: if the letter changed meanwhile, nothing is "
        "saved and the answer is 412."
    )
    may_send = serializers.BooleanField()

    class Meta(LetterSerializer.Meta):
        fields = [*LetterSerializer.Meta.fields, "seen", "may_send"]

    def get_seen(self, letter) -> str:
        return "" if letter.sent_on else letters.letter_fingerprint(letter)


def _letter(request, reference: str, pk: int, *, to_change: bool) -> Letter:
    """404 for a case or letter the person may not see; 403 if they may read it but not change
    it."""
    case = access.case_shown(request, reference)  # a read goes in the access log
    letter = get_object_or_404(Letter.objects.select_related("case"), case=case, pk=pk)
    if to_change:
        access.require(request.user, case, letters.action_for(letter))
    return letter


def _answer(request, letter: Letter) -> Response:
    letter = letters.current(Letter.objects.select_related("case").get(pk=letter.pk))
    letter.may_send = (
        not letter.sent_on
        and letters.sent_by_hand(letter)
        and access.may(request.user, letter.case, "letter")
    )
    return Response(DraftLetterSerializer(letter).data)


_SENT = OpenApiResponse(Refusal, description="The letter was sent; it cannot change.")


class LetterApi(APIView):
    def input_serializer(self):
        return inputs.serializer_for(forms.LetterForm(), "LetterEditInput")

    @extend_schema(responses={200: DraftLetterSerializer, **REFUSALS})
    def get(self, request, reference: str, pk: int):
        """The letter as it reads now: a draft nobody edited by hand follows the case."""
        return _answer(request, _letter(request, reference, pk, to_change=False))

    @extend_schema(
        responses={
            200: DraftLetterSerializer,
            400: Problems,
            **REFUSALS,
            412: OpenApiResponse(Refusal, description="Someone saved a change after you read it."),
        }
    )
    def post(self, request, reference: str, pk: int):
        """Save the draft's text; once edited by hand it no longer follows the case."""
        letter = _letter(request, reference, pk, to_change=True)
        inputs.submit(
            request,
            forms.LetterForm,
            lambda d, form: letters.letter_update(
                letters.current(letter), subject=d["subject"], body=d["body"], seen=d["seen"]
            ),
            name="LetterEditInput",
        )
        return _answer(request, letter)


class LetterRedraftApi(APIView):
    def input_serializer(self):
        return inputs.serializer_for(forms.ConfirmForm(), "LetterRedraftInput")

    @extend_schema(responses={200: DraftLetterSerializer, 400: Problems, **REFUSALS})
    def post(self, request, reference: str, pk: int):
        """Draft the letter again from the case, replacing hand edits."""
        letter = _letter(request, reference, pk, to_change=True)
        inputs.submit(
            request,
            forms.ConfirmForm,
            lambda d, form: letters.letter_redraft(letter, by=request.user),
            name="LetterRedraftInput",
        )
        return _answer(request, letter)


class LetterSendApi(APIView):
    def input_serializer(self):
        return inputs.serializer_for(forms.ConfirmForm(), "LetterSendInput")

    @extend_schema(responses={200: DraftLetterSerializer, 400: Problems, **REFUSALS})
    def post(self, request, reference: str, pk: int):
        """Send the letter: its PDF is kept on the case and e-mailed to a complainant who
        agreed to letters by e-mail. A letter still holding [placeholders] is refused (400)."""
        letter = _letter(request, reference, pk, to_change=True)
        if not letters.sent_by_hand(letter):
            raise PermissionDenied("A response letter goes when the response is issued.")
        inputs.submit(
            request,
            forms.ConfirmForm,
            lambda d, form: letters.letter_send(letter, by=request.user),
            name="LetterSendInput",
        )
        return _answer(request, letter)
