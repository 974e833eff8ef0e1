"""Checkout: authorise, capture and refund card payments."""
from dataclasses import dataclass, field
from decimal import Decimal

from .money import partial_refund


class Declined(Exception):
    pass


@dataclass
class Payment:
    amount: int
    currency: str
    captured: int = 0
    refunded: int = 0
    events: list = field(default_factory=list)


def authorise(amount: int, currency: str, card: str) -> Payment:
    if amount <= 0:
        raise ValueError("amount must be positive")
    if card.endswith("0002"):
        raise Declined("card declined")
    p = Payment(amount, currency)
    p.events.append("authorised")
    return p


def capture(p: Payment) -> Payment:
    p.captured = p.amount
    p.events.append("captured")
    return p


def refund(p: Payment, fraction: Decimal) -> int:
    amount = partial_refund(p.captured, fraction)
    if p.refunded + amount > p.captured:
        raise ValueError("refund exceeds capture")
    p.refunded += amount
    p.events.append(f"refunded {amount}")
    return amount
