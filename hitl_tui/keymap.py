"""Every action a key can trigger, declared once: id, default key, description, the screen it applies on, and
whether the key bar shows it.

Core module (no textual): `hitl.toml`'s and the user config's `[keys]` are checked against these ids, the starter
file lists their default keys (`defaults.DEFAULT_KEYS` comes from here), and `key_clashes` finds two actions of one
screen given the same key. The UI builds bindings, the help screen and the command palette from the same table
(`ui/keys.py`). A new action: one `Action(...)` line here, and an `action_<id>` method on the screen it names.

No default relies on ctrl+enter or ctrl+shift combinations: they do not reach a program over SSH or inside tmux.
"""

from __future__ import annotations

from typing import NamedTuple

REVIEW = "review"  # the station's own screen (ui/screens/review.py)
COMPARE = "compare"  # the blind compare view (ui/screens/compare.py)
STATS = "stats"  # the statistics screen (ui/screens/stats.py)
WAITING = "waiting"  # what waits on me (ui/screens/waiting.py)
CLAIMS = "claims"  # a variant's claims register (ui/screens/claims.py)
REVISE = "revise"  # the feedback a revise will send (ui/screens/revise.py)
FEEDBACK = "feedback"  # what a revise was sent and what it addressed (ui/screens/feedback.py)
RULES = "rules"  # learned-rule proposals (ui/screens/rules.py)
DIFF = "diff"  # a draft's diffs and history (ui/screens/diff.py)
PROMPT = "prompt"  # a one-line prompt: reasons, notes, the filter (ui/screens/modals.py)
HELP = "help"  # the help screen (ui/screens/modals.py)
ASK = "ask"  # asking an expert (ui/screens/ask_expert.py)
SOURCE = "source"  # a claim's source (ui/screens/claims.py)
RESHOW = "reshow"  # a calibration re-show (ui/screens/reshow.py)


class Action(NamedTuple):
    """One row of the action table: its id, default key, what it does, and the screen it applies on. A NamedTuple:
    immutable, and made for a quarter of a frozen dataclass's cost at start-up (see records.py)."""
    id: str  # the binding id, the key under [keys] and the screen's `action_<id>` method
    key: str  # the default key(s), Textual names, comma-separated ("question_mark,f1")
    description: str  # the key bar, the help screen and the palette show this
    screen: str = REVIEW  # where it applies: a Screen's ACTION_SCREEN
    show: bool = False  # in the key bar
    priority: bool = False  # wins over the focused widget's own use of the key (tab in a text editor)


