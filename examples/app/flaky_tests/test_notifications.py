"""Tests that only the `flaky` example runs (see regenerate.sh): the statement e-mail goes
through an SMTP sandbox that drops connections now and then, simulated with
SHIPGATE_EXAMPLE_SMTP=down."""

import os


def statement_subject(account):
    return f"Your statement, {account}"


def send_statement(account):
    if os.environ.get("SHIPGATE_EXAMPLE_SMTP") == "down":
        raise ConnectionResetError("SMTP sandbox closed the connection")
    return f"statement for {account} queued"


class TestNotifications:
    def test_statement_email_is_sent(self):
        assert send_statement("dana") == "statement for dana queued"

    def test_statement_subject_names_the_account(self):
        assert statement_subject("dana") == "Your statement, dana"
