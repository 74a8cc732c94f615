"""Demo catalogue and licences (SPEC §5): the Vates VMS bundles and, for each demo
partner, licences in the states a partner meets first.

Idempotent: each demo licence carries a ``demo:<slot>`` source and is issued only when
its partner has none with that source yet.
"""

from licensing.models import Licence, Product
from licensing.services.catalogue import available_catalogues, catalogue_load
from licensing.services.licences import licence_issue
from partners.models import Organisation, Programme

DEMO_PARTNERS = ["Northwind Distribution", "Bluepeak IT", "Cloud Nine Hosting"]

# slot, product code, quantity
UNBOUND = [("demo:unbound-1", "pro", 3), ("demo:unbound-2", "essential", 2)]


def seed(*, stdout, password: str) -> None:
    loaded = set(Programme.objects.values_list("code", flat=True))
    for code in available_catalogues():
        if code in loaded:
            catalogue_load(code=code)
    count = 0
    for organisation in Organisation.objects.filter(name__in=DEMO_PARTNERS):
        count += _seed_unbound(organisation)
    stdout.write(f"  licensing: catalogues loaded, {count} demo licences issued")


def _seed_unbound(organisation) -> int:
    products = {
        p.code: p for p in Product.objects.filter(programme=organisation.partner_type.programme)
    }
    issued = 0
    for source, code, quantity in UNBOUND:
        if Licence.objects.filter(organisation=organisation, source=source).exists():
            continue
        product = products[code]
        licence_issue(
            actor=None,
            organisation=organisation,
            product=product,
            plan=product.plans.get(billing_period="yearly"),
            quantity=quantity,
            source=source,
        )
        issued += 1
    return issued
