"""The loop from the humans back to the AI (issue 12), as services over the store and the workspace: what the pure
core in `learning/` computes, read from and written to the log and the learned-rules file.

- `revise.py` — the feedback items proposed when a reviewer asks for a revision (`proposed_items`): the variant's
  state collected now plus what the last revision left not addressed.
- `memory.py` — the voice memory a new draft or revision is given (`voice_memory`): approved pieces of the same
  channel and voice and the learned lines.
- `rules.py` — rule proposals mined from approved edits (`refresh_proposals`) and a reviewer's decision on one
  (`accept`, `reject`, `ignore`), written to the log and learned-rules.toml.
"""
