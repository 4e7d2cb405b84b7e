"""Normalised values for people: how the side panel and the annotation list show a salary's value."""
from __future__ import annotations

from collections.abc import Mapping

from reader.amounts import check_value

_PERIOD_SHORT = {"hour": "hour", "day": "day", "week": "week", "month": "month", "year": "year"}


def format_value(value: Mapping[str, object] | None) -> str:
    """A normalised value for people: '300,000–900,000 USD / year', '12 EUR / hour', '' for None."""
    v = check_value(value) if value is not None else None
    if v is None or v["min"] is None:
        return ""

    def num(x: float) -> str:  # an int when whole (see AmountValue)
        return f"{x:,}" if isinstance(x, int) else f"{x:,.2f}"

    text = num(v["min"]) if v["min"] == v["max"] or v["max"] is None else f"{num(v['min'])}–{num(v['max'])}"
    if v["currency"]:
        text += f" {v['currency']}"
    if v["period"]:
        text += f" / {_PERIOD_SHORT[v['period']]}"
    return text
