"""hitl.toml: the team's settings model and loading with one-line errors (defaults live in defaults.py; each
person's own name, theme and keys in userconfig.py).

Core module: imports neither textual nor litellm.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .defaults import (DEFAULT_KEYS, DEFAULT_RUBRIC, DEFAULT_VOICE, OFFLINE_MODEL,  # noqa: F401 (re-exported)
                       default_reviewer, starter_config)
from .approval.settings import CalibrationConfig, parse_auto_approve, parse_roles, parse_stages, parse_team
from .errors import ConfigError  # noqa: F401 (re-exported)
from .records import record
from .settings import only as _only, parse_field, parse_section, positive, setting, strings
from .learning.settings import LearningSettings, parse_learning
from .slugs import slugify

if TYPE_CHECKING:
    from .analytics.policy import AutoApprovePolicy


@record
class ModelSpec:
    """One model to draft with: its litellm model string, where to reach it, and the name reviewers see."""
    model: str
    api_base: str | None = None
    api_key_env: str | None = None
    label: str | None = None

    @property
    def is_offline(self) -> bool:
        return self.model.startswith("hitl-offline/")

    @property
    def display(self) -> str:
        if self.label:
            return f"{self.label} (offline)" if self.is_offline and "offline" not in self.label.lower() else self.label
        return f"offline {self.model.split('/', 1)[1]}" if self.is_offline else self.model


@record
class RuleSpec:
    """A checklist's automatic rule: a pattern the text must, or must not, match."""
    name: str
    pattern: str
    kind: str  # "must" or "must_not"
    required: bool = True
    source: str = ""  # where it is defined, e.g. "checklists.default.rules[0]"
    worded: bool = False  # its name says what it wants (a learned rule): messages leave the pattern out


@record
class ManualItem:
    """A checklist item a person ticks (a judgement no pattern can make)."""
    id: str
    text: str
    required: bool = True


# ---------------------------------------------------------------- validation helpers

_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
               list: "a list", dict: "a table"}


def _fail(file: str, key: str, expected: str, got: Any) -> ConfigError:
    shown = repr(got) if not isinstance(got, dict) else "a table"
    return ConfigError(f"{file}: {key}: expected {expected}, got {shown}")


def _get(table: dict, key: str, typ: type, file: str, prefix: str, default: Any) -> Any:
    if key not in table:
        return default
    value = table[key]
    ok = isinstance(value, typ) and not (typ in (int, float) and isinstance(value, bool))
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not ok:
        raise _fail(file, f"{prefix}{key}", _TYPE_NAMES[typ], value)
    return value


def _positive(value: float, file: str, key: str) -> None:
    if value <= 0:
        raise _fail(file, key, "a number above 0", value)


def _str_list(table: dict, key: str, file: str, prefix: str) -> list[str]:
    values = _get(table, key, list, file, prefix, [])
    for v in values:
        if not isinstance(v, str):
            raise _fail(file, f"{prefix}{key}", "a list of strings", values)
    return list(values)


def _entries(value: Any, file: str, key: str) -> list[tuple[str, Any]]:
    """A list setting's entries, each with its own key prefix (`checklists.sms.rules[0].`)."""
    if not isinstance(value, list):
        raise _fail(file, key, "a list", value)
    return [(f"{key}[{i}].", entry) for i, entry in enumerate(value)]


def _parse_rules(value: Any, file: str, key: str) -> list[RuleSpec]:
    rules = []
    for where, rule in _entries(value, file, key):
        if not isinstance(rule, dict):
            raise _fail(file, where[:-1], "a table {name, must | must_not, required}", rule)
        _only(rule, {"name", "must", "must_not", "required"}, file, where)
        kinds = [k for k in ("must", "must_not") if k in rule]
        if len(kinds) != 1:
            raise ConfigError(f"{file}: {where[:-1]}: expected exactly one of 'must' or 'must_not' (a regex)")
        pattern = _get(rule, kinds[0], str, file, where, "")
        import re

        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{file}: {where}{kinds[0]}: expected a regular expression, {exc}") from None
        rules.append(RuleSpec(_get(rule, "name", str, file, where, pattern), pattern, kinds[0],
                              _get(rule, "required", bool, file, where, True), where[:-1]))
    return rules


