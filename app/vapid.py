"""VAPID keys for Web Push (RFC 8292): which server may push to the fans' browsers.

Settings:
- VAPID_PRIVATE_KEY: the P-256 private key, either base64url of the raw 32-byte key (what
  pywebpush's `vapid_private_key` accepts as a string) or a PEM block.
- VAPID_PUBLIC_KEY: optional; always derived from the private key, and refused if it says
  otherwise. Browsers get it as base64url of the uncompressed point (65 bytes), the form
  `pushManager.subscribe({applicationServerKey})` takes.
- VAPID_SUBJECT: a `mailto:` (or https:) contact push services can reach.

Local runs generate a pair once into the instance folder; production must set them, since a
new key would orphan every subscription made with the old one.
"""

import base64

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02


class VapidKeyError(ValueError):
    pass


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def generate_private_key() -> str:
    """A new private key as base64url raw, made by py-vapid."""
    vapid = Vapid02()
    vapid.generate_keys()
    raw = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    return _b64url(raw)


def load(private_key: str) -> Vapid02:
    text = (private_key or "").strip()
    try:
        if text.startswith("-----BEGIN"):
            return Vapid02.from_pem(text.encode())
        return Vapid02.from_string(text)
    except Exception as exc:  # py-vapid raises whatever its decoders raise
        raise VapidKeyError(
            "VAPID_PRIVATE_KEY is neither base64url of a raw P-256 key nor a PEM key."
        ) from exc


def public_key(private_key: str) -> str:
    """The application server key browsers need, from the private key."""
    point = load(private_key).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64url(point)


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
