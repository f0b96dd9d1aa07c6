"""The key line of a screen of its own (compare, statistics): only that screen's keys that can be used now.

The station's KeyBar lists every active binding, the app's included; on a screen pushed over the station those are
off, and listing them (dimmed) would bury the few keys that work there. Subscribing to binding changes is KeyBar's.
"""

from __future__ import annotations

from rich.text import Text

from .bars import KeyBar


class ScreenKeys(KeyBar):
    def refresh_keys(self) -> None:
        t = Text(no_wrap=True, overflow="ellipsis")
        seen: set[str] = set()
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if node is not self.screen or not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            t.append(f" {self.app.get_key_display(binding)} ", style="bold reverse" if enabled else "dim reverse")
            t.append(f" {binding.description}  ", style="" if enabled else "dim")
        if t != self.content:
            self.update(t, layout=False)
