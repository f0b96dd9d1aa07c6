"""A dropped SSH connection (a real hang-up: the terminal closes) or SIGTERM: the open edit is saved, the claim
released, the process ends.

The app runs as a real process on a pseudo-terminal, like a reviewer's session over SSH (see station_process.py;
tests/test_quit.py covers quitting while drafts stream).
"""

from __future__ import annotations

import signal
import tomllib

import pytest
import tomli_w
from station_process import StationProcess, query, wait_for_rows
from waiting import wait_until_sync

from hitl_tui.workspace import init_workspace


@pytest.mark.parametrize("how", ["SIGHUP", "SIGTERM"])
def test_signal_saves_the_open_edit_and_releases_the_claim(tmp_path, how):
    root = tmp_path / "ws"
    init_workspace(root, examples=False)
    config = tomllib.loads((root / "hitl.toml").read_text())
    config["drafting"]["models"] = ["hitl-offline/fast"]
    config["drafting"]["variants"] = 1
    (root / "hitl.toml").write_text(tomli_w.dumps(config))
    (root / "briefs" / "sale.toml").write_text('title = "Sale"\nbrief = "20% off."\n')
    db = root / "hitl.db"
    station = StationProcess(root)
    try:
        wait_for_rows(db, "SELECT 1 FROM revisions WHERE status='done'")
        wait_until_sync(lambda: station.shows(b"done"), what="the pane's status line says done")
        assert station.worker_pid() is not None  # the drafting worker runs, and must not outlive the station
        station.press(b"e")
        wait_until_sync(lambda: station.shows(b"Done editing"), what="the editor is open")
        station.press(b"ZQX")
        wait_until_sync(lambda: station.shows(b"ZQX"), what="the typed text is on screen")
        # At once: usually before the 0.5 s autosave, and either way nothing typed may be lost.
        if how == "SIGHUP":
            station.hang_up()
        else:
            station.signal(signal.SIGTERM)
        station.wait_exit()
        assert station.left_behind() == []
    finally:
        station.close()
    human = query(db, "SELECT text FROM revisions WHERE kind='human'")
    assert human and "ZQX" in human[-1][0]
    assert query(db, "SELECT * FROM claims") == []
    kinds = [k for (k,) in query(db, "SELECT kind FROM events")]
    assert "edit" in kinds and "release" in kinds
