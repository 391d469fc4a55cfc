"""A case-work form as an API's input: its fields as a serializer (typed JSON, and the schema),
and a JSON body as the form's own data, so the form's rules run once for the page and the API.

In JSON, a date is "YYYY-MM-DD"; a category (reason, finding, channel, …) is its stable `code`
(see /api/v1/reference-data/); a person is their username; a team or service area its id; a
yes-or-no-or-not-known answer true, false or null.
"""

import uuid

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.datastructures import MultiValueDict
from rest_framework import serializers
from rest_framework.exceptions import APIException

from complaints.errors import CaseMoved, DomainError, InvalidTransition, StaleEdit
from complaints.submission import AlreadySubmitted, claim_submission, put_error

IDEMPOTENCY_HEADER = "Idempotency-Key"


def _is_yes_no(field) -> bool:
    return isinstance(field, forms.TypedChoiceField) and {"yes", "no"} <= {
        c[0] for c in field.choices
    }


def _key(field) -> str:
    """How a model choice is named in JSON."""
    model = field.queryset.model
    if model is get_user_model():
        return "username"
    if any(f.name == "code" for f in model._meta.fields):
        return "code"
    return "pk"


class _JsonTyped:
    """DRF reads 0 as the text "0", "1" as the number 1 and "yes" as true: kind to a person, but
    it hides a client's fault. Each value here must be the JSON type the schema gives."""

    json_types: tuple[type, ...] = ()

    def to_internal_value(self, data):
        if not isinstance(data, self.json_types) or (
            isinstance(data, bool) and bool not in self.json_types
        ):
            self.fail("invalid")
        return super().to_internal_value(data)


class Text(_JsonTyped, serializers.CharField):
    json_types = (str,)


class Email(_JsonTyped, serializers.EmailField):
    json_types = (str,)


class Integer(_JsonTyped, serializers.IntegerField):
    json_types = (int,)


class Boolean(_JsonTyped, serializers.BooleanField):
    json_types = (bool,)


class Decimal(_JsonTyped, serializers.DecimalField):
    json_types = (str,)  # as the schema writes it, so no amount is rounded on the way in


def _serializer_field(field: forms.Field):
    common = {"required": field.required, "help_text": str(field.help_text or "") or None}
    label = str(field.label or "")
    if label:
        common["label"] = label
    if isinstance(field, DateInputField):
        return serializers.DateField(allow_null=not field.required, **common)
    if isinstance(field, forms.ModelMultipleChoiceField):
        child = Integer() if _key(field) == "pk" else Text()
        return serializers.ListField(child=child, **common)
    if isinstance(field, forms.ModelChoiceField):
        kind = Integer if _key(field) == "pk" else Text
        return kind(allow_null=not field.required, **common)
    if _is_yes_no(field):
        return Boolean(allow_null=True, **common)
    if isinstance(field, forms.MultipleChoiceField):
        return serializers.MultipleChoiceField(choices=list(field.choices), **common)
    if isinstance(field, forms.TypedChoiceField | forms.ChoiceField):
        choices = [c for c in field.choices if c[0] != ""]
        optional = not field.required
        return serializers.ChoiceField(
            choices=choices, allow_blank=optional, allow_null=optional, **common
        )
    if isinstance(field, forms.BooleanField):
        return Boolean(default=False, **{**common, "required": False})
    if isinstance(field, forms.DecimalField):
        return Decimal(
            max_digits=field.max_digits,
            decimal_places=field.decimal_places,
            allow_null=not field.required,
            **common,
        )
    if isinstance(field, forms.FileField):
        return serializers.FileField(**common)
    if isinstance(field, forms.IntegerField):
        return Integer(allow_null=not field.required, **common)
    if isinstance(field, forms.EmailField):
        return Email(allow_blank=not field.required, **common)
    return Text(
        max_length=getattr(field, "max_length", None),
        allow_blank=not field.required,
        trim_whitespace=False,
        **common,
    )


_serializers: dict[str, tuple[type, type]] = {}


