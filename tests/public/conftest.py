"""Filling in the public forms as a browser without JavaScript would: one post per page,
then the check-your-answers page's post."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.support.forms import date_fields

PAYLOAD = '<script>alert("typed")</script><img src=x onerror=alert(1)>'
LIVE = ('<script>alert("typed")', "<img src=x onerror")


def step_url(flow: str, step: str) -> str:
    return reverse(f"public-{flow}-step", kwargs={"step": step})


def fill(client, flow: str, pages: dict, **extra):
    """Answer each page in turn; returns the check page's answer to the final post."""
    for step, data in pages.items():
        response = client.post(step_url(flow, step), data, **extra)
        assert response.status_code == 302, (
            step,
            response.context and response.context["form"].errors,
        )
    return client.post(reverse(f"public-{flow}-check"), **extra)


@pytest.fixture
def complaint_pages(team):
    return {
        "who": {"who": "parent"},
        "for-whom": {"for_whom": "child"},
        "child": {
            "child_name": "Ruby Example",
            **date_fields("child_date_of_birth", dt.date(2015, 3, 27)),
        },
        "service": {"service": f"team-{team.pk}"},
        "what-happened": {"what_happened": "Nobody told us the placement was changing."},
        "outcome": {"outcome": "An apology and a meeting with the manager."},
        "contact": {
            "name": "Sam Parent",
            "email": "sam.parent@example.com",
            "phone": "07700 900123",
            "address": "1 Example Street\nDemotown",
            "postcode": "DT1 2AB",
        },
        "contact-by": {"contact_by": "email"},
        "support": {"support": "Please call after 3pm; I use a screen reader."},
    }


@pytest.fixture
def young_person_pages():
    return {
        "what-happened": {"what_happened": "My social worker keeps changing."},
        "outcome": {"outcome": "One social worker who stays."},
        "advocate": {"advocate": "yes"},
        "about-you": {
            "name": "Alex Young",
            **date_fields("date_of_birth", dt.date(2010, 5, 1)),
            "email": "alex@example.com",
            "phone": "",
        },
        "contact-by": {"contact_by": "email"},
        "support": {"support": ""},
    }


@pytest.fixture
def call_back_pages():
    return {
        "details": {
            "name": "Pat Caller",
            "phone": "01234 000000",
            "good_time": "Weekday mornings",
            "note": "About my son's review meeting.",
        }
    }


@pytest.fixture
def compliment_pages(team):
    return {
        "service": {"service": f"team-{team.pk}"},
        "compliment": {"text": "Jo went out of her way to help us.\nThank you all."},
        "about-you": {"source": _source("parent"), "name": "Chris Thankful", "contact": ""},
        "consent": {"consent": "on"},
    }


def _source(code):
    from compliments.models import ComplimentSource

    return ComplimentSource.objects.get(code=code).pk
