"""A double-entry ledger: every posting balances."""


class Unbalanced(Exception):
    pass


class Ledger:
    def __init__(self):
        self.entries = []

    def post(self, lines: list[tuple[str, int]]) -> None:
        if sum(amount for _, amount in lines) != 0:
            raise Unbalanced(lines)
        self.entries.append(list(lines))

    def balance(self, account: str) -> int:
        return sum(a for entry in self.entries for acc, a in entry if acc == account)
