"""Encryption at rest (AES-256-GCM) and keyed look-up hashes (HMAC-SHA256) for personal data.

Both keys are derived from settings.PERSONAL_DATA_KEY with HKDF, so one secret
in var/ (or the environment) is all an operator keeps.
"""

import base64
import binascii
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = "v1"


@functools.cache
def _keys(root: str) -> tuple[AESGCM, bytes]:
    material = base64.b64decode(root)
    if len(material) < 32:
        raise ValueError("MINQING_PERSONAL_DATA_KEY must be at least 32 bytes, base64-encoded")

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)

    return AESGCM(derive(b"minqing personal data encryption")), derive(b"minqing personal data lookup")


def _cipher() -> AESGCM:
    return _keys(settings.PERSONAL_DATA_KEY)[0]


def encrypt(plain: str, *, context: bytes) -> str:
    nonce = os.urandom(12)
    sealed = _cipher().encrypt(nonce, plain.encode(), context)
    return f"{VERSION}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, context: bytes) -> str:
    version, _, body = token.partition(":")
    if version != VERSION:
        raise ValueError("unknown personal-data cipher version")
    raw = base64.b64decode(body)
    return _cipher().decrypt(raw[:12], raw[12:], context).decode()


def lookup_hash(value: str, *, context: bytes) -> str:
    """A keyed hash for exact look-up and duplicate detection; useless without the key."""
    mac_key = _keys(settings.PERSONAL_DATA_KEY)[1]
    return hmac.new(mac_key, context + b"\x00" + value.encode(), hashlib.sha256).hexdigest()[:40]


def lookup_hasher(*, context: bytes):
    """`lookup_hash` for many values of one context (an import): the keyed HMAC state is
    built once and copied per value, which halves the cost per value. OpenSSL's HMAC
    object is copied directly where Python has it (a third cheaper than hmac.HMAC's)."""
    key, start = _keys(settings.PERSONAL_DATA_KEY)[1], context + b"\x00"
    try:
        from _hashlib import hmac_new

        copy = hmac_new(key, start, "sha256").copy
    except (ImportError, AttributeError, TypeError, ValueError):  # a Python without OpenSSL's HMAC
        copy = hmac.new(key, start, hashlib.sha256).copy

    def digest(value: str) -> str:
        mac = copy()
        mac.update(value.encode())
        return mac.hexdigest()[:40]

    return digest


def encrypter(*, context: bytes):
    """`encrypt` for many values of one context, with the cipher looked up once."""
    cipher = _cipher()
    urandom, b64 = os.urandom, base64.b64encode

    def seal(plain: str) -> str:
        nonce = urandom(12)
        return f"{VERSION}:{b64(nonce + cipher.encrypt(nonce, plain.encode(), context)).decode()}"

    return seal


def encrypt_many(plains: list[str], *, context: bytes) -> list[str]:
    """`encrypt` for a list of values (an import): one call to the system's random source
    gives every value its own random nonce."""
    cipher = _cipher()
    seal, b64 = cipher.encrypt, binascii.b2a_base64
    nonces = os.urandom(12 * len(plains))
    prefix = VERSION + ":"
    sealed = []
    append = sealed.append
    for k, plain in enumerate(plains):
        nonce = nonces[12 * k : 12 * k + 12]
        append(prefix + b64(nonce + seal(nonce, plain.encode(), context), newline=False).decode())
    return sealed
