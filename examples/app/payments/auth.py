"""Authentication: password login with lockout, and session tokens."""
import hashlib
import hmac
import secrets

_USERS = {"dana": hashlib.sha256(b"s3cret").hexdigest()}
_FAILS: dict[str, int] = {}
LOCKOUT_AFTER = 5


class LockedOut(Exception):
    pass


def login(user: str, password: str) -> str | None:
    if _FAILS.get(user, 0) >= LOCKOUT_AFTER:
        raise LockedOut(user)
    expected = _USERS.get(user)
    given = hashlib.sha256(password.encode()).hexdigest()
    if expected is None or not hmac.compare_digest(expected, given):
        _FAILS[user] = _FAILS.get(user, 0) + 1
        return None
    _FAILS.pop(user, None)
    return secrets.token_urlsafe(16)


def reset(user: str) -> None:
    _FAILS.pop(user, None)
