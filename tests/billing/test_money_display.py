"""How amounts read on billing pages and documents (billing.templatetags.billing_money)."""

from decimal import Decimal

from billing.templatetags.billing_money import MINUS, deduction, tax_rule


def test_a_deduction_has_a_minus_sign_but_never_before_zero():
    assert deduction(Decimal("1500.00")) == f"{MINUS}1,500.00"
    assert deduction(Decimal("0.00")) == "0.00"
    assert deduction(Decimal("0")) == "0.00"


def test_the_tax_rule_reads_in_words():
    assert tax_rule("reverse_charge") == "reverse charge"
    assert tax_rule("export") == "export"