def serializer_for(
    form: forms.BaseForm, name: str, *, per_case: bool = False
) -> type[serializers.Serializer]:
    """A serializer with one field per form field (the one-off token aside: it is the
    Idempotency-Key header). Made once per name, or each time for a form whose fields follow
    the case (findings: one per element). A name is the schema's component name: one form's
    only."""
    known = _serializers.get(name)
    if known and known[0] is not type(form):
        raise ValueError(f"{name} is already the input of {known[0].__name__}")
    if per_case or known is None:
        fields = {
            field_name: _serializer_field(field)
            for field_name, field in form.fields.items()
            if field_name != "submission"
        }
        made = type(name, (serializers.Serializer,), fields)
        if per_case:
            _serializers.setdefault(name, (type(form), made))
            return made
        _serializers[name] = (type(form), made)
    return _serializers[name][1]


def form_data(form: forms.BaseForm, typed: dict, request) -> MultiValueDict:
    """The typed JSON as the data the form would be posted."""
    data = MultiValueDict()
    key = request.headers.get(IDEMPOTENCY_HEADER, "")
    data["submission"] = key if key else str(uuid.uuid4())
    for name, field in form.fields.items():
        if name not in typed or name == "submission":
            continue
        value = typed[name]
        if isinstance(field, DateInputField):
            if value is not None:
                data[f"{name}_0"], data[f"{name}_1"], data[f"{name}_2"] = (
                    str(value.day),
                    str(value.month),
                    str(value.year),
                )
        elif isinstance(field, forms.ModelMultipleChoiceField):
            data.setlist(name, [_pk(field, v) for v in value])
        elif isinstance(field, forms.ModelChoiceField):
            data[name] = "" if value is None else _pk(field, value)
        elif _is_yes_no(field):
            data[name] = {True: "yes", False: "no"}.get(value, "")
        elif isinstance(field, forms.MultipleChoiceField):
            data.setlist(name, list(value))
        elif isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif isinstance(field, forms.FileField):
            continue  # from request.FILES
        else:
            data[name] = "" if value is None else str(value)
    return data


def _pk(field: forms.ModelChoiceField, value) -> str:
    """The id of the choice named in JSON, or the name itself when there is none: the form
    then says the choice is not one of those it offers."""
    key = _key(field)
    if key == "pk":
        return str(value)
    found = field.queryset.filter(**{key: value}).values_list("pk", flat=True).first()
    return str(found) if found is not None else f"unknown:{value}"


def errors(form: forms.BaseForm) -> dict:
    """The form's errors under the JSON's field names; those of the whole form under
    `non_field_errors`, as DRF names them. Date fields' parts come back under the date."""
    found = {}
    for name, messages in form.errors.items():
        found["non_field_errors" if name == "__all__" else name] = list(messages)
    return found


class Stale(APIException):
    status_code = 412
    default_detail = "The case changed since your copy: fetch it again, then decide."
    default_code = "stale"


class AlreadyDone(APIException):
    status_code = 409
    default_detail = "That request was already made (the same Idempotency-Key): it was done once."
    default_code = "already_done"


def submit(
    request,
    form_class,
    perform,
    *,
    name: str,
    form_kwargs: dict | None = None,
    precondition=lambda: None,
):
    """Run a form's work from a JSON request as its page runs it: typed input, then the form's
    own rules, then `precondition()` (which may refuse with 409 or 412), then
    `perform(cleaned_data, form)` in one transaction with the one-off token. Bad input is a
    400 naming each field, whatever else is wrong; the workflow's refusals (InvalidTransition,
    CaseMoved) go up to the caller, which knows the case."""
    kwargs = form_kwargs or {}
    blank = form_class(**kwargs)
    typed = serializer_for(blank, name, per_case=bool(kwargs))(data=request.data)
    typed.is_valid(raise_exception=True)
    data = form_data(blank, typed.validated_data, request)
    form = form_class(data, request.FILES or None, **kwargs)
    if not form.is_valid():
        raise serializers.ValidationError(errors(form))
    precondition()
    try:
        with transaction.atomic():
            claim_submission(form, request.user)
            return perform(form.cleaned_data, form)
    except AlreadySubmitted:
        raise AlreadyDone from None
    except (InvalidTransition, CaseMoved):
        raise
    except StaleEdit:
        raise Stale(
            "Someone else saved a change after you read it, so nothing was saved: read it "
            "again (with its new `seen`), then decide."
        ) from None
    except DomainError as error:
        put_error(form, error)
        raise serializers.ValidationError(errors(form)) from None
