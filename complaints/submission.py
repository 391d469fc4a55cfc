"""Posting a case-work form, from a page or the API: claim its one-off token, and put rule
errors back on the form."""

from django.db import IntegrityError, transaction

from complaints.errors import CaseMoved, DomainError, InvalidTransition, StaleEdit
from complaints.models import SubmittedForm


class AlreadySubmitted(Exception):
    pass


def claim_submission(form, user) -> None:
    """Claim the form's token inside the caller's transaction. If the action then fails the
    claim rolls back with it, so the person can correct the form and send it again."""
    try:
        with transaction.atomic():
            SubmittedForm.objects.create(token=form.cleaned_data["submission"], user=user)
    except IntegrityError:
        raise AlreadySubmitted from None


def already_submitted(form) -> bool:
    """For checks made before the transaction (e.g. the repeat warning): was it sent before?"""
    return SubmittedForm.objects.filter(token=form.cleaned_data["submission"]).exists()


def put_error(form, error: DomainError) -> None:
    if isinstance(error, StaleEdit):
        # What the person typed stays; submitting again saves it over what is saved now.
        form.data = form.data.copy()
        form.data[form.add_prefix("seen")] = error.current
        form.add_error(None, error.message)
        return
    if isinstance(error, (InvalidTransition, CaseMoved)):
        form.add_error(
            None,
            "This case changed while you had this page open: it is now "
            f"“{error.case_state_label}”. Nothing was saved. Check the case before trying again.",
        )
        return
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
    for detail in error.details:
        form.add_error(field, detail)
