"""What the station learns from its humans (issue 12): tracked feedback, rules mined from edits, voice memory.

Core package: pure functions over small typed values; it imports neither textual nor litellm, never opens the
store, and only `rules_file` touches the disk (the workspace's learned-rules file). One module per job:

- `edits.py` — before → after hunks of a human edit (word-level), shared by feedback items and rule mining.
- `feedback.py` — the feedback item model, collecting a variant's items, rendering them into the revise prompt,
  and planning the next revise (carry-over).
- `marking.py` — marking items after revision N+1 (gates re-run, edits kept, phrases present), reviewer ticks,
  and the share of feedback addressed per model and prompt version.
- `mining.py` — recurring replacements, deletions and sign-offs across approved edits → rule proposals with
  stable ids.
- `rules_file.py` — an accepted proposal as a learned rule (banned word, regex rule, voice line), the workspace's
  `learned-rules.toml` (atomic writes under a lock) and layering learned rules onto a `Config` as gates.
- `voice_memory.py` — approved examples chosen within a token budget plus the learned lines, rendered as prompt
  sections; `LearningSettings` for the `[learning]` table.
"""
