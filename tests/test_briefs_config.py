"""Brief parsing and validation, ignore rules, and hitl.toml errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hitl_tui.briefs import is_brief_candidate, parse_brief, scan_inbox, slugify
from hitl_tui.config import ConfigError, load_config, parse_config

VALID_TOML = 'title = "Sale"\nbrief = "20% off"\nchannel = "email"\nmust_include = ["20% off"]\nmax_words = 100\n'


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_three_formats(tmp_path):
    t = parse_brief(write(tmp_path, "a.toml", VALID_TOML))
    assert t.valid and t.title == "Sale" and t.must_include == ["20% off"] and t.max_words == 100
    m = parse_brief(write(tmp_path, "launch-post.md", '+++\ntitle = "Launch"\ncta = "Sign up"\n+++\nThe body.\n'))
    assert m.valid and m.brief == "The body." and m.cta == "Sign up"
    x = parse_brief(write(tmp_path, "quick_note.txt", "Write a tweet about our launch."))
    assert x.valid and x.title == "Quick note" and x.brief == "Write a tweet about our launch."


@pytest.mark.parametrize("name,data,reason", [
    ("bad.toml", 'title = "x"\nbrief = ', "not valid TOML"),
    ("notitle.toml", 'brief = "x"', "field 'title': missing"),
    ("nobrief.toml", 'title = "x"', "field 'brief': missing"),
    ("type.toml", 'title = "x"\nbrief = "y"\nmax_words = "two hundred"', "field 'max_words': expected a whole number"),
    ("list.toml", 'title = "x"\nbrief = "y"\nbanned = 5', "field 'banned': expected a list of text"),
    ("minmax.toml", 'title = "x"\nbrief = "y"\nmin_words = 300\nmax_words = 100', "more than max_words"),
    ("neg.toml", 'title = "x"\nbrief = "y"\nmax_chars = -5', "must be above 0"),
    ("variants.toml", 'title = "x"\nbrief = "y"\nvariants = 40', "from 1 to 8"),
    ("unknown.toml", 'title = "x"\nbrief = "y"\naudiance = "z"', "unknown field (did you mean 'audience'?)"),
    ("empty.toml", b"", "the file is empty"),
    ("blank.txt", b"   \n\n", "only blank space"),
    ("latin1.txt", "caf\xe9 brief".encode("latin-1"), "not UTF-8"),
    ("nul.toml", b'title = "x"\x00', "NUL bytes"),
    ("open.md", '+++\ntitle = "x"\nno end', "never closed"),
])
def test_invalid_briefs_say_why(tmp_path, name, data, reason):
    b = parse_brief(write(tmp_path, name, data))
    assert not b.valid
    assert b.error.startswith(name + ": ") and reason in b.error


def test_huge_file_is_refused(tmp_path):
    b = parse_brief(write(tmp_path, "big.txt", "x" * 1_000_001))
    assert "at most 1,000,000" in b.error


def test_symlink_leaving_the_inbox(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    secret = write(tmp_path, "secret.txt", "outside")
    os.symlink(secret, inbox / "link.txt")
    os.symlink(write(inbox, "real.txt", "inside brief"), inbox / "alias.txt")
    assert "outside the inbox" in parse_brief(inbox / "link.txt", inbox).error
    assert parse_brief(inbox / "alias.txt", inbox).valid


def test_dangling_symlink_says_so(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    os.symlink("gone.toml", inbox / "link.toml")  # as `ln -s gone.toml link.toml` makes it, then gone.toml goes
    b = parse_brief(inbox / "link.toml", inbox)
    assert b.error == "link.toml: a link to gone.toml, which does not exist (a dangling link); fix or remove the link"
    os.symlink("loop-b.toml", inbox / "loop-a.toml")
    os.symlink("loop-a.toml", inbox / "loop-b.toml")
    assert "symlink loop" in parse_brief(inbox / "loop-a.toml", inbox).error
    assert [(x.name, x.valid) for x in scan_inbox(inbox)] == [("link.toml", False), ("loop-a.toml", False),
                                                              ("loop-b.toml", False)]


@pytest.mark.parametrize("field, value, reason", [
    pytest.param("title", "t" * 10_000, "field 'title': 10,000 characters; at most 200", id="long-title"),
    pytest.param("title", "Two\nlines", "field 'title': must be one line", id="two-line-title"),
    pytest.param("brief", "b" * 20_001, "field 'brief': 20,001 characters; at most 20,000", id="long-brief"),
    pytest.param("cta", "c" * 201, "field 'cta': 201 characters; at most 200", id="long-cta"),
    pytest.param("channel", "c" * 41, "field 'channel': 41 characters; at most 40", id="long-channel"),
    pytest.param("notes", "n" * 5_001, "field 'notes': 5,001 characters; at most 5,000", id="long-notes"),
    pytest.param("must_include", ["x"] * 100_000, "field 'must_include': 100,000 items; at most 100",
                 id="many-must-include"),
    pytest.param("banned", ["ok", "w" * 201], "field 'banned': item 2 has 201 characters; at most 200",
                 id="long-banned-item"),
    pytest.param("models", ["openai/m"] * 21, "field 'models': 21 items; at most 20", id="many-models"),
    pytest.param("max_words", 1_000_000, "field 'max_words': must be at most 20,000, got 1,000,000",
                 id="huge-max-words"),
    pytest.param("max_chars", 10**9, "field 'max_chars': must be at most 200,000, got 1,000,000,000",
                 id="huge-max-chars"),
])
def test_fields_have_sane_limits(tmp_path, field, value, reason):
    import tomli_w

    data = {"title": "Sale", "brief": "20% off", field: value}
    b = parse_brief(write(tmp_path, "big.toml", tomli_w.dumps(data)))
    assert not b.valid and b.error == f"big.toml: {reason}"
    assert len(b.title) <= 200 and len(b.must_include) <= 100, "an invalid brief keeps no huge field either"


def test_fields_at_their_limits_are_valid(tmp_path):
    import tomli_w

    data = {"title": "t" * 200, "brief": "b" * 20_000, "must_include": ["m" * 200] * 100, "max_words": 20_000}
    assert parse_brief(write(tmp_path, "edge.toml", tomli_w.dumps(data))).valid


@pytest.mark.parametrize("name,ok", [
    ("brief.toml", True), ("brief.md", True), ("brief.txt", True), (".hidden.toml", False), (".#brief.md", False),
    ("brief.md~", False), (".brief.md.swp", False), ("brief.toml.part", False), ("brief.txt.crdownload", False),
    ("~$brief.txt", False), ("image.png", False), ("notes.docx", False),
])
def test_what_counts_as_a_brief(tmp_path, name, ok):
    assert is_brief_candidate(write(tmp_path, name, "x")) is ok


def test_folders_are_ignored_and_scan_is_sorted(tmp_path):
    (tmp_path / "sub.toml").mkdir()
    write(tmp_path, "b.txt", "two")
    write(tmp_path, "a.txt", "one")
    write(tmp_path, "x.toml", "broken = ")
    names = [(b.name, b.valid) for b in scan_inbox(tmp_path)]
    assert names == [("a.txt", True), ("b.txt", True), ("x.toml", False)]


def test_slug_is_confined():
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("Spring Sale: 20% off!") == "spring-sale-20-off"
    assert slugify("🎉 🎉") == "brief" and slugify("...", fallback="item") == "item"
    assert slugify("x" * 100) == "x" * 60


@pytest.mark.parametrize("title,slug", [
    ("Frühlingsangebot", "frühlingsangebot"),  # not "fr-hlingsangebot"
    ("Fru\u0308hlingsangebot", "frühlingsangebot"),  # decomposed ü (as macOS writes it) gives the same slug
    ("春のセール", "春のセール"),  # not "brief"
    ("Soldes d'été : -20 %", "soldes-d-été-20"),
    ("हिन्दी ऑफ़र", "हिन्दी-ऑफ़र"),  # vowel signs and viramas stay on their letters
    ("Ｓｐｒｉｎｇ　２０２６", "spring-2026"),  # full-width forms
])
def test_slugs_keep_every_script(title, slug):
    assert slugify(title) == slug


def test_outbox_and_checklist_ids_use_the_same_slugs(tmp_path):
    from hitl_tui.outbox import outbox_path

    assert outbox_path(tmp_path, "春のセール", "sale.toml").name == "春のセール.md"
    assert outbox_path(tmp_path, "🎉", "Frühling.toml").name == "frühling.md"
    cfg = parse_config({"checklists": {"default": {"items": ["Fakten geprüft", "法務チェック"]}}}, "hitl.toml")
    assert [i.id for i in cfg.checklists["default"].items] == ["fakten-geprüft", "法務チェック"]


@pytest.mark.parametrize("data,message", [
    ({"drafting": {"varients": 3}}, "unknown key 'drafting.varients' (did you mean 'variants'?)"),
    ({"drafting": {"variants": "3"}}, "drafting.variants: expected an integer, got '3'"),
    ({"drafting": {"variants": 12}}, "drafting.variants: expected an integer from 1 to 8, got 12"),
    ({"drafting": {"models": [{"api_base": "x"}]}}, "drafting.models[0].model"),
    ({"inbox": {"force_polling": "yes"}}, "inbox.force_polling: expected true or false"),
    ({"keys": {"aprove": "a"}}, "unknown key 'keys.aprove' (did you mean 'approve'?)"),
    ({"checklists": {"sms": {"rules": [{"must": "("}]}}}, "expected a regular expression"),
    ({"colour": "red"}, "unknown key 'colour'"),
])
def test_config_errors_are_one_clear_line(data, message):
    with pytest.raises(ConfigError) as err:
        parse_config(data, "/ws/hitl.toml")
    text = str(err.value)
    assert text.startswith("/ws/hitl.toml: ") and message in text and "\n" not in text


def test_config_models_accept_strings_and_tables(tmp_path):
    path = write(tmp_path, "hitl.toml", 'reviewer = "ana"\n[drafting]\nmodels = ["openai/gpt-4o-mini", '
                                        '{model = "ollama/llama3", api_base = "http://127.0.0.1:11434", '
                                        'label = "Llama"}]\n')
    cfg = load_config(path)
    assert cfg.reviewer == "ana"
    assert [m.model for m in cfg.drafting.models] == ["openai/gpt-4o-mini", "ollama/llama3"]
    assert cfg.drafting.models[1].api_base == "http://127.0.0.1:11434" and cfg.drafting.models[1].display == "Llama"


def test_broken_toml_config(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "hitl.toml", "[drafting\n"))


def test_starter_config_round_trips(workspace):
    cfg = load_config(workspace.root / "hitl.toml")
    assert cfg.drafting.models[0].model == "hitl-offline/drafter"
    assert set(cfg.rubric) == {"voice", "accuracy", "clarity", "cta", "channel_fit"}
    assert cfg.checklists["sms"].max_chars == 160 and cfg.keys["approve"] == "a"
