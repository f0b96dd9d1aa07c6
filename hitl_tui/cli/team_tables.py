"""Tables for `hitl queue`, `hitl claims` and the team's part of `hitl stats` (agreement, auto-approval).

Drawn like the other tables (tables.py): cells never parsed as markup, untrusted text inert on a terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from .tables import _table, cell, console

if TYPE_CHECKING:
    from ..team.claims import VariantClaims

WHY_STYLE = {"asked": "bold magenta", "audit": "bold yellow", "failing": "bold red", "claims": "yellow",
             "sign-off": "bold cyan", "ready": "green", "done": "dim"}
STATUS_STYLE = {"sourced": "green", "brief": "green", "unsourced": "bold red", "marked_removed": "yellow",
                "removed": "dim"}


def print_queue(rows, reviewer: str) -> None:
    """One row per brief, most urgent first: its one word, the brief, its status and what it waits on."""
    table = _table("why", "brief", "status", "waits on")
    table.columns[0].no_wrap = True
    for r in rows:
        waits = Text()
        for i, w in enumerate(r.waits):
            if i:
                waits.append("\n")
            waits.append(cell(w.describe(), "bold" if reviewer in w.who else ""))
            if w.what == "question":
                waits.append(cell(f"\n  “{w.detail['question']}” (v{w.detail['variant']})", "dim", limit=160))
        table.add_row(cell(r.why, WHY_STYLE.get(r.why, "")), cell(r.name), cell(r.status), waits)
    console().print(table)


def print_claims(variants: list[VariantClaims]) -> None:
    con = console()
    if not variants:
        con.print(Text("No finished variants yet.", style="dim"))
    for v in variants:
        decided = f" · {v.decision}" if v.decision else ""
        con.print(cell(f"v{v.variant} · {v.label}{decided}", "bold"))
        if not v.claims:
            con.print(Text("  no claims", style="dim"))
            continue
        table = _table("status", "claim", "source")
        table.columns[0].no_wrap = True
        for c in v.claims:
            source = f"{c.source.ref}: “{c.source.quote}”" if c.source else ""
            table.add_row(cell(c.status, STATUS_STYLE.get(c.status, "")), cell(c.text), cell(source, limit=200))
        con.print(table)


def _n(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def print_team_stats(stats: dict) -> None:
    con = console()
    agreement = stats["agreement"]
    dims = _table("dimension", "alpha", "items", "reviewers")
    for col in dims.columns[1:]:
        col.justify = "right"
    for dim, d in agreement["by_dimension"].items():
        dims.add_row(cell(dim), _n(d["alpha"]), str(d["items"]), str(d["reviewers"]))
    pairs = _table("reviewers", "kappa", "items")
    for col in pairs.columns[1:]:
        col.justify = "right"
    for p in agreement["by_pair"]:
        pairs.add_row(cell(" & ".join(p["reviewers"])), _n(p["kappa"]), str(p["items"]))
    extra = Table.grid(padding=(0, 2))
    extra.add_column(style="bold", no_wrap=True)
    extra.add_column(overflow="fold")
    for reviewer, s in agreement["self_consistency"].items():
        extra.add_row(cell(reviewer), cell(f"self-consistency on {s['items']} re-shown: kappa {_n(s['kappa'])}, "
                                           f"exact {_n(s['exact'])}"))
    for reviewer, g in agreement["gold"].items():
        extra.add_row(cell(reviewer), cell(f"against gold on {g['items']}: exact {_n(g['exact'])}, "
                                           f"within one {_n(g['within_one'])}, bias {_n(g['bias'])}"))
    auto = stats["auto_approval"]
    rate = "—" if auto["auto_approved_rate"] is None else f"{auto['auto_approved_rate'] * 100:.0f}%"
    line = (f"{auto['auto_approved']} auto-approved ({rate} of approvals), {auto['human_approved']} by people; "
            f"{auto['audited']} audited ({auto['audit_pending']} pending), {auto['overturned']} overturned")
    for title, table, empty in (("Agreement by dimension (Krippendorff's alpha, ordinal)", dims,
                                 "no item scored by two reviewers yet"),
                                ("Agreement by reviewer pair (quadratic-weighted kappa)", pairs, "no pairs yet"),
                                ("Calibration", extra, "no re-shows or gold items scored yet")):
        con.print()
        con.print(Text(title, style="bold"))
        con.print(table if table.row_count else Text(f"  {empty}", style="dim"))
    con.print()
    con.print(Text("Auto-approval", style="bold"))
    con.print(cell(f"  {line}"))