def _parse_items(value: Any, file: str, key: str) -> list[ManualItem]:
    items = []
    for where, item in _entries(value, file, key):
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict):
            raise _fail(file, where[:-1], "a string or a table {id, text, required}", item)
        _only(item, {"id", "text", "required"}, file, where)
        text = _get(item, "text", str, file, where, "")
        if not text:
            raise ConfigError(f"{file}: {where}text: expected the item's text, it is missing")
        item_id = _get(item, "id", str, file, where, "") or slugify(text, fallback="item", max_length=40)
        items.append(ManualItem(item_id, text, _get(item, "required", bool, file, where, True)))
    return items


@record
class Checklist:
    """[checklists.<name>]: a channel's gates and manual checks. "default" applies to every channel; a channel's own
    adds its gates, rules and items to it, and its limits, stages and auto_approve replace the default's."""
    max_chars: int | None = setting(None, "character limit", kind=int, check=positive)
    reading_grade_max: float | None = setting(None, "highest reading grade (Flesch-Kincaid)", kind=float)
    required: list[str] = setting(factory=list, doc="advisory gates to make blocking", check=strings)
    advisory: list[str] = setting(factory=list, doc="automatic gates that only warn", check=strings)
    disabled: list[str] = setting(factory=list, doc="gates not to run", check=strings)
    rules: list[RuleSpec] = setting(factory=list, doc="regex rules: { name, must | must_not, required }",
                                    parse=_parse_rules)
    items: list[ManualItem] = setting(factory=list, doc="manual ticks: a text or { id, text, required }",
                                      parse=_parse_items)
    stages: list[str] | None = setting(None, "sign-off order, each stage a role; None: the default checklist's",
                                       parse=parse_stages)
    auto_approve: AutoApprovePolicy | None = setting(
        None, "approval without review { when, audit, min_score, seed, audit_by }; false turns a default's off",
        parse=parse_auto_approve)
    # Which config key set max_chars / reading_grade_max / stages / auto_approve: a channel's checklist inherits
    # the ones it does not set from the default.
    sources: dict[str, str] = field(default_factory=dict)


@record
class DraftingConfig:
    """[drafting]: who writes the drafts and how the calls behave."""
    models: list[ModelSpec] = setting(factory=lambda: [ModelSpec(OFFLINE_MODEL)], starter=False,
                                      doc="litellm model strings, or tables {model, api_base, api_key_env, label}")
    variants: int = setting(3, "per brief and model, 1-8", check=lambda v: None if 1 <= v <= 8
                            else "an integer from 1 to 8")
    concurrency: int = setting(4, "streams at once", check=positive)
    timeout: float = setting(120.0, "seconds for a whole call", check=positive)
    chunk_timeout: float = setting(30.0, "seconds without a token before giving up", check=positive)
    retries: int = setting(2, "on 429, 5xx, connection errors and timeouts (never on 401)",
                           check=lambda v: None if v >= 0 else "an integer of 0 or more")
    temperature: float = setting(0.7, "variants spread a little around it")
    auto_draft: bool = setting(True, "draft as soon as a brief lands")


@record
class InboxConfig:
    """[inbox]: how the briefs folder is watched."""
    debounce_ms: int = setting(300, "longest a batch of file events may grow", check=positive)
    settle_ms: int = setting(100, "a file must be unchanged this long before it is read")
    force_polling: bool = setting(False, "true on NFS/SSHFS/CIFS")
    poll_delay_ms: int = setting(300, "how often polling looks", check=positive)
    reconcile_seconds: float = setting(30.0, "periodic full scan that catches what polling misses", check=positive)


@record
class PromptConfig:
    """[prompts]: the templates' version (logged with every draft) and the templates themselves ("" = built in)."""
    version: str = setting("v1", "logged with every draft; bump it when you change the templates")
    system: str = setting("", "the system prompt template")
    draft: str = setting("", "the draft prompt template")
    revise: str = setting("", "the revise prompt template")


@record
class UIConfig:
    """[ui]: the station's looks (each person may override theme in their own config)."""
    theme: str = setting("textual-dark", "any Textual theme; ansi-dark / ansi-light use the terminal's colours")
    blind: bool = setting(False, "hide model names, shuffle variant order")
    shuffle: bool = setting(True, "shuffle variant order in blind mode")
    animations: bool = setting(False, "Textual's animations")


