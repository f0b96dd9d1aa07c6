"""Schema versions. Each step moves `PRAGMA user_version` up by one inside the same BEGIN IMMEDIATE transaction.

Append a step to MIGRATIONS to change the schema; never edit a step that has shipped.
"""

from __future__ import annotations

V1 = [
    """CREATE TABLE briefs (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, title TEXT NOT NULL DEFAULT '',
        channel TEXT NOT NULL DEFAULT '', error TEXT, current_version_id INTEGER, deleted INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL, updated_at REAL NOT NULL)""",
    """CREATE TABLE brief_versions (
        id INTEGER PRIMARY KEY, brief_id INTEGER NOT NULL REFERENCES briefs(id), version INTEGER NOT NULL,
        content_hash TEXT NOT NULL, fields TEXT NOT NULL, created_at REAL NOT NULL, UNIQUE (brief_id, version))""",
    """CREATE TABLE drafts (
        id INTEGER PRIMARY KEY, brief_version_id INTEGER NOT NULL REFERENCES brief_versions(id),
        variant INTEGER NOT NULL, model TEXT NOT NULL, label TEXT NOT NULL, temperature REAL,
        created_at REAL NOT NULL)""",
    """CREATE TABLE revisions (
        id INTEGER PRIMARY KEY, draft_id INTEGER NOT NULL REFERENCES drafts(id), number INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('ai', 'human')), text TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL, error TEXT, feedback TEXT, prompt_version TEXT, model TEXT,
        tokens_in INTEGER, tokens_out INTEGER, cost REAL, latency_ms INTEGER, finish_reason TEXT,
        created_at REAL NOT NULL, updated_at REAL NOT NULL)""",
    "CREATE INDEX revisions_draft ON revisions(draft_id, id)",
    """CREATE TABLE scores (
        id INTEGER PRIMARY KEY, draft_id INTEGER NOT NULL REFERENCES drafts(id), dimension TEXT NOT NULL,
        value INTEGER NOT NULL CHECK (value BETWEEN 1 AND 5), reviewer TEXT NOT NULL, created_at REAL NOT NULL,
        UNIQUE (draft_id, dimension))""",
    """CREATE TABLE ticks (
        draft_id INTEGER NOT NULL REFERENCES drafts(id), item TEXT NOT NULL, checked INTEGER NOT NULL,
        reviewer TEXT NOT NULL, updated_at REAL NOT NULL, PRIMARY KEY (draft_id, item))""",
    """CREATE TABLE notes (
        draft_id INTEGER PRIMARY KEY REFERENCES drafts(id), text TEXT NOT NULL, reviewer TEXT NOT NULL,
        updated_at REAL NOT NULL)""",
    """CREATE TABLE gate_results (
        id INTEGER PRIMARY KEY, revision_id INTEGER NOT NULL REFERENCES revisions(id), gate TEXT NOT NULL,
        status TEXT NOT NULL, required INTEGER NOT NULL, message TEXT NOT NULL, source TEXT NOT NULL,
        created_at REAL NOT NULL)""",
    "CREATE INDEX gate_results_revision ON gate_results(revision_id)",
    """CREATE TABLE decisions (
        id INTEGER PRIMARY KEY, brief_id INTEGER NOT NULL REFERENCES briefs(id),
        draft_id INTEGER NOT NULL REFERENCES drafts(id), revision_id INTEGER REFERENCES revisions(id),
        kind TEXT NOT NULL CHECK (kind IN ('approve', 'override', 'reject')), reason TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL, undone INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL)""",
    """CREATE TABLE events (
        id INTEGER PRIMARY KEY, ts REAL NOT NULL, reviewer TEXT NOT NULL, kind TEXT NOT NULL,
        brief_id INTEGER, draft_id INTEGER, revision_id INTEGER, payload TEXT NOT NULL DEFAULT '{}')""",
    # The log is append-only: the database itself refuses to change or delete an event.
    """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
]

# v2: leases so two reviewers never review one brief at once, and a kind index for stats over large logs.
V2 = [
    """CREATE TABLE claims (
        brief_id INTEGER PRIMARY KEY REFERENCES briefs(id), reviewer TEXT NOT NULL, instance TEXT NOT NULL,
        expires_at REAL NOT NULL)""",
    "CREATE INDEX events_kind ON events(kind)",
    "CREATE INDEX drafts_version ON drafts(brief_version_id)",
    "CREATE INDEX decisions_brief ON decisions(brief_id)",
]

# v3: each brief's file size and mtime when last read, so a start-up scan re-reads only files that changed.
V3 = ["ALTER TABLE briefs ADD COLUMN file_sig TEXT"]

# v4: each reviewer keeps their own scores (v1 kept one per variant and dimension: a second reviewer's overwrote
# the first's). The table is rebuilt with the wider unique key; every existing row is copied as it was.
V4 = [
    """CREATE TABLE scores_v4 (
        id INTEGER PRIMARY KEY, draft_id INTEGER NOT NULL REFERENCES drafts(id), dimension TEXT NOT NULL,
        value INTEGER NOT NULL CHECK (value BETWEEN 1 AND 5), reviewer TEXT NOT NULL, created_at REAL NOT NULL,
        UNIQUE (draft_id, dimension, reviewer))""",
    """INSERT INTO scores_v4 (id, draft_id, dimension, value, reviewer, created_at)
        SELECT id, draft_id, dimension, value, reviewer, created_at FROM scores""",
    "DROP TABLE scores",
    "ALTER TABLE scores_v4 RENAME TO scores",
]

# v5: which process writes each streaming revision (host, pid, heartbeat), so a draft whose writer died ends as
# interrupted as soon as that is known, and partial index for the few revisions that are live.
V5 = [
    """CREATE TABLE writers (
        id INTEGER PRIMARY KEY, kind TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, pid_start INTEGER,
        reviewer TEXT NOT NULL, started_at REAL NOT NULL, heartbeat_at REAL NOT NULL, ended_at REAL)""",
    "ALTER TABLE revisions ADD COLUMN writer_id INTEGER REFERENCES writers(id)",
    "CREATE INDEX revisions_live ON revisions(status) WHERE status IN ('pending', 'streaming')",
]

# v6: the team around the copy (issue 13). Questions to an expert (a person or a role) on a variant or one of its
# claims, and their answers; sign-offs per stage bound to a hash of the exact text (append-only: validity comes from
# the hash); the claims register (`claim_sources`; `claims` holds brief leases); every auto-approval routing with its
# reasons; audits of auto-approved variants; scores given on a calibration re-show, kept apart from the live scores.
V6 = [
    """CREATE TABLE questions (
        id INTEGER PRIMARY KEY, brief_id INTEGER NOT NULL REFERENCES briefs(id),
        draft_id INTEGER NOT NULL REFERENCES drafts(id), revision_id INTEGER REFERENCES revisions(id),
        claim_id TEXT, asked_of TEXT NOT NULL, of_role INTEGER NOT NULL, text TEXT NOT NULL, asked_by TEXT NOT NULL,
        asked_at REAL NOT NULL, status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'withdrawn')),
        closed_at REAL)""",
    "CREATE INDEX questions_open ON questions(status, asked_of)",
    "CREATE INDEX questions_draft ON questions(draft_id)",
    """CREATE TABLE answers (
        id INTEGER PRIMARY KEY, question_id INTEGER NOT NULL REFERENCES questions(id),
        draft_id INTEGER NOT NULL REFERENCES drafts(id), kind TEXT NOT NULL CHECK (kind IN ('note', 'approve', 'changes')),
        text TEXT NOT NULL, reviewer TEXT NOT NULL, role TEXT NOT NULL DEFAULT '', text_hash TEXT NOT NULL,
        created_at REAL NOT NULL)""",
    "CREATE INDEX answers_draft ON answers(draft_id)",
    """CREATE TABLE signoffs (
        id INTEGER PRIMARY KEY, draft_id INTEGER NOT NULL REFERENCES drafts(id),
        revision_id INTEGER REFERENCES revisions(id), stage TEXT NOT NULL, reviewer TEXT NOT NULL,
        text_hash TEXT NOT NULL, undone INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL)""",
    "CREATE INDEX signoffs_draft ON signoffs(draft_id)",
    """CREATE TABLE claim_sources (
        draft_id INTEGER NOT NULL REFERENCES drafts(id), claim_id TEXT NOT NULL, kind TEXT NOT NULL,
        text TEXT NOT NULL, source_kind TEXT, source_ref TEXT, source_quote TEXT, removed INTEGER NOT NULL DEFAULT 0,
        reviewer TEXT NOT NULL, updated_at REAL NOT NULL, PRIMARY KEY (draft_id, claim_id))""",
    """CREATE TABLE routings (
        id INTEGER PRIMARY KEY, draft_id INTEGER NOT NULL REFERENCES drafts(id),
        revision_id INTEGER REFERENCES revisions(id), auto_approve INTEGER NOT NULL, audit INTEGER NOT NULL,
        reasons TEXT NOT NULL, decision_id INTEGER REFERENCES decisions(id), outbox TEXT, created_at REAL NOT NULL)""",
    "CREATE INDEX routings_draft ON routings(draft_id)",
    """CREATE TABLE audits (
        id INTEGER PRIMARY KEY, draft_id INTEGER NOT NULL REFERENCES drafts(id),
        routing_id INTEGER NOT NULL REFERENCES routings(id), decision_id INTEGER REFERENCES decisions(id),
        audit_by TEXT NOT NULL DEFAULT '', created_at REAL NOT NULL,
        result TEXT CHECK (result IN ('upheld', 'overturned')), reason TEXT NOT NULL DEFAULT '', reviewer TEXT,
        decided_at REAL)""",
    """CREATE TABLE reshow_scores (
        id INTEGER PRIMARY KEY, draft_id INTEGER NOT NULL REFERENCES drafts(id), dimension TEXT NOT NULL,
        value INTEGER NOT NULL CHECK (value BETWEEN 1 AND 5), reviewer TEXT NOT NULL, created_at REAL NOT NULL,
        UNIQUE (draft_id, dimension, reviewer))""",
]

# v7: what the AI learns from its humans (issue 12). Each revise's feedback items get a mark (`addressed`,
# `not_addressed`, `unclear`) set automatically when the revision finishes and changed by reviewers' ticks; rules
# mined from approved edits are proposals a reviewer accepts, rejects or ignores; and each AI revision records the
# voice memory it was given (`examples`: {"examples": [approved revision ids], "lines": [learned lines]}).
V7 = [
    """CREATE TABLE feedback_marks (
        revision_id INTEGER NOT NULL REFERENCES revisions(id), item_id TEXT NOT NULL,
        mark TEXT NOT NULL CHECK (mark IN ('addressed', 'not_addressed', 'unclear')), why TEXT NOT NULL DEFAULT '',
        marked_by TEXT NOT NULL, updated_at REAL NOT NULL, PRIMARY KEY (revision_id, item_id))""",
    """CREATE TABLE rule_proposals (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, pattern TEXT NOT NULL, replacement TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'rejected', 'ignored')),
        pieces INTEGER NOT NULL, proposal TEXT NOT NULL, accepted_as TEXT, decided_by TEXT, decided_at REAL,
        decided_pieces INTEGER, created_at REAL NOT NULL, updated_at REAL NOT NULL)""",
    "ALTER TABLE revisions ADD COLUMN examples TEXT",
]

# v8: what the team learns (issue 11). Compare-view picks (the table `picks`; the view `preferences` reads it with
# models and prompt versions), the exact chat messages each AI revision was sent, published results per outbox piece
# and day, and views that give the numbers of `hitl stats` to sqlite3 / datasette (`final_drafts`,
# `active_decisions`). The views read briefs, brief_versions, drafts, revisions, decisions and picks only: a later
# step that rebuilds one of those tables must drop and re-create the views that read it.
V8 = [
    """CREATE TABLE picks (
        id INTEGER PRIMARY KEY, brief_version_id INTEGER NOT NULL REFERENCES brief_versions(id),
        left_draft_id INTEGER NOT NULL REFERENCES drafts(id),
        left_revision_id INTEGER NOT NULL REFERENCES revisions(id),
        right_draft_id INTEGER NOT NULL REFERENCES drafts(id),
        right_revision_id INTEGER NOT NULL REFERENCES revisions(id),
        pick TEXT NOT NULL CHECK (pick IN ('left', 'right', 'tie', 'skip')), reviewer TEXT NOT NULL,
        seconds REAL, undone INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL,
        CHECK (left_draft_id <> right_draft_id))""",
    "CREATE INDEX picks_version ON picks(brief_version_id, reviewer)",
    """CREATE TABLE revision_messages (
        revision_id INTEGER PRIMARY KEY REFERENCES revisions(id), messages TEXT NOT NULL, created_at REAL NOT NULL)""",
    """CREATE TABLE results (
        id INTEGER PRIMARY KEY, piece TEXT NOT NULL, draft_id INTEGER REFERENCES drafts(id), day TEXT NOT NULL,
        impressions INTEGER, opens INTEGER, clicks INTEGER, conversions INTEGER, spend REAL, revenue REAL,
        extra TEXT NOT NULL DEFAULT '{}', source TEXT NOT NULL DEFAULT '', reviewer TEXT NOT NULL,
        imported_at REAL NOT NULL, UNIQUE (piece, day))""",
    "CREATE INDEX decisions_draft ON decisions(draft_id, undone)",
    # An approval's active review time, final once it is made (see store/active_time.py).
    "ALTER TABLE decisions ADD COLUMN active_seconds REAL",
    # Active review time reads one brief's human events in a time window; covering, so the table is not touched.
    "CREATE INDEX events_brief ON events(brief_id, ts, reviewer, kind)",
    # Each draft's latest decision that was not undone (a reject later followed by an approval counts as approved).
    """CREATE VIEW active_decisions AS
        SELECT x.id AS decision_id, x.draft_id, x.revision_id, x.kind, x.reason, x.reviewer,
               x.created_at AS decided_at, x.active_seconds, b.id AS brief_id, b.name AS brief, v.id AS brief_version_id,
               v.version AS brief_version, d.variant, d.model
        FROM decisions x JOIN drafts d ON d.id = x.draft_id JOIN brief_versions v ON v.id = d.brief_version_id
        JOIN briefs b ON b.id = v.brief_id
        WHERE x.id = (SELECT MAX(y.id) FROM decisions y WHERE y.draft_id = x.draft_id AND y.undone = 0)""",
    # One row per draft (variant) in its final state: its latest AI revision, its latest revision of any kind (a
    # reviewer's edit), tokens and cost summed over its AI revisions, and its active decision.
    """CREATE VIEW final_drafts AS
        SELECT d.id AS draft_id, b.id AS brief_id, b.name AS brief, b.title, b.channel, v.id AS brief_version_id,
               v.version AS brief_version, d.variant, d.model, d.label, d.created_at AS drafted_at,
               ai.id AS ai_revision_id, ai.number AS ai_revisions, ai.status, ai.prompt_version,
               ai.text AS ai_text, fin.id AS final_revision_id, fin.kind AS final_author, fin.text AS final_text,
               fin.text <> ai.text AS edited,
               (SELECT SUM(tokens_in) FROM revisions WHERE draft_id = d.id AND kind = 'ai') AS tokens_in,
               (SELECT SUM(tokens_out) FROM revisions WHERE draft_id = d.id AND kind = 'ai') AS tokens_out,
               (SELECT SUM(cost) FROM revisions WHERE draft_id = d.id AND kind = 'ai') AS cost,
               a.decision_id, a.revision_id AS decided_revision_id, a.kind AS decision, a.reason AS decision_reason, a.reviewer AS decided_by,
               a.decided_at, a.active_seconds
        FROM drafts d JOIN brief_versions v ON v.id = d.brief_version_id JOIN briefs b ON b.id = v.brief_id
        LEFT JOIN revisions ai ON ai.id = (SELECT MAX(id) FROM revisions WHERE draft_id = d.id AND kind = 'ai')
        LEFT JOIN revisions fin ON fin.id = (SELECT MAX(id) FROM revisions WHERE draft_id = d.id)
        LEFT JOIN active_decisions a ON a.draft_id = d.id""",
    # Worked-out statistics until the log changes (store/stats_cache.py): derived data, written without an event.
    """CREATE TABLE stats_cache (
        kind TEXT PRIMARY KEY, key TEXT NOT NULL, body TEXT NOT NULL, written_at REAL NOT NULL)""",
    # Compare-view picks that stand (not undone, not skipped), with each side's model and prompt version.
    """CREATE VIEW preferences AS
        SELECT p.id AS pick_id, p.created_at, p.reviewer, b.name AS brief, p.brief_version_id,
               v.version AS brief_version, p.pick, p.seconds,
               p.left_draft_id, p.left_revision_id, ld.model AS left_model,
               (SELECT prompt_version FROM revisions WHERE draft_id = p.left_draft_id AND kind = 'ai'
                AND id <= p.left_revision_id ORDER BY id DESC LIMIT 1) AS left_prompt_version,
               p.right_draft_id, p.right_revision_id, rd.model AS right_model,
               (SELECT prompt_version FROM revisions WHERE draft_id = p.right_draft_id AND kind = 'ai'
                AND id <= p.right_revision_id ORDER BY id DESC LIMIT 1) AS right_prompt_version,
               CASE p.pick WHEN 'left' THEN ld.model WHEN 'right' THEN rd.model END AS winner_model,
               CASE p.pick WHEN 'left' THEN rd.model WHEN 'right' THEN ld.model END AS loser_model
        FROM picks p JOIN drafts ld ON ld.id = p.left_draft_id JOIN drafts rd ON rd.id = p.right_draft_id
        JOIN brief_versions v ON v.id = p.brief_version_id JOIN briefs b ON b.id = v.brief_id
        WHERE p.undone = 0 AND p.pick <> 'skip'""",
]

MIGRATIONS: list[list[str]] = [V1, V2, V3, V4, V5, V6, V7, V8]
LATEST = len(MIGRATIONS)
