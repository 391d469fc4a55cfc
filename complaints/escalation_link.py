"""The private link a response letter carries, through which the complainant asks for the next
stage (the public app's escalation page).

It names the stage it answers and nothing else, with an HMAC under a salt of its own, so no
other signed value in the service can stand in for it: 16 characters of it (80 bits), short
enough to type from a printed letter and far too many to guess. It carries no timestamp: it is
part of the letter's text, which must read the same each time the draft is opened. Its life
runs from the stage's response, ESCALATION_LINK_DAYS; whether it may still be used is decided
in public.services."""

import base64
import datetime as dt
import re

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "public.escalation-link"


class LinkProblem(Exception):
    """The link cannot be used: `reason` is one of INVALID, EXPIRED, USED or LATE."""

    INVALID, EXPIRED, USED, LATE = "invalid", "expired", "used", "late"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


TOKEN = re.compile(r"(?P<stage>[1-9][0-9]{0,11})-(?P<mac>[A-Z2-7]{16})")


def _mac(stage_id: int) -> str:
    digest = salted_hmac(SALT, str(stage_id), algorithm="sha256").digest()
    return base64.b32encode(digest).decode()[:16]


def escalation_token(stage) -> str:
    return f"{stage.pk}-{_mac(stage.pk)}"


def escalation_link(stage) -> str:
    path = reverse("public-escalation", kwargs={"token": escalation_token(stage)})
    return settings.SITE_URL.rstrip("/") + path


def stage_id_from(token: str) -> int:
    """The stage a genuine link names; LinkProblem otherwise. Typed from paper, it may come in
    lower case."""
    found = TOKEN.fullmatch(token.strip().upper())
    if not found or not constant_time_compare(found["mac"], _mac(int(found["stage"]))):
        raise LinkProblem(LinkProblem.INVALID)
    return int(found["stage"])


def expired(stage, today: dt.date) -> bool:
    """Past ESCALATION_LINK_DAYS from the stage's response (a draft's link is not yet live)."""
    if stage.responded_on is None:
        return False
    return today > stage.responded_on + dt.timedelta(days=settings.ESCALATION_LINK_DAYS)
