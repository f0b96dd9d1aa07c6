"""What the team learns from the log: pure functions over plain rows, no UI, no store, no network.

Core package: imports neither textual nor litellm, and numpy/krippendorff only inside the functions that need them.
One module per job:

- `pairs.py` — pairwise preferences (explicit picks and implicit pairs) as `Pair`s of `Side`s.
- `bradley_terry.py` — win rates from pairs: a Bradley–Terry fit with bootstrap intervals.
- `finetune.py` — fine-tuning export rows: dpo, kto, sft, openai-preference, each with `meta`.
- `review.py` — review analytics: approval, revisions, edit rate, time to approve, cost, gate false positives.
- `activity.py` — active review time from events (sessions with an idle cut-off) and per-day series.
- `results.py` — published results: parsing `results.csv` / `.jsonl` and CTR / conversion rates.
- `agreement.py` — Krippendorff's alpha, weighted kappa, self-consistency, accuracy against gold.
- `policy.py` — auto-approval policy with audits, and the auto-approval counts for stats.
- `triage.py` — the queue ordered by where a human is needed most, with a one-word reason per row.
- `summary.py` — the learning half of `hitl stats` (win rates, review, results, chart series) in one dict.
"""
