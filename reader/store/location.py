"""Where a store is: a folder or a PostgreSQL URL, and how to name it in messages.

Kept apart from :mod:`reader.store.postgres` so that opening a folder store (the app's
first screen) never imports the database engine, its SQL and its driver glue.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

from reader.labels import LabelSet
from reader.redact import redact

URL_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(URL_SCHEMES)


def safe_location(url: str) -> str:
    """The URL without its password and query (for messages and headers); see :func:`reader.redact.redact`."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}@{host}"
        return redact(f"{parts.scheme}://{netloc}{parts.path}")
    except ValueError:
        return redact(url)


@runtime_checkable
class LabelSource(Protocol):
    """An engine that keeps the label set itself (a database has no store folder for labels.toml)."""

    def label_set(self) -> LabelSet: ...


__all__ = ["URL_SCHEMES", "LabelSource", "is_database_url", "safe_location"]
