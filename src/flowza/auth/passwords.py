"""Password hashing with argon2id (argon2-cffi); nothing else ever sees a password."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8
MAX_LENGTH = 1024

_hasher = PasswordHasher()
# Verified when the user does not exist, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("flowza-no-such-user")


class WeakPassword(ValueError):
    """The password is too short, too long or holds characters a password cannot hold."""


def check_strength(password: str) -> None:
    """WeakPassword (its message names the field, never the value) unless `password` may be set."""
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"password: a password may have at most {MAX_LENGTH} characters")
    if "\x00" in password:
        raise WeakPassword("password: a password cannot contain NUL characters")
    if not password.strip():
        raise WeakPassword("password: a password cannot be empty or only spaces")
    if sum(not char.isspace() for char in password) < MIN_LENGTH:
        raise WeakPassword(f"password: a password needs at least {MIN_LENGTH} characters that are not spaces")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing hash (an account without a password) never matches."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
