"""A crafted review history in a real hitl.db: briefs drafted, edited by reviewers and approved, the way the station
logs them (draft → AI text → a reviewer's edit session → an approve decision on that edit)."""

from __future__ import annotations

from hitl_tui.briefs import Brief


def email(body: str, closing: str = "Best,\nThe team", greeting: str = "Hi there,") -> str:
    return f"Subject: News\n\n{greeting}\n\n{body}\n\n{closing}"


async def approve(store, name: str, ai_text: str, final_text: str, reviewer: str, *, channel: str = "email",
                  score: int | None = None) -> int:
    """One brief drafted once, edited to `final_text` by `reviewer` and approved. Returns the approved revision."""
    brief = Brief(name=name, title=name.split(".")[0], brief="Crafted history.", channel=channel, content_hash=name)
    version = (await store.sync_brief(brief)).version_id
    draft_id, revision_id = await store.create_draft(version, 0, "hitl-offline/fast", "offline fast", 0.7, "v1")
    await store.finish_revision(revision_id, status="done", text=ai_text)
    approved = revision_id
    if final_text != ai_text:
        approved = await store.save_edit(draft_id, final_text, f"{name}-session")
    who = store.reviewer
    store.reviewer = reviewer
    try:
        if score is not None:
            await store.set_score(draft_id, "voice", score)
        await store.decide(draft_id, approved, "approve")
    finally:
        store.reviewer = who
    return approved


# Three briefs by three reviewers replace "utilize" with "use" and add the same sign-off; two of them also cut
# "In today's fast-paced world," (below the threshold of 3). A fourth approval changes only a price (a fact).
HISTORY = [
    ("b1.toml", "ana", "Teams utilize Planner every day.", "Teams use Planner every day.", True),
    ("b2.toml", "ben", "In today's fast-paced world, you utilize calendars.", "You use calendars.", True),
    ("b3.toml", "cy", "In today's fast-paced world, agencies utilize our board.", "Agencies use our board.", True),
    ("b4.toml", "ana", "Only $49 a month.", "Only $39 a month.", False),
]
SIGN_OFF = "Cheers,\nThe Acme crew"


async def craft(store) -> list[int]:
    return [await approve(store, name, email(before), email(after, SIGN_OFF if signs else "Best,\nThe team"), who,
                          score=4 + (i % 2))
            for i, (name, who, before, after, signs) in enumerate(HISTORY)]