@record
class CompareConfig:
    """[compare]: the blind compare view (`v`)."""
    pairs: str = setting("all", 'pairs the view asks for: "all", or "ring" (each variant vs the next)',
                         choices=("all", "ring"))


@record
class Config:
    """hitl.toml as the station uses it: every section, validated, with defaults for what it leaves out."""
    path: Path | None = None
    reviewer: str = ""  # who is acting: see userconfig.py (Workspace.load layers the person over the team)
    team_reviewer: str = ""  # a `reviewer` left in hitl.toml by an older hitl (shared by everyone: a warning)
    drafting: DraftingConfig = field(default_factory=DraftingConfig)
    inbox: InboxConfig = field(default_factory=InboxConfig)
    rubric: dict[str, dict[str, str]] = field(default_factory=lambda: dict(DEFAULT_RUBRIC))
    checklists: dict[str, Checklist] = field(default_factory=dict)
    voices: dict[str, str] = field(default_factory=lambda: {"default": DEFAULT_VOICE})
    prompts: PromptConfig = field(default_factory=PromptConfig)
    keys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_KEYS))
    ui: UIConfig = field(default_factory=UIConfig)
    roles: dict[str, list[str]] = setting(factory=dict, doc="role -> the reviewers who hold it ([roles])",
                                          parse=parse_roles, starter=False)
    calibration: CalibrationConfig = field(default_factory=CalibrationConfig)
    learning: LearningSettings = field(default_factory=LearningSettings)  # voice memory, rule mining, low scores
    compare: CompareConfig = field(default_factory=CompareConfig)

    @property
    def compare_pairs(self) -> str:
        """What the compare view asks for (`[compare] pairs`)."""
        return self.compare.pairs

    def with_own_checklists(self) -> Config:
        """A copy whose checklists can change without changing this config's: learned rules are layered onto it
        (learning/rules_file.py) and follow learned-rules.toml while hitl.toml's stay as written."""
        out = copy.copy(self)
        out.checklists = dict(self.checklists)
        return out

    def checklist_for(self, name: str | None) -> tuple[Checklist, str]:
        """The checklist for a channel (or explicit name) layered over 'default': the default's rules and items
        apply everywhere, the channel adds its own and overrides limits. Returns it and its config key."""
        base = self.checklists.get("default", Checklist())
        if not name or name == "default" or name not in self.checklists:
            return base, "checklists.default"
        own = self.checklists[name]
        merged = Checklist(
            max_chars=own.max_chars or base.max_chars,
            reading_grade_max=own.reading_grade_max or base.reading_grade_max,
            required=base.required + own.required, advisory=base.advisory + own.advisory,
            disabled=base.disabled + own.disabled, rules=base.rules + own.rules,
            items=[i for i in base.items if i.id not in {o.id for o in own.items}] + own.items,
            stages=own.stages if "stages" in own.sources else base.stages,
            auto_approve=own.auto_approve if "auto_approve" in own.sources else base.auto_approve,
            sources={**base.sources, **own.sources})
        return merged, f"checklists.{name}"


# ---------------------------------------------------------------- section parsers

def _parse_models(raw: Any, file: str, key: str) -> list[ModelSpec]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise _fail(file, key, "a model string or a non-empty list of them", raw)
    specs = []
    for i, item in enumerate(raw):
        where = f"{key}[{i}]"
        if isinstance(item, str) and item.strip():
            specs.append(ModelSpec(item.strip()))
        elif isinstance(item, dict):
            _only(item, {"model", "api_base", "api_key_env", "label"}, file, f"{where}.")
            model = _get(item, "model", str, file, f"{where}.", "")
            if not model:
                raise ConfigError(f"{file}: {where}.model: expected a litellm model string, it is missing")
            specs.append(ModelSpec(model, _get(item, "api_base", str, file, f"{where}.", None),
                                   _get(item, "api_key_env", str, file, f"{where}.", None),
                                   _get(item, "label", str, file, f"{where}.", None)))
        else:
            raise _fail(file, where, "a model string or a table {model, api_base, api_key_env, label}", item)
    return specs


def _parse_drafting(t: dict, file: str) -> DraftingConfig:
    d = parse_section(DraftingConfig, t, file, "drafting", skip=("models",))
    if "models" in t:
        d.models = _parse_models(t["models"], file, "drafting.models")
    return d


