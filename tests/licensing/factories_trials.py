"""Trials, extension requests and evaluation licence requests, made as the services make
them (trials through ``trial_request``; requests written directly for lists)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from licensing.models import EvaluationLicenceRequest, Licence, TrialExtensionRequest
from licensing.services.trials import trial_request
from tests.licensing.factories import ProductFactory
from tests.tenancy_support import observer


def issue_trial(
    tenant_or_organisation,
    *,
    product=None,
    prospect_name: str = "Prospect AG",
    days_ago: int = 0,
    actor=None,
    **kwargs,
) -> Licence:
    """A trial of a Pro (by default) for the organisation, started ``days_ago``."""
    organisation = getattr(tenant_or_organisation, "organisation", tenant_or_organisation)
    product = product or ProductFactory(programme=organisation.partner_type.programme)
    with observer():
        return trial_request(
            actor=actor,
            organisation=organisation,
            role="admin",
            product=product.code,
            quantity=kwargs.pop("quantity", product.min_quantity),
            prospect_name=prospect_name,
            starts_on=timezone.localdate() - datetime.timedelta(days=days_ago),
            **kwargs,
        )


def extension_request(licence: Licence, *, days: int = 120, **fields) -> TrialExtensionRequest:
    with observer():
        return TrialExtensionRequest.objects.create(
            organisation_id=licence.organisation_id,
            licence=licence,
            ends_on=licence.starts_on + datetime.timedelta(days=days),
            project_details=fields.pop("project_details", "A long migration."),
            **fields,
        )


def evaluation_request(organisation, *, users: int = 20, **fields) -> EvaluationLicenceRequest:
    with observer():
        return EvaluationLicenceRequest.objects.create(
            organisation=organisation,
            users=users,
            purpose=fields.pop("purpose", "Demonstrations for our customers."),
            **fields,
        )
