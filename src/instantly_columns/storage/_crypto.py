"""Encryption at rest of API keys: AES-256-GCM, the credential id bound as associated data.

``cryptography`` is the optional ``crypto`` extra, imported only when a store is given an
encryption key. A stored secret looks like ``aesgcm1:<key id>:<base64 nonce+ciphertext>``;
the key id (a short hash of the key, not the key) says which of the configured keys
encrypted it, so keys can be rotated by passing the new key first and the old ones after.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Sequence
from typing import TypeAlias, cast

from instantly_columns.errors import CredentialError
from instantly_columns.ports import ApiKey, CredentialId

__all__ = [
    "PLAIN",
    "Cipher",
    "EncryptionKey",
    "generate_encryption_key",
    "open_secret",
    "seal_secret",
]

EncryptionKey: TypeAlias = "str | bytes | Sequence[str | bytes]"
"""One key, or several (the first encrypts, any may decrypt). A key is 32 random bytes,
raw or URL-safe base64 (44 characters, the format ``generate_encryption_key`` returns)."""

PLAIN = "plain"
_SCHEME = "aesgcm1"
_NONCE_BYTES = 12


def generate_encryption_key() -> str:
    """A fresh random key for ``encryption_key=``: 32 bytes as URL-safe base64.

    ```python
    from instantly_columns.storage import generate_encryption_key

    key = generate_encryption_key()
    assert len(key) == 44
    ```
    """
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def _raw_key(key: str | bytes, n: int) -> bytes:
    if isinstance(key, bytes) and len(key) == 32:
        return key
    if isinstance(key, (str, bytes)):
        try:
            raw = base64.urlsafe_b64decode(key)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) == 32:
            return raw
    # Never echo the key itself.
    raise CredentialError(
        f"encryption key #{n} is not 32 bytes (raw, or URL-safe base64 as made by "
        "generate_encryption_key())"
    )


def _aad(credential: CredentialId) -> bytes:
    return b"instantly-columns credential\x00" + credential.encode("utf-8")


class Cipher:
    """Seals and opens API keys with AES-256-GCM. Prints without its keys."""

    __slots__ = ("_invalid_tag", "_keys")

    def __init__(self, keys: str | bytes | Sequence[str | bytes]) -> None:
        try:
            from cryptography.exceptions import InvalidTag
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        except ImportError:
            raise CredentialError(
                "encryption at rest needs the 'cryptography' package: "
                "pip install 'instantly-columns[crypto]'"
            ) from None
        self._keys: list[tuple[str, AESGCM]] = []
        if isinstance(keys, (str, bytes)):
            given: list[str | bytes] = [keys]
        elif isinstance(keys, Sequence):
            given = list(cast("Sequence[str | bytes]", keys))
        else:
            raise CredentialError("encryption_key must be a key or a list of keys")
        if not given:
            raise CredentialError("encryption_key is an empty list")
        for n, key in enumerate(given):
            raw = _raw_key(key, n)
            key_id = hashlib.sha256(b"instantly-columns key id\x00" + raw).hexdigest()[:8]
            self._keys.append((key_id, AESGCM(raw)))
        self._invalid_tag: type[Exception] = InvalidTag

    def seal(self, credential: CredentialId, secret: str) -> str:
        key_id, aead = self._keys[0]
        nonce = os.urandom(_NONCE_BYTES)
        sealed = aead.encrypt(nonce, secret.encode("utf-8"), _aad(credential))
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{_SCHEME}:{key_id}:{body}"

    def open(self, credential: CredentialId, token: str) -> str:
        scheme, _, rest = token.partition(":")
        key_id, _, body = rest.partition(":")
        if scheme != _SCHEME or not body:
            raise CredentialError(f"the stored key of {credential!r} is in an unknown format")
        aead = next((a for kid, a in self._keys if kid == key_id), None)
        if aead is None:
            raise CredentialError(
                f"the stored key of {credential!r} was encrypted with a key this store was "
                "not given (wrong encryption_key?)"
            )
        try:
            blob = base64.urlsafe_b64decode(body)
            plain = aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], _aad(credential))
            return plain.decode("utf-8")
        except (self._invalid_tag, binascii.Error, ValueError):
            raise CredentialError(
                f"the stored key of {credential!r} could not be decrypted "
                "(wrong encryption_key, or the data was altered)"
            ) from None

    def __repr__(self) -> str:
        return f"Cipher(aes-256-gcm, keys={len(self._keys)})"


def seal_secret(cipher: Cipher | None, credential: CredentialId, key: ApiKey) -> tuple[str, str]:
    """``(scheme, stored text)`` for an API key."""
    if not isinstance(key, ApiKey):
        raise CredentialError("set_key expects an ApiKey")
    if cipher is None:
        return PLAIN, key.reveal()
    return _SCHEME, cipher.seal(credential, key.reveal())


def open_secret(
    cipher: Cipher | None, credential: CredentialId, scheme: str, stored: str
) -> ApiKey:
    """The ``ApiKey`` of a stored secret; a plain one is read even when a cipher is set
    (it was stored before encryption was turned on, and is sealed on its next save)."""
    if scheme == PLAIN:
        return ApiKey(stored)
    if scheme != _SCHEME:
        raise CredentialError(f"the stored key of {credential!r} is in an unknown format")
    if cipher is None:
        raise CredentialError(
            f"the stored key of {credential!r} is encrypted; open the store with its encryption_key"
        )
    return ApiKey(cipher.open(credential, stored))