ACTIONS: tuple[Action, ...] = (
    Action("next_brief", "n", "Next brief", show=True),
    Action("prev_brief", "p", "Prev brief"),
    Action("next_variant", "tab", "Next variant", priority=True),
    Action("prev_variant", "shift+tab", "Prev variant", priority=True),
    Action("edit", "e", "Edit", show=True),
    Action("diff", "d", "Diff"),
    Action("checklist", "c", "Checklist"),
    Action("gates", "G", "Gates (scroll with ↑↓, page keys, home/end)"),
    Action("approve", "a", "Approve", show=True),
    Action("approve_override", "A", "Approve anyway"),
    Action("reject", "x", "Reject", show=True),
    Action("revise", "r", "Revise", show=True),
    Action("regenerate", "g", "Regenerate"),
    Action("undo", "u", "Undo my last action on this brief"),
    Action("copy", "y", "Copy"),
    Action("blind", "b", "Blind"),
    Action("stats", "s", "Stats"),
    Action("compare", "v", "Compare variants in pairs, blind"),
    Action("note", "o", "Note"),
    Action("history", "h", "History"),
    Action("feedback", "f", "Feedback the last revise was sent, and what it addressed (tick)"),
    Action("rules", "L", "Learned rules: proposals from reviewers' edits"),
    Action("filter", "slash", "Filter"),
    Action("zoom", "z", "Zoom variant"),
    Action("leave", "escape", "Leave editor (saved) / zoom / back to queue"),
    Action("help", "question_mark,f1", "Help", show=True),
    Action("quit", "q", "Quit", show=True),
    # The blind compare view: a pick is logged at once, then the models show until next_pair.
    Action("pick_a", "a,left,1", "A better", COMPARE, show=True),
    Action("pick_b", "b,right,2", "B better", COMPARE, show=True),
    Action("pick_tie", "t,equals_sign,0", "Tie", COMPARE, show=True),
    Action("pick_skip", "s", "Skip", COMPARE, show=True),
    Action("next_pair", "enter,space,n", "Next pair", COMPARE, show=True),
    Action("undo_pick", "u", "Undo last pick", COMPARE, show=True),
    Action("texts_down", "down,j", "Scroll both texts down", COMPARE),
    Action("texts_up", "up,k", "Scroll both texts up", COMPARE),
    Action("texts_page_down", "pagedown", "Page both texts down", COMPARE),
    Action("texts_page_up", "pageup", "Page both texts up", COMPARE),
    Action("compare_help", "question_mark,f1", "Help", COMPARE),
    Action("compare_close", "escape,q", "Back to the station", COMPARE, show=True),
    # The statistics screen.
    Action("stats_refresh", "r", "Work out again", STATS, show=True),
    Action("stats_help", "question_mark,f1", "Help", STATS),
    Action("stats_close", "escape,q,s", "Back to the station", STATS, show=True),
    # the team (issue 13): ui/screens/review_team.py and the screens it opens
    Action("ask_expert", "k", "Ask an expert (a role or a person) about this variant"),
    Action("claims", "l", "Claims: attach a source, mark removed, send to legal"),
    Action("waiting", "w", "What waits on me: questions, sign-offs, audits, re-shows"),
    Action("triage", "t", "Sort the queue by where a person is needed most (again: back)"),
    # what waits on me (ui/screens/waiting.py)
    Action("answer_note", "n", "Answer the question with a note", screen=WAITING),
    Action("approve_mine", "a", "Approve for my stage (signs it) / sign my stage / uphold", screen=WAITING),
    Action("answer_changes", "c", "Answer: request changes", screen=WAITING),
    Action("uphold", "u", "Uphold the auto-approval", screen=WAITING),
    Action("overturn", "o", "Overturn the auto-approval, with a reason", screen=WAITING),
    Action("reload", "r", "Reload", screen=WAITING),
    Action("back", "escape,q,w", "Back to the station", screen=WAITING),
    # a variant's claims (ui/screens/claims.py)
    Action("attach_source", "s", "Attach a source (reference, then the supporting quote)", screen=CLAIMS),
    Action("mark_removed", "x", "Mark the claim to cut", screen=CLAIMS),
    Action("send_to_legal", "l", "Send the claim to the legal role", screen=CLAIMS),
    Action("ask_about_claim", "k", "Ask anyone about the claim", screen=CLAIMS),
    Action("close_claims", "escape,q", "Close", screen=CLAIMS),
    # the revise dialog (ui/screens/revise.py): `?` types into its instruction, so help is f1 only
    Action("revise_send", "enter", "Send the revise with the items kept", REVISE, show=True, priority=True),
    Action("revise_toggle", "space", "Drop or keep the highlighted item (on the list)", REVISE, show=True),
    Action("revise_focus", "tab,shift+tab", "Instruction / list", REVISE, show=True),
    Action("revise_help", "f1", "Help", REVISE),
    Action("revise_cancel", "escape", "Cancel: send nothing", REVISE, show=True),
    # a revise's feedback with its marks (ui/screens/feedback.py)
    Action("feedback_addressed", "y", "Mark the item addressed", FEEDBACK, show=True),
    Action("feedback_not_addressed", "n", "Mark the item not addressed (sent again with the next revise)",
           FEEDBACK, show=True),
    Action("feedback_unclear", "u", "Mark the item unclear again", FEEDBACK, show=True),
    Action("feedback_older", "left,[", "Older revise", FEEDBACK, show=True),
    Action("feedback_newer", "right,]", "Newer revise", FEEDBACK, show=True),
    Action("feedback_help", "question_mark,f1", "Help", FEEDBACK),
    Action("feedback_close", "escape,q,f", "Close", FEEDBACK, show=True),
    # learned-rule proposals (ui/screens/rules.py); the evidence keys win over the list's own paging
    Action("rules_accept", "a", "Accept the proposal as the kind shown", RULES, show=True),
    Action("rules_kind", "k", "Accept as… (banned word, regex rule, voice-guide line)", RULES, show=True),
    Action("rules_edit", "e", "Edit the rule's words, then accept", RULES, show=True),
    Action("rules_reject", "r", "Reject: never proposed again", RULES, show=True),
    Action("rules_ignore", "i", "Ignore for now: back once it spreads further", RULES, show=True),
    Action("rules_evidence_down", "pagedown,ctrl+d", "More evidence", RULES, show=True, priority=True),
    Action("rules_evidence_up", "pageup,ctrl+u", "Back up the evidence", RULES, show=True, priority=True),
    Action("rules_help", "question_mark,f1", "Help", RULES),
    Action("rules_close", "escape,q", "Close", RULES, show=True),
    # the small dialogs
    Action("diff_older", "left,p", "Older revision", DIFF, show=True),
    Action("diff_newer", "right,n", "Newer revision", DIFF, show=True),
    Action("diff_close", "escape,q,d,h", "Close", DIFF, show=True),
    Action("prompt_cancel", "escape", "Cancel", PROMPT, show=True),
    Action("help_close", "escape,q,question_mark,f1", "Close", HELP, show=True),
    Action("ask_up", "up", "Previous role or person", ASK),
    Action("ask_down", "down", "Next role or person", ASK),
    Action("ask_cancel", "escape", "Cancel", ASK, show=True),
    Action("source_cancel", "escape", "Cancel", SOURCE, show=True),
    Action("reshow_close", "escape,q", "Close (what was scored is kept)", RESHOW, show=True),
)

