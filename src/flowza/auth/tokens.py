"""Personal API tokens: random, shown once, stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "flz_"
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 200


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """A plain SHA-256 suffices: the token has 256 random bits, so no slow hash is needed."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def looks_like_token(token: str) -> bool:
    return token.startswith(PREFIX) and len(token) <= MAX_TOKEN_LENGTH and token.isascii()
