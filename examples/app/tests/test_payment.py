from decimal import Decimal

import pytest

from payments.checkout import Declined, authorise, capture, refund


class TestCheckout:
    def test_authorise_and_capture(self):
        p = capture(authorise(1999, "EUR", "4242424242424242"))
        assert p.captured == 1999
        assert p.events == ["authorised", "captured"]

    def test_declined_card_is_refused(self):
        with pytest.raises(Declined):
            authorise(500, "EUR", "4000000000000002")

    def test_zero_amount_is_refused(self):
        with pytest.raises(ValueError):
            authorise(0, "EUR", "4242424242424242")

    @pytest.mark.parametrize("currency", ["EUR", "USD", "GBP"])
    def test_currencies(self, currency):
        assert authorise(100, currency, "4242424242424242").currency == currency


class TestRefund:
    def test_full_refund(self):
        p = capture(authorise(1000, "EUR", "4242424242424242"))
        assert refund(p, Decimal("1")) == 1000

    def test_partial_refund_rounds_half_even(self):
        p = capture(authorise(1999, "EUR", "4242424242424242"))
        assert refund(p, Decimal("0.5")) == 1000  # 999.5 -> 1000

    def test_refund_cannot_exceed_capture(self):
        p = capture(authorise(1000, "EUR", "4242424242424242"))
        refund(p, Decimal("0.6"))
        with pytest.raises(ValueError):
            refund(p, Decimal("0.6"))
