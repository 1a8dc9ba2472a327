"""Secrets at rest: AES-256-GCM with a key from settings.

The tenant id is bound as associated data, so a ciphertext copied into
another company's row fails to decrypt instead of leaking across tenants.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class SecretBox:
    def __init__(self, key_b64: str) -> None:
        key = base64.b64decode(key_b64)
        if len(key) != 32:
            raise ValueError("the secret key must be 32 bytes, base64-encoded")
        self._aead = AESGCM(key)

    @staticmethod
    def generate_key() -> str:
        return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()

    def seal(self, secret: dict[str, Any], *, context: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        plain = json.dumps(secret, sort_keys=True).encode()
        return nonce + self._aead.encrypt(nonce, plain, context.encode())

    def open(self, sealed: bytes, *, context: str) -> dict[str, Any]:
        nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        try:
            plain = self._aead.decrypt(nonce, body, context.encode())
        except InvalidTag:
            raise ValueError("secret cannot be decrypted with this key and context") from None
        value: dict[str, Any] = json.loads(plain)
        return value


class SealedCredentials:
    """Mixin for a model that keeps credentials in a ``sealed_secret`` column.

    The sealed value is bound to its row by ``secret_context`` (a value sealed for
    one row cannot be opened as another's); a model names its own context, which
    must never change once rows are stored with it.
    """

    sealed_secret: Any

    def secret_context(self) -> str:
        raise NotImplementedError

    def seal(self, box: SecretBox, secret: dict[str, Any] | None) -> None:
        self.sealed_secret = box.seal(secret, context=self.secret_context()) if secret else None

    def secret(self, box: SecretBox) -> dict[str, Any] | None:
        if self.sealed_secret is None:
            return None
        opened: dict[str, Any] = box.open(self.sealed_secret, context=self.secret_context())
        return opened
