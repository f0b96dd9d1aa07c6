"""Reading the prompt the offline drafter is sent: its `## ` sections and the brief's "Field: value" lines.

One parser for every section, so a new section in the prompt (learned rules, example pieces) is one more name to
look up in `Prompt.sections`, not another regular expression over the raw text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..prompts import ANGLES

# The brief block's field names (prompts.brief_block), in the order they appear; "Brief" is last and may run over
# several lines.
FIELDS = ("Title", "Channel", "Audience", "Goal", "CTA", "Must include", "Avoid", "Min words", "Max words",
          "Max characters", "Notes", "Brief")
_FIELD_LINE = re.compile(rf"^({'|'.join(re.escape(f) for f in FIELDS)}):[ \t]*(.*)$")
_HEADING = re.compile(r"^## (.+?)\s*$", re.M)
SYSTEM = "System"  # the heading `prompt_text` gives the system message


@dataclass
class Prompt:
    sections: dict[str, str] = field(default_factory=dict)  # heading -> body; "" for the text before the first
    fields: dict[str, str] = field(default_factory=dict)

    def field(self, name: str) -> str:
        return self.fields.get(name, "")

    def number(self, name: str) -> int | None:
        value = self.field(name)
        return int(value) if value.isdigit() and int(value) > 0 else None

    def items(self, name: str) -> list[str]:
        return [item.strip() for item in self.field(name).split(";") if item.strip()]

    @property
    def channel(self) -> str:
        return self.field("Channel").strip().lower()

    @property
    def variant(self) -> int:
        """Which of the angles this draft is for; the angle, not the temperature, is what varies the offline copy."""
        angle = re.search(r"^Angle:\s*(.+)$", self.sections.get("Angle for this variant", ""), re.M)
        angle_text = angle.group(1).strip() if angle else ""
        return ANGLES.index(angle_text) if angle_text in ANGLES else 0

    @property
    def voice(self) -> str:
        m = re.search(r"Brand voice guide:\s*(.+)", self.sections.get(SYSTEM, ""), re.S)
        return " ".join(m.group(1).split()) if m else ""

    def section(self, heading: str) -> str:
        return self.sections.get(heading, "")


def prompt_text(messages: list[dict]) -> str:
    """The messages as one text for `compose`: the system message (which carries the voice guide) under its own
    heading, then the user message(s) as written."""
    parts = []
    for message in messages:
        content = str(message.get("content", "") or "")
        parts.append(f"## {SYSTEM}\n{content}" if message.get("role") == "system" else content)
    return "\n\n".join(parts)


def parse_prompt(text: str) -> Prompt:
    sections: dict[str, str] = {}
    marks = list(_HEADING.finditer(text))
    sections[""] = text[:marks[0].start() if marks else len(text)].strip()
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        sections.setdefault(mark.group(1), text[mark.end():end].strip())
    return Prompt(sections=sections, fields=_brief_fields(sections.get("Brief", "")))


def _brief_fields(block: str) -> dict[str, str]:
    """One value per known field; a line that starts with no field name continues the field before it."""
    fields: dict[str, list[str]] = {}
    current = None
    for line in block.splitlines():
        m = _FIELD_LINE.match(line)
        if m and m.group(1) not in fields:
            current = m.group(1)
            fields[current] = [m.group(2)]
        elif current:
            fields[current].append(line)
    return {name: " ".join(" ".join(lines).split()) for name, lines in fields.items()}
