import datetime as dt

from django.db import transaction
from django.utils import timezone

from complaints.errors import DomainError
from compliments.models import Compliment


@transaction.atomic
def compliment_record(
    *, by, received_on: dt.date, themes=(), extract_to_follow: bool = False, **fields
) -> Compliment:
    """Record a compliment. A sender's consent to be quoted from the public form comes without
    an extract (`extract_to_follow`): the team writes one, and until then the report cannot
    quote it."""
    if received_on > timezone.localdate():
        raise DomainError("The date received cannot be in the future.", field="received_on")
    consent_needs_extract = fields.get("consent_to_publish") and not extract_to_follow
    if consent_needs_extract and not fields.get("extract", "").strip():
        raise DomainError(
            "Write the anonymised extract the annual report may quote, or untick consent.",
            field="extract",
        )
    team = fields.get("team")
    if team is not None and fields.get("service_area") is None:
        fields["service_area"] = team.service
    compliment = Compliment.objects.create(recorded_by=by, received_on=received_on, **fields)
    compliment.themes.set(themes)
    return compliment