def _parse_rubric(t: dict, file: str) -> dict[str, dict[str, str]]:
    rubric = {}
    for name, dim in t.items():
        where = f"rubric.{name}"
        if not isinstance(dim, dict):
            raise _fail(file, where, "a table with 'one' and 'five' descriptions", dim)
        _only(dim, {"one", "five", "label"}, file, f"{where}.")
        rubric[name] = {"one": _get(dim, "one", str, file, f"{where}.", ""),
                        "five": _get(dim, "five", str, file, f"{where}.", ""),
                        "label": _get(dim, "label", str, file, f"{where}.", name.replace("_", " "))}
    if not rubric:
        raise ConfigError(f"{file}: rubric: expected at least one dimension")
    return rubric


def _parse_checklist(t: dict, file: str, name: str) -> Checklist:
    key = f"checklists.{name}"
    c = parse_section(Checklist, t, file, key)
    c.sources = {k: f"{key}.{k}" for k in ("max_chars", "reading_grade_max", "stages", "auto_approve") if k in t}
    return c


def _parse_keys(t: dict, file: str) -> dict[str, str]:
    keys = dict(DEFAULT_KEYS)
    _only(t, set(DEFAULT_KEYS), file, "keys.")
    for action, key in t.items():
        keys[action] = _get(t, action, str, file, "keys.", key)
    return keys


# The sections read by `settings.parse_section`: one dataclass each, every key declared once with its default and doc.
SETTING_SECTIONS: dict[str, type] = {"drafting": DraftingConfig, "inbox": InboxConfig, "ui": UIConfig,
                                     "prompts": PromptConfig, "learning": LearningSettings,
                                     "calibration": CalibrationConfig, "compare": CompareConfig}
# Tables whose keys are the team's own names (a dimension, a channel, a voice, an action id, a role); each entry
# is declared once all the same: `Checklist`'s fields, `Config.roles`, the keymap's actions.
NAMED_TABLES = ("rubric", "checklists", "voices", "keys", "roles")
SECTIONS = {"reviewer", *SETTING_SECTIONS, *NAMED_TABLES}


def parse_config(data: dict, file: str = "hitl.toml") -> Config:
    _only(data, SECTIONS, file, "")
    team_reviewer = _get(data, "reviewer", str, file, "", "")
    cfg = Config(reviewer=team_reviewer or default_reviewer(), team_reviewer=team_reviewer)
    tables = {}
    for section in SECTIONS - {"reviewer"}:
        tables[section] = _get(data, section, dict, file, "", {})
    cfg.drafting = _parse_drafting(tables["drafting"], file)
    cfg.inbox = parse_section(InboxConfig, tables["inbox"], file, "inbox")
    if tables["rubric"]:
        cfg.rubric = _parse_rubric(tables["rubric"], file)
    else:
        cfg.rubric = {k: {**v, "label": k.replace("_", " ")} for k, v in DEFAULT_RUBRIC.items()}
    for name, table in tables["checklists"].items():
        if not isinstance(table, dict):
            raise _fail(file, f"checklists.{name}", "a table", table)
        cfg.checklists[name] = _parse_checklist(table, file, name)
    for name, voice in tables["voices"].items():
        if isinstance(voice, dict):
            _only(voice, {"guide"}, file, f"voices.{name}.")
            voice = _get(voice, "guide", str, file, f"voices.{name}.", "")
        if not isinstance(voice, str):
            raise _fail(file, f"voices.{name}", "a string or a table {guide}", voice)
        cfg.voices[name] = voice
    cfg.prompts = parse_section(PromptConfig, tables["prompts"], file, "prompts")
    cfg.keys = _parse_keys(tables["keys"], file)
    cfg.ui = parse_section(UIConfig, tables["ui"], file, "ui")
    cfg.learning = parse_learning(tables["learning"], file)
    cfg.compare = parse_section(CompareConfig, tables["compare"], file, "compare")
    cfg.roles = parse_field(Config, "roles", tables["roles"], file, "roles")
    parse_team(cfg, tables["calibration"], file)  # [calibration]; the checklists' stages and audit roles checked
    return cfg


def load_config(path: Path) -> Config:
    """Load hitl.toml; a missing file gives the defaults, a broken one a ConfigError."""
    if not path.exists():
        cfg = parse_config({}, str(path))
    else:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{path}: not UTF-8 text") from None
        cfg = parse_config(data, str(path))
    cfg.path = path
    return cfg
