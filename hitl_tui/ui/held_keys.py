"""Keys typed while a dialog opens belong to the dialog, not to the station.

A station key that opens a dialog from a worker (`r` revise, `x` reject, `o` note, `A` approve anyway, `/` filter,
`f` feedback, `L` rules) reads the log before the dialog is on screen. Keys that arrive meanwhile (a fast typist,
a paste, or an SSH link that delivers keystrokes in bunches) used to be station keys: the "a" of "a warmer tone"
approved the variant and the rest of the instruction was lost. Textual forwards each key to the screen's queue as
it arrives, so the App decides when it forwards such a key: the keys after it are held, and replayed in order to
the dialog once it is on screen and focused. If the action ends without a dialog (it said why not), they are
dropped, never run as station keys; if the action did not run at all (the key went elsewhere), they are replayed
to the station as typed.
"""

from __future__ import annotations

from textual import events

# The station's actions that open their dialog from a worker (ReviewScreen, @work(group="dialog")): the App goes
# on reading keys while they load. Actions that push their screen before they return need no holding.
OPENS_DIALOG = frozenset({"filter", "note", "approve_override", "reject", "revise", "feedback", "rules"})
NEVER_HELD = frozenset({"ctrl+q", "ctrl+c"})  # a way out, even while a dialog waits on a locked log
NOT_STARTED_SECONDS = 1.0
FOCUS_WAIT_SECONDS, FOCUS_WAITS = 0.02, 50  # the key's action did not start by then: it was not a dialog's after all


class HeldKeys:
    """The keys held for a dialog that is opening (None: not holding)."""

    def __init__(self, app) -> None:
        self.app = app
        self.keys: list[events.Key] | None = None
        self.started = False  # the dialog action ran (its worker is opening the dialog)
        self._dialog_keys: set[str] | None = None

    @property
    def dialog_keys(self) -> set[str]:
        """The keys of the OPENS_DIALOG actions, after `[keys]` (action id = binding id)."""
        if self._dialog_keys is None:
            from ..keymap import ACTIONS

            keys = self.app.config.keys
            self._dialog_keys = {k.strip() for a in ACTIONS if a.id in OPENS_DIALOG
                                 for k in keys.get(a.id, a.key).split(",")}
        return self._dialog_keys

    @property
    def holding(self) -> bool:
        return self.keys is not None

    def take(self, event: events.Event) -> bool:
        """True if the event is a key held for the opening dialog (the App then does nothing else with it)."""
        if self.keys is None or not isinstance(event, events.Key) or event.is_forwarded or event.key in NEVER_HELD:
            return False
        self.keys.append(event)
        return True

    def after_key(self, event: events.Event) -> None:
        """The App forwarded a key: if it opens a dialog on the station, hold the keys that follow it."""
        review = self.app.review
        if self.keys is not None or not isinstance(event, events.Key) or self.app.screen is not review:
            return
        if event.key not in self.dialog_keys:
            return  # most keys: no need to work out every active binding (a key press while streaming stays cheap)
        active = review.active_bindings.get(event.key)
        if active and active.enabled and active.node is review and active.binding.action in OPENS_DIALOG:
            self.keys, self.started = [], False
            self.app.set_timer(NOT_STARTED_SECONDS, self._unless_started)

    def _unless_started(self) -> None:
        if self.keys is not None and not self.started:
            self.replay()

    def replay(self, waited: int = 0) -> None:
        """The dialog is up and focused (or none is coming): the keys, in the order they were typed. A dialog
        whose input has not taken the focus yet is given up to a second: keys replayed before would be lost."""
        if self.keys is None:
            return
        screen = self.app.screen
        if screen is not self.app.review and screen.focused is None and waited < FOCUS_WAITS:
            self.app.set_timer(FOCUS_WAIT_SECONDS, lambda: self.replay(waited + 1))
            return
        keys, self.keys = self.keys, None
        self._feed(keys)

    def _feed(self, keys: list[events.Key]) -> None:
        """One key through the App as if typed now (bindings, priority ones too), the next only once the focused
        widget has handled it: replayed all at once, the dialog's priority enter ran before its input had taken
        the letters typed before it, and sent an empty instruction."""
        if not keys:
            return
        self.app.post_message(events.Key(keys[0].key, keys[0].character))
        if len(keys) > 1:
            self.app.call_later(self._after_the_app, keys[1:])

    def _after_the_app(self, keys: list[events.Key]) -> None:
        focused = self.app.screen.focused
        if focused is not None:
            focused.call_later(self._feed, keys)  # queued behind the key the App just forwarded to it
        else:
            self._feed(keys)

    def drop(self) -> int:
        """The action ended without a dialog: the keys typed for it are not run as station keys."""
        keys, self.keys = self.keys or [], None
        return len(keys)
