"""The team around the copy (issue 13), as services the station and the CLI both call.

Services layer: async functions over the store, the workspace's settings and the outbox; they import neither
textual nor litellm. The pure rules live in `approval/` (claims register, sign-off stages) and `analytics/`
(auto-approval policy, triage, agreement, re-shows); this package puts them together with the log:

- `variant.py` — one variant as the rules need it: its brief version, gate spec, current text, sign-offs, claims.
- `approve.py` — `approve(...)`: the one place that decides whether pressing approve signs a stage, approves the
  piece (decision + outbox file with `stages`, `claims`) or is refused and why.
- `experts.py` — `ask(...)`, `answer(...)` (approve-for-my-stage signs the expert's stage), `expert_answers(...)`.
- `claims.py` — the claims register of a variant: statuses, attach a source, mark removed, send to legal.
- `routing.py` — auto-approval when a brief's drafts finish (called by the drafting engine, in whichever process
  drafts), audits (`resolve_audit`), calibration re-shows (`reshow_queue`).
- `queue.py` — what each brief waits on, for whom, in triage order (`hitl queue`).
- `mine.py` — what waits on one person, item by item (`waiting_items`): the expert's queue in the station (`w`).
- `stats.py` — `agreement` and `auto_approval` for `hitl stats`.
"""
