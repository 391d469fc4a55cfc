"""How the API documents itself (drf-spectacular's AutoSchema, for every endpoint): a request
body from the form the view runs, and the refusals every endpoint can give, so a client (and
schemathesis in CI) finds every answer it may get in the schema."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class Problems(serializers.Serializer):
    """A 400: each field's problems, by the field's name; the whole request's under
    non_field_errors."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class Refusal(serializers.Serializer):
    detail = serializers.CharField()


class ApiSchema(AutoSchema):
    def get_request_serializer(self):
        """A view that runs a form documents it through `input_serializer()`, made when the
        schema is rather than when the URLs load: forms read the database."""
        if hasattr(self.view, "input_serializer"):
            return self.view.input_serializer()
        return super().get_request_serializer()

    def _get_response_bodies(self, direction="response"):
        found = super()._get_response_bodies(direction)
        refusals = {
            "403": (Refusal, "Not signed in, or your role may not do this."),
            "429": (Refusal, "Too many requests from this token: wait and try again."),
        }
        if self.method in ("POST", "PUT", "PATCH") or self.method == "GET":
            refusals["400"] = (Problems, "Each problem with the request, by field.")
        # Also a list's cursor that is not one it gave.
        refusals["404"] = (Refusal, "No such thing, or one you may not see.")
        for code, (serializer, description) in refusals.items():
            if code not in found:
                body = self._get_response_for_code(serializer, code, direction=direction)
                found[code] = {**body, "description": description}
        return found
