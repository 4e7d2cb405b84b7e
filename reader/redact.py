"""The one redaction function: passwords out of anything shown, logged or written to a file.

A store may be a PostgreSQL URL with a password in it (``postgresql://user:pw@host/db``),
or a libpq keyword string (``host=... password=pw``). Every message, log line,
exit message, rescue file and printed URL passes what might hold one through
:func:`redact`, which keeps the rest readable (``postgresql://user@host/db``).
It also handles URLs that do not parse (``postgresql://postgres:pw@[::1``).
"""
from __future__ import annotations

import re

# scheme://user:password@  ->  scheme://user@   (the password runs to the token's last "@")
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^\s:/@'\"]*):[^\s'\"]*@")
# password=secret (libpq keywords, a URL's query string), quoted or not
_KEYWORD_PASSWORD = re.compile(r"(?i)\b(password\s*=\s*)('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s&'\"]+)")
_QUICK = re.compile(r"(?i)://|password")


def redact(text: str) -> str:
    """``text`` with every password of a URL or ``password=`` keyword removed."""
    if not _QUICK.search(text):
        return text
    text = _URL_PASSWORD.sub(r"\1@", text)
    return _KEYWORD_PASSWORD.sub(r"\1***", text)
