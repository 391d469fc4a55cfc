"""The private link a response letter carries, through which the complainant asks for the next
stage. It names the stage it answers and nothing else, is signed with a salt of its own (so no
other signed value in the service can stand in for it), and expires after
ESCALATION_LINK_DAYS. Whether it may still be used is decided in public.services."""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "public.escalation-link"


class LinkProblem(Exception):
    """The link cannot be used: `reason` is one of INVALID, EXPIRED, USED or LATE."""

    INVALID, EXPIRED, USED, LATE = "invalid", "expired", "used", "late"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def escalation_token(stage) -> str:
    return signing.dumps({"stage": stage.pk}, salt=SALT, compress=True)


def escalation_link(stage) -> str:
    path = reverse("public-escalation", kwargs={"token": escalation_token(stage)})
    return settings.SITE_URL.rstrip("/") + path


def stage_id_from(token: str) -> int:
    """The stage a genuine, unexpired link names; LinkProblem otherwise."""
    try:
        data = signing.loads(
            token, salt=SALT, max_age=dt.timedelta(days=settings.ESCALATION_LINK_DAYS)
        )
    except signing.SignatureExpired:
        raise LinkProblem(LinkProblem.EXPIRED) from None
    except signing.BadSignature:
        raise LinkProblem(LinkProblem.INVALID) from None
    if not isinstance(data, dict) or not isinstance(data.get("stage"), int):
        raise LinkProblem(LinkProblem.INVALID)
    return data["stage"]
