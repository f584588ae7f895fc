"""Artifact storage: atomic publication, retention and the off switch, on a real filesystem."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from transformer.storage import ArtifactStore


def test_artifacts_are_published_whole(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path, enabled=True, retention_days=30)
    folder = store.save("req-1", {"upload.bin": b"\x00\x01", "resume.txt": "José", "result.json": {"ok": True}})
    assert folder == tmp_path / "req-1"
    assert (folder / "upload.bin").read_bytes() == b"\x00\x01"
    assert (folder / "resume.txt").read_text() == "José"
    assert json.loads((folder / "result.json").read_text()) == {"ok": True}
    assert [p.name for p in tmp_path.iterdir()] == ["req-1"]  # no staging folder left behind


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path, enabled=True, retention_days=30)
    with pytest.raises(TypeError):
        store.save("req-2", {"resume.txt": "fine", "broken.bin": object()})  # type: ignore[dict-item]
    assert list(tmp_path.iterdir()) == []


def test_a_reused_request_id_keeps_both_requests(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path, enabled=True, retention_days=30)
    assert store.save("req-3", {"a.txt": "first"}) == tmp_path / "req-3"
    assert store.save("req-3", {"a.txt": "second"}) == tmp_path / "req-3.1"
    assert (tmp_path / "req-3" / "a.txt").read_text() == "first"
    assert (tmp_path / "req-3.1" / "a.txt").read_text() == "second"


def test_storage_can_be_switched_off(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path / "off", enabled=False, retention_days=30)
    assert store.save("req-4", {"a.txt": "x"}) is None
    assert not (tmp_path / "off").exists()


def test_retention_deletes_old_artifacts_and_stale_staging(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path, enabled=True, retention_days=2)
    for name in ("old", "new"):
        store.save(name, {"a.txt": name})
    stale = tmp_path / ".incoming-crashed"
    stale.mkdir()
    now = time.time()
    three_days_ago = now - 3 * 86400
    os.utime(tmp_path / "old", (three_days_ago, three_days_ago))
    os.utime(stale, (now - 7200, now - 7200))
    assert store.sweep(now) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new"]
