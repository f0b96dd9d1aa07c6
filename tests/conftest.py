from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/fake_openai.py is shared with tests/bench

from fake_openai import FakeOpenAI  # noqa: E402

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
os.environ.pop("HITL_WORKSPACE", None)


@pytest.fixture(autouse=True)
def own_user_config(tmp_path_factory, monkeypatch):
    """Each test has its own per-user config folder (platformdirs honours XDG_CONFIG_HOME; subprocesses inherit
    it), so nothing reads or writes the real one, and no HITL_REVIEWER leaks in from the shell."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("user-config")))
    monkeypatch.delenv("HITL_REVIEWER", raising=False)


@pytest.fixture(scope="session")
def llm_server():
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def workspace(tmp_path):
    from hitl_tui.workspace import Workspace, init_workspace

    init_workspace(tmp_path / "ws")
    return Workspace.load(tmp_path / "ws")


@pytest.fixture
async def store(tmp_path):
    from hitl_tui.store import Store

    s = await Store.open(tmp_path / "hitl.db", "tester")
    yield s
    await s.close()
