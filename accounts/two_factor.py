"""Two-factor sign-in: an authenticator app (TOTP) and one-off backup codes, kept by django-otp.

Enrolment never stores an unconfirmed secret: the secret offered on the set-up page lives in
the session until a code from the app proves it was scanned, and only then becomes a device.
Each device throttles wrong codes (django-otp doubles the wait after each failure).
"""

from base64 import b32encode
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

BACKUP_CODES = 10
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


class TwoFactorError(ValueError):
    """A code that does not match; the message is written for the person signing in."""


@dataclass(frozen=True)
class Enrolment:
    """What the set-up page shows: the secret as a QR code and as text to type in."""

    key: str
    config_url: str
    qr_data_uri: str
    typed_key: str


def enrolment_for(user, key: str) -> Enrolment:
    url = TOTPDevice(user=user, key=key, name=APP_DEVICE_NAME).config_url
    base32 = b32encode(bytes.fromhex(key)).decode().rstrip("=")
    return Enrolment(
        key=key,
        config_url=url,
        qr_data_uri=segno.make(url, error="m").svg_data_uri(scale=5, dark="#0b0c0c"),
        typed_key=" ".join(base32[i : i + 4] for i in range(0, len(base32), 4)),
    )


def new_key() -> str:
    return random_hex(20)


def has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _code(text: str) -> str:
    return "".join(text.split()).lower()


@transaction.atomic
def enrol(*, user, key: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Turn the offered secret into the person's device once a code from their app matches it,
    and issue a fresh set of backup codes."""
    code = _code(code)
    if not (code.isdigit() and len(code) == 6):
        raise TwoFactorError("Enter the 6-digit code your authenticator app shows.")
    if not TOTP(bytes.fromhex(key), digits=6).verify(int(code), tolerance=1):
        raise TwoFactorError(
            "That code does not match. Check the app shows this service, then enter the "
            "newest code."
        )
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, key=key, name=APP_DEVICE_NAME, confirmed=True)
    return device, backup_codes_replace(user=user)


@transaction.atomic
def backup_codes_replace(*, user) -> list[str]:
    """New backup codes; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def _use_backup_code(device: StaticDevice, code: str) -> bool:
    """Use up a backup code. The delete is the check, so two sign-ins sending the same code
    at the same moment cannot both succeed (django-otp reads, then deletes)."""
    used, _ = StaticToken.objects.filter(device=device, token=code).delete()
    if used:
        device.throttle_reset(commit=False)
        device.set_last_used_timestamp(commit=False)
        device.save()
    else:
        device.throttle_increment()
    return bool(used)


def verify(*, user, code: str):
    """The device that accepts this code (the app's 6 digits, or a backup code, used up)."""
    code = _code(code)
    app = code.isdigit() and len(code) == 6
    model = TOTPDevice if app else StaticDevice
    for device in model.objects.filter(user=user, confirmed=True):
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            raise TwoFactorError(
                "Too many wrong codes. Wait a minute, then enter the newest code."
            )
        if device.verify_token(code) if app else _use_backup_code(device, code):
            return device
    raise TwoFactorError("That code is not right. Enter the newest code from your app.")


@transaction.atomic
def remove(*, user) -> None:
    """Turn two-factor sign-in off for this person (not offered when it is required)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def required_for(user) -> bool:
    return settings.TWO_FACTOR_REQUIRED