# Keys a screen uses that are not remappable (so a remapped action must not take them): (key, what it does).
_LIST_KEYS = (("up", "previous item"), ("down", "next item"), ("ctrl+p", "command palette"))
_SCORE_KEYS = (("1", "score 1"), ("2", "score 2"), ("3", "score 3"), ("4", "score 4"), ("5", "score 5"),
               ("backspace", "previous dimension"), ("ctrl+p", "command palette"))
_TYPED = (("enter", "confirm what was typed"), ("ctrl+p", "command palette"))
FIXED_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    REVIEW: _SCORE_KEYS, RESHOW: _SCORE_KEYS,
    REVISE: _LIST_KEYS, FEEDBACK: _LIST_KEYS, RULES: _LIST_KEYS,
    PROMPT: _TYPED, ASK: _TYPED, SOURCE: _TYPED,
}
# Shown under the actions on the help screen.
_LIST_HELP = (("↑/↓", "move through the items"), ("ctrl+p", "command palette with every action"))
FIXED_HELP: dict[str, tuple[tuple[str, str], ...]] = {
    REVIEW: (("1-5", "score the current rubric dimension, then move to the next"),
             ("backspace", "back to the previous dimension"), ("space", "tick the highlighted checklist item"),
             ("ctrl+p", "command palette with every action")),
    REVISE: (("typing", "the instruction for this revision, sent before the items"), *_LIST_HELP),
    FEEDBACK: _LIST_HELP, RULES: _LIST_HELP,
}

BY_ID: dict[str, Action] = {a.id: a for a in ACTIONS}


def actions_for(screen: str) -> list[Action]:
    return [a for a in ACTIONS if a.screen == screen]


def split_keys(keys: str) -> list[str]:
    return [k.strip() for k in keys.split(",") if k.strip()]


def key_clashes(keys: dict[str, str]) -> list[str]:
    """Two actions of one screen on the same key (after `[keys]`, the team's and this person's): one warning each,
    naming both actions, the key and what to change. Textual would otherwise give the key to one of them silently."""
    warnings = []
    for screen in dict.fromkeys(a.screen for a in ACTIONS):
        taken: dict[str, str] = {key: f"{what} (fixed)" for key, what in FIXED_KEYS.get(screen, ())}
        for action in actions_for(screen):
            for key in split_keys(keys.get(action.id, action.key)):
                other = taken.get(key)
                if other is None:
                    taken[key] = action.id
                    continue
                # Textual's keymap gives the key to the remapped binding and drops the other from it.
                remapped = [a for a in (other, action.id) if a in BY_ID and keys.get(a, BY_ID[a].key) != BY_ID[a].key]
                outcome = f"{key!r} does {remapped[0]}, {({other, action.id} - {remapped[0]}).pop()} does not" \
                    if len(remapped) == 1 else "only one of them can work"
                warnings.append(f"[keys] {action.id} and {other} are both on {key!r}: {outcome}; give one "
                                f"another key under [keys] (hitl.toml or your own config)")
    return warnings
