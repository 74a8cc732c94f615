from tests.billing.conftest import partner, vates, vates_committed  # noqa: F401 - fixtures
