"""Addresses shown to people (errors, logs, replies) with their secrets masked.

`mask_url` is the one function for every URL shown anywhere (DATABASE_URL, CHROMA_URL,
TELEGRAM_BASE_URL, WEBHOOK_URL…): it hides the user info (`user:password@`), the values of
secret-looking query parameters (`password=`, `token=`, `key=`…) and a bot token in the path.
`mask_urls_in` applies it to every URL inside a free text (a driver's error message).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
# query parameters whose value is a secret (matched as a part of the lower-cased name)
SECRET_PARAMETER_PARTS = ("pass", "pwd", "secret", "token", "key", "auth", "credential", "signature", "sig", "session")
_BOT_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
_USER_INFO = re.compile(r"(?<=//)[^/?#@\s]*@")
_SECRET_PAIR = re.compile(r"(?i)([?&;][^=&;#\s]*(?:" + "|".join(SECRET_PARAMETER_PARTS) + r")[^=&;#\s]*=)[^&;#\s]*")
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>()（）]+")


def mask_url(url: str | None) -> str:
    """The URL with its user info, secret query values and bot token replaced by ***; never raises."""
    if not url:
        return ""
    text = _BOT_TOKEN.sub(MASK, str(url))
    if "://" not in text:  # not a URL at all: nothing tells which part is secret
        return MASK
    try:
        parts = urlsplit(text)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        if "@" in parts.netloc:
            netloc = f"{MASK}@{netloc}"
        query = urlencode([(k, MASK if _is_secret(k) else v) for k, v in parse_qsl(parts.query, True)], safe="*")
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:  # not even a URL urllib can split: mask by pattern
        return _SECRET_PAIR.sub(rf"\1{MASK}", _USER_INFO.sub(f"{MASK}@", text))


def mask_urls_in(text: str) -> str:
    """A free text with every URL in it masked (and any bot token outside a URL too)."""
    return _BOT_TOKEN.sub(MASK, _URL_IN_TEXT.sub(lambda m: mask_url(m.group()), text))


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in SECRET_PARAMETER_PARTS)
