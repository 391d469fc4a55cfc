"""Logging a representation from its form, for the page and the API alike: the people already
on record, the check for a repeat of an open or recent case, and the one-off token."""

from django.db import transaction

from complaints import selectors, services
from complaints.errors import DomainError
from complaints.models import Case
from complaints.submission import claim_submission

REPEAT_QUESTION = "This may repeat an open or recent case: check the cases listed, then confirm."


class MayRepeat(DomainError):
    """Cases this one may repeat, that the person must look at and confirm it does not."""

    def __init__(self, repeats: list[Case]):
        super().__init__(REPEAT_QUESTION, field="not_a_repeat")
        self.repeats = repeats


def log_from_form(form, by, *, token_claimed: bool = False) -> Case:
    """Log the case the valid CaseLogForm describes. Raises MayRepeat until the person confirms
    it is not a repeat of a case they can see, AlreadySubmitted for a second submit (unless the
    caller claimed the form's token already)."""
    complainant, children = services.people_on_record(
        by=by, complainant=form.complainant(), children=form.children()
    )
    repeats = list(
        selectors.possible_repeats(
            complainant=complainant if complainant.pk else None, children=children
        )
        .filter(pk__in=selectors.cases_visible_to(by).values("pk"))
        .select_related("current_stage")[:5]
    )
    if repeats and not form.cleaned_data["not_a_repeat"]:
        raise MayRepeat(repeats)
    with transaction.atomic():
        if not token_claimed:
            claim_submission(form, by)
        fields = form.case_fields()
        outcome_sought = fields.pop("outcome_sought")
        return services.case_log(
            by=by,
            complainant=complainant,
            children=children,
            outcome_sought=outcome_sought,
            **fields,
        )
