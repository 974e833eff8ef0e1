import pytest

from payments.ledger import Ledger, Unbalanced
from payments.money import split, to_minor


class TestLedger:
    def test_balanced_posting(self):
        l = Ledger()
        l.post([("cash", 100), ("revenue", -100)])
        assert l.balance("cash") == 100

    def test_unbalanced_posting_is_refused(self):
        with pytest.raises(Unbalanced):
            Ledger().post([("cash", 100), ("revenue", -99)])

    def test_balances_sum_to_zero(self):
        l = Ledger()
        l.post([("cash", 250), ("revenue", -200), ("tax", -50)])
        assert sum(l.balance(a) for a in ("cash", "revenue", "tax")) == 0


class TestMoney:
    def test_to_minor_rounds_half_even(self):
        assert to_minor("0.125") == 12
        assert to_minor("19.99") == 1999

    @pytest.mark.parametrize("total,parts", [(100, 3), (1, 2), (999, 7)])
    def test_split_conserves_the_total(self, total, parts):
        assert sum(split(total, parts)) == total
