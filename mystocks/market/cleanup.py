"""Cache cleanup: delete old files, but only ever under the configured cache root.

Run history is not touched here: the engine's retention service prunes executions (after
rolling them up) on its own daily schedule.
"""
import os
import time
from pathlib import Path

from django.conf import settings


class UnsafePath(ValueError):
    """A cleanup path that is not inside the cache root; nothing is deleted when one is given."""


def cache_root():
    """``settings.MYSTOCKS_CACHE_ROOT`` (env var of the same name), default ``var/cache``."""
    configured = getattr(settings, "MYSTOCKS_CACHE_ROOT", None) or os.environ.get("MYSTOCKS_CACHE_ROOT")
    return Path(configured or Path(settings.BASE_DIR) / "var" / "cache").resolve()


def resolve_targets(root, paths):
    """Each path resolved inside ``root``; raises UnsafePath for any that is absolute-elsewhere,
    contains "..", or escapes the root through a symlink. Empty ``paths`` = the whole root."""
    if not paths:
        return [root]
    targets = []
    for raw in paths:
        text = str(raw).strip()
        if not text or ".." in Path(text).parts:
            raise UnsafePath(f"refusing cleanup path {raw!r}: empty or contains '..'")
        target = (root / text).resolve()  # an absolute ``text`` replaces root here and is caught below
        if target != root and root not in target.parents:
            raise UnsafePath(f"refusing cleanup path {raw!r}: {target} is outside the cache root {root}")
        targets.append(target)
    return targets


def delete_old_files(targets, *, older_than_days):
    """Delete files last modified more than ``older_than_days`` days ago, then empty directories."""
    cutoff = time.time() - older_than_days * 86400
    deleted, freed = 0, 0
    for target in targets:
        if target.is_file():
            walk = [(target.parent, [], [target.name])]
        else:
            walk = os.walk(target, topdown=False)
        for folder, _dirs, files in walk:
            for name in files:
                path = Path(folder) / name
                stat = path.lstat()
                if stat.st_mtime < cutoff:
                    path.unlink()
                    deleted, freed = deleted + 1, freed + stat.st_size
            if Path(folder) != target and target.is_dir() and not any(Path(folder).iterdir()):
                Path(folder).rmdir()
    return deleted, freed


def cleanup(ctx, *, retention_days, cleanup_paths):
    if retention_days < 0:
        raise ValueError("retention_days must be zero or more")
    root = cache_root()
    targets = resolve_targets(root, cleanup_paths)  # all checked before anything is deleted
    existing = [t for t in targets if t.exists()]
    ctx.progress(0, 1, f"deleting cache files older than {retention_days} days under {root}")
    deleted, freed = delete_old_files(existing, older_than_days=retention_days)
    ctx.log.info("deleted %d files (%d bytes) under %s", deleted, freed, root)
    ctx.progress(1, 1, "done")
    return {"cache_root": str(root), "paths": [str(t) for t in targets],
            "missing": [str(t) for t in targets if t not in existing], "files_deleted": deleted, "bytes_freed": freed}
