"""Work folders of a killed ``ingest`` or ``sync``: named with the process id (``promo-ingest-{pid}-…``,
``promo-sync-{pid}-…``), next to a DuckDB store or in the system temp folder for a PostgreSQL store, so the next run
can tell a dead run's folder (removed) from a live one's (kept)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path

INGEST_PREFIX = "promo-ingest-"
SYNC_PREFIX = "promo-sync-"  # sync's snapshot of the platform table (platform-N.ndjson), as large as the table


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True


def work_folder(prefix: str, parent: Path) -> Path:
    """A new work folder ``{prefix}{pid}-…`` in ``parent``."""
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))


def remove_dead_workdirs(folder: Path, prefix: str) -> int:
    """Remove the ``{prefix}{pid}-…`` folders in ``folder`` whose process is gone. Returns the bytes freed."""
    freed = 0
    pattern = re.compile(re.escape(prefix) + r"(\d+)-")
    with contextlib.suppress(OSError):
        for work in folder.glob(prefix + "*"):
            m = pattern.match(work.name)
            if not m or not work.is_dir() or work.is_symlink() or pid_alive(int(m.group(1))):
                continue
            with contextlib.suppress(OSError):
                freed += sum(f.stat().st_size for f in work.rglob("*") if f.is_file())
            shutil.rmtree(work, ignore_errors=True)
    return freed
