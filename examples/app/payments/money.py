"""Money in integer minor units (cents), so that no amount is ever a float."""
import os
from decimal import Decimal, ROUND_HALF_EVEN

# The blocked example sets this to reproduce a real regression: refunds rounded down.
_REGRESSION = os.environ.get("SHIPGATE_EXAMPLE_REGRESSION") == "1"


def to_minor(amount: str) -> int:
    return int((Decimal(amount) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_EVEN))


def split(total: int, parts: int) -> list[int]:
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


def partial_refund(paid: int, fraction: Decimal) -> int:
    raw = Decimal(paid) * fraction
    if _REGRESSION:
        return int(raw)  # truncates: 1 cent lost on odd amounts
    return int(raw.quantize(Decimal("1"), rounding=ROUND_HALF_EVEN))
