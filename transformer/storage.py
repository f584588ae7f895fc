"""Per-request artifacts on disk (a PVC in Kubernetes), published atomically: complete or absent.

Each request's files are written into a hidden temporary folder beside the final one and renamed into
place in one `rename`, so a reader (or the drift job) never sees half a request, and a crash leaves only
a hidden temporary folder that the retention sweep removes.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from common.atomic_files import fsync_folder

log = logging.getLogger("transformer.storage")

# The files of one request's folder (readers such as the drift job use these names, never bare strings).
UPLOAD_FILE = "upload.bin"
UPLOAD_FILENAME_FILE = "upload_filename.txt"
JOB_URL_FILE = "job_url.txt"
RESUME_TEXT_FILE = "resume.txt"
JOB_DESCRIPTION_FILE = "job_description.txt"
FEATURES_FILE = "features.json"
PROMPT_FILE = "prompt.json"
RESULT_FILE = "result.json"
ERROR_FILE = "error.json"


def raw_output_file(attempt: int) -> str:
    """The predictor's raw answer of one attempt (1-based)."""
    return f"raw_output_{attempt}.txt"


_TMP_PREFIX = ".incoming-"
SWEEP_INTERVAL_S = 3600.0  # a long-running pod sweeps at most hourly, on the write path


class ArtifactStore:
    def __init__(self, root: Path, *, enabled: bool, retention_days: float) -> None:
        self.root = root
        self.enabled = enabled
        self.retention_s = retention_days * 86400
        self._last_sweep = 0.0

    def save(self, request_id: str, files: dict[str, bytes | str | dict[str, Any] | list[Any]]) -> Path | None:
        """Write one request's artifacts; returns the published folder (None when storage is off)."""
        if not self.enabled:
            return None
        self.root.mkdir(parents=True, exist_ok=True)
        final = self.root / request_id
        staging = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=self.root))
        try:
            for name, content in files.items():
                if isinstance(content, (dict, list)):
                    data = json.dumps(content, ensure_ascii=False, indent=2).encode(errors="backslashreplace")
                elif isinstance(content, str):  # raw model output may hold lone surrogates: keep them visible
                    data = content.encode(errors="backslashreplace")
                else:
                    data = content
                with open(staging / name, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
            final = self._publish(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if time.monotonic() - self._last_sweep > SWEEP_INTERVAL_S:
            self.sweep()
        return final

    @staticmethod
    def _publish(staging: Path, final: Path) -> Path:
        """Rename into place; a reused request id (a client's retry) gets the next free `ID.N` folder."""
        for attempt in range(1000):
            target = final if attempt == 0 else final.with_name(f"{final.name}.{attempt}")
            try:
                os.rename(staging, target)  # atomic; fails if target exists and is not empty
                fsync_folder(target.parent)  # the rename itself survives a power cut
                return target
            except OSError:
                if not target.exists():
                    raise
        raise FileExistsError(f"too many artifact folders for request id {final.name}")

    def sweep(self, now: float | None = None) -> int:
        """Delete artifacts older than the retention (and stale temporary folders); returns how many."""
        self._last_sweep = time.monotonic()
        if not self.root.is_dir():
            return 0
        cutoff = (now or time.time()) - self.retention_s
        stale_tmp = (now or time.time()) - 3600
        removed = 0
        for entry in self.root.iterdir():
            try:
                mtime = entry.stat().st_mtime
            except FileNotFoundError:
                continue
            if entry.is_dir() and (mtime < cutoff or (entry.name.startswith(_TMP_PREFIX) and mtime < stale_tmp)):
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        if removed:
            log.info("artifact retention sweep", extra={"removed": removed})
        return removed
