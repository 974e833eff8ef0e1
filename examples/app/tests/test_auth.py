import os

import pytest

from payments import auth


@pytest.fixture(autouse=True)
def clean():
    auth.reset("dana")
    yield
    auth.reset("dana")


class TestLogin:
    def test_login_with_the_right_password(self):
        assert auth.login("dana", "s3cret")

    def test_login_with_a_wrong_password(self):
        assert auth.login("dana", "nope") is None

    def test_login_locks_out_after_five_failures(self):
        for _ in range(auth.LOCKOUT_AFTER):
            auth.login("dana", "nope")
        with pytest.raises(auth.LockedOut):
            auth.login("dana", "s3cret")

    @pytest.mark.skipif(
        os.environ.get("SHIPGATE_EXAMPLE_REGRESSION") == "1",
        reason="SSO sandbox unavailable",
    )
    def test_login_via_sso(self):
        assert auth.login("dana", "s3cret")

    def test_tokens_are_unique(self):
        assert auth.login("dana", "s3cret") != auth.login("dana", "s3cret")
