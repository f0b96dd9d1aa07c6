"""A shared workspace for the team tests (issue 13): hitl.toml with roles and stages, stores under several names on
one real hitl.db, and variants with a known text (drafting is not what these tests are about)."""

from __future__ import annotations

from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from hitl_tui.briefs import Brief
from hitl_tui.store import Store
from hitl_tui.workspace import Workspace

TEAM_TOML = """

[roles]
editor = ["ana", "ben"]
legal = ["dana"]

[checklists.default]
advisory = ["reading_grade"]

[checklists.email]
stages = ["editor", "legal"]
"""

LAUNCH = Brief(name="launch.toml", title="Search launch", channel="email", content_hash="h1",
               brief="Announce the new search: results come back 40% faster for every workspace.")


def team_workspace(root: Path, toml: str = TEAM_TOML) -> Workspace:
    root.mkdir(parents=True, exist_ok=True)
    (root / "hitl.toml").write_text(toml)
    return Workspace.load(root)


@asynccontextmanager
async def stores(ws: Workspace, *names: str):
    """One Store per person, each with its own connection to the workspace's hitl.db (as separate stations)."""
    async with AsyncExitStack() as stack:
        yield [await stack.enter_async_context(Store.opened(ws.db_path, name)) for name in names]


async def variant(store: Store, text: str, brief: Brief = LAUNCH, number: int = 0) -> int:
    """A finished variant of the brief with this text; returns its draft id."""
    version_id = (await store.sync_brief(brief)).version_id
    if version_id is None:
        version_id = (await store.brief_by_name(brief.name)).current_version_id
    draft_id, revision_id = await store.create_draft(version_id, number, "hitl-offline/writer", "offline writer",
                                                     0.7, "v1")
    await store.finish_revision(revision_id, status="done", text=text)
    return draft_id


def brief_file(ws: Workspace, name: str, title: str, brief: str, channel: str = "email") -> Brief:
    """A brief file in the inbox, parsed as the inbox reads it (so `hitl` commands see the same version)."""
    from hitl_tui.briefs import parse_brief

    path = ws.inbox / name
    path.write_text(f'title = "{title}"\nchannel = "{channel}"\nbrief = "{brief}"\n')
    return parse_brief(path, ws.inbox)
