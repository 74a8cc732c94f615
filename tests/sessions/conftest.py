"""Sessions and training: the Vates programme and partners of its types and tiers (the
billing tests' fixtures), and sessions to register for."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from partners.models import Session
from tests.billing.conftest import partner, vates, vates_committed  # noqa: F401


def make_session(**fields) -> Session:
    types = fields.pop("partner_types", ())
    fields.setdefault("title", "What is new in XCP-ng")
    fields.setdefault("kind", Session.Kind.WEBINAR)
    fields.setdefault("starts_at", timezone.now() + datetime.timedelta(days=7))
    fields.setdefault("time_zone", "Europe/Paris")
    fields.setdefault("capacity", 10)
    fields.setdefault("online_link", "https://meet.example/xcp-ng")
    session = Session.objects.create(**fields)
    if types:
        session.partner_types.set(types)
    return session


@pytest.fixture
def session_factory(db):
    return make_session
