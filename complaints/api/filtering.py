"""Every list's filters, read strictly: the page forgives a blank box or a ticked "on", but an
integration that sends `?received_before=` or `?undecided=maybe` has a fault it should hear
about (400) rather than get every row back unfiltered."""

from django_filters import filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

BOOLEAN = {"true", "false"}


class StrictFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            problems = _problems(request.query_params, filterset.filters)
            if problems:
                raise ValidationError(problems)
        return filterset


def _problems(params, declared) -> dict:
    problems = {}
    for name, filter_ in declared.items():
        if name not in params:
            continue
        values = params.getlist(name)
        many = isinstance(filter_, filters.MultipleChoiceFilter | filters.BaseInFilter)
        if len(values) > 1 and not many:
            problems[name] = ["Give this filter once."]
        elif any(v == "" for v in values) and not isinstance(filter_, filters.CharFilter):
            problems[name] = ["Give a value, or leave the filter out."]
        elif isinstance(filter_, filters.BooleanFilter) and values[0] not in BOOLEAN:
            problems[name] = ["Give true or false."]
    return problems
