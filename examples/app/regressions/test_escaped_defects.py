"""Regression tests for defects that escaped to production: each names its defect, by its key
in the test's name or by a `defect` property, so that shipgate's traceability check can map
every production defect to the test that now guards it."""
from decimal import Decimal

import pytest

from payments.auth import LOCKOUT_AFTER, LockedOut, login, reset
from payments.checkout import authorise, capture, refund


def test_pay_231_a_second_refund_cannot_exceed_the_capture():
    p = capture(authorise(1000, "EUR", "4242424242424242"))
    refund(p, Decimal("0.6"))
    with pytest.raises(ValueError):
        refund(p, Decimal("0.6"))


def test_lockout_is_lifted_by_a_password_reset(record_property):
    record_property("defect", "PAY-245")
    for _ in range(LOCKOUT_AFTER):
        login("dana", "wrong")
    with pytest.raises(LockedOut):
        login("dana", "s3cret")
    reset("dana")
    assert login("dana", "s3cret") is not None
