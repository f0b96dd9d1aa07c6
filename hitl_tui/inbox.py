"""The inbox service: files in briefs/ become brief versions in the store, and callers hear about it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable

from .briefs import Brief, parse_brief
from .config import InboxConfig
from .store import Store
from .watcher import Change, InboxWatcher, snapshot


@dataclass
class BriefUpdate:
    name: str
    brief_id: int | None
    version_id: int | None
    new_version: bool
    brief: Brief | None
    deleted: bool = False


def sig_text(sig: tuple[int, int] | None) -> str | None:
    return f"{sig[0]}:{sig[1]}" if sig else None


async def sync_inbox(inbox: Path, store: Store, known: dict[str, tuple[int, int]] | None = None
                     ) -> list[BriefUpdate]:
    """Full scan: parse the briefs whose file changed since it was last read (by size and mtime), record new
    versions, mark vanished ones deleted (their history stays). Returns what changed. With 10,000 briefs in the
    inbox, a start-up then reads only the few that moved, instead of parsing and rewriting every one."""
    files = known if known is not None else await asyncio.to_thread(snapshot, inbox)
    recorded = await store.file_sigs()
    changed = sorted(name for name, sig in files.items() if recorded.get(name) != sig_text(sig))
    briefs = await asyncio.to_thread(lambda: [parse_brief(inbox / name, inbox) for name in changed])
    results = await store.sync_briefs(briefs, {b.name: sig_text(files.get(b.name)) for b in briefs})
    updates = [BriefUpdate(b.name, r.brief_id, r.version_id, r.new_version, b) for b, r in zip(briefs, results)]
    gone = await store.mark_deleted_many(sorted(set(recorded) - set(files)))
    updates += [BriefUpdate(name, brief_id, None, False, None, deleted=True) for name, brief_id in gone.items()]
    return updates


class InboxService:
    def __init__(self, inbox: Path, store: Store, config: InboxConfig,
                 on_update: Callable[[BriefUpdate], Awaitable[None]]) -> None:
        self.inbox = inbox
        self.store = store
        self.config = config
        self.on_update = on_update
        self.watcher: InboxWatcher | None = None

    async def start(self) -> list[BriefUpdate]:
        """Initial sync, then watch. Returns the initial updates; later ones go to `on_update`."""
        known = await asyncio.to_thread(snapshot, self.inbox)
        updates = await sync_inbox(self.inbox, self.store, known)
        c = self.config
        self.watcher = InboxWatcher(self.inbox, self._changed, debounce_ms=c.debounce_ms, settle_ms=c.settle_ms,
                                    force_polling=c.force_polling, poll_delay_ms=c.poll_delay_ms,
                                    reconcile_seconds=c.reconcile_seconds, known=known)
        return updates

    async def run(self) -> None:
        assert self.watcher is not None, "call start() first"
        await self.watcher.run()

    def stop(self) -> None:
        if self.watcher:
            self.watcher.stop()

    async def _changed(self, changes: list[Change]) -> None:
        parsed = [(c, None if c.deleted else parse_brief(self.inbox / c.name, self.inbox)) for c in changes]
        live = [b for _c, b in parsed if b is not None]
        sigs = {b.name: sig_text(self.watcher.taken.get(b.name)) for b in live} if self.watcher else {}
        results = iter(await self.store.sync_briefs(live, sigs)) if live else iter(())
        for change, brief in parsed:
            if brief is None:
                brief_id = await self.store.mark_deleted(change.name)
                await self.on_update(BriefUpdate(change.name, brief_id, None, False, None, deleted=True))
            else:
                r = next(results)
                await self.on_update(BriefUpdate(brief.name, r.brief_id, r.version_id, r.new_version, brief))
