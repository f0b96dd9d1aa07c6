"""What it takes for a piece to go out (issue 13): the claims register and sign-off stages.

Core package: pure functions over small typed values; imports neither textual nor litellm and never opens the store.

- `claims.py` — claims in a text (numbers, percentages, multiples, money, superlatives, quotes, named customers)
  with a stable identity, their sources, and the claims verdict (a drop-in for the claims gate's result).
  Not to be confused with the store's brief *claims* (leases on who reviews a brief).
- `signoff.py` — `[roles]` and a checklist's `stages`, sign-offs bound to a hash of the exact text, who may sign,
  what an edit voids, and what a piece waits on (stage, role, people).
"""
