"""The title line and the key line: one Static each.

Textual's Header and Footer are many widgets (a FooterKey per binding) and the Footer recomposes whenever the
bindings change, re-laying out the whole screen; at start-up and while drafts stream that cost more than the rest
of the screen. A line of text shows the same.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..text import plain


class TitleBar(Static):
    def show(self, title: str, detail: str) -> None:
        t = Text(justify="center", no_wrap=True, overflow="ellipsis")
        t.append("✎ ", style="bold")
        t.append(plain(title), style="bold")
        if detail:
            t.append(f" — {plain(detail)}", style="dim")
        self.update(t)


class KeyBar(Static):
    """The keys that can be used now (the shown ones), each with what it does; disabled ones dimmed."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self.refresh_keys())
        self.refresh_keys()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def refresh_keys(self) -> None:
        t = Text(no_wrap=True, overflow="ellipsis")
        seen: set[str] = set()
        # While a draft is being edited, letters type text: the way out is the key to show first.
        pane = getattr(self.screen, "current_pane", None)
        covered = not self.screen.is_active  # a dialog on top has the keys: none of these work meanwhile
        editing = bool(getattr(pane, "editing", False)) and not covered
        done = "Done editing (not saved yet: kept)" if editing and pane.state.save_error else "Done editing (saved)"
        for _node, binding, enabled, _tooltip in () if covered else self.screen.active_bindings.values():
            leave = editing and binding.id == "leave"
            if not (binding.show or leave) or binding.action in seen:
                continue
            seen.add(binding.action)
            t.append(f" {self.app.get_key_display(binding)} ", style="bold reverse" if enabled else "dim reverse")
            t.append(f" {done if leave else binding.description}  ", style="" if enabled else "dim")
        t.append(" ^p ", style="bold reverse")
        t.append(" palette", style="dim")
        if t != self.content:
            self.update(t, layout=False)
