"""Statistics as short strings for people (`hitl stats` tables and the statistics screen): one way to write a
rate, a duration and an amount of money. Core module: no UI."""

from __future__ import annotations


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def minutes(value: float | None) -> str:
    """Minutes as a person reads them: seconds under a minute, hours past two."""
    if value is None:
        return "—"
    if value < 1:
        return f"{value * 60:.0f} s"
    return f"{value:.0f} min" if value < 120 else f"{value / 60:.1f} h"


def money(value: float | None) -> str:
    """Dollars: four decimals under a dollar (a draft costs fractions of a cent), cents above."""
    return "—" if value is None else f"${value:.4f}" if value < 1 else f"${value:,.2f}"
