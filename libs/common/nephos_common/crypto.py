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
