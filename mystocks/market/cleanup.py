"""Cache cleanup: delete old files, but only ever under the configured cache root.

Run history is not touched here: the engine's retention service prunes executions (after
rolling them up) on its own daily schedule.
"""
import os
import time
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _


class UnsafePath(ValueError):
    """A cleanup path that is not inside the cache root; nothing is deleted when one is given."""


def cache_root():
    """``settings.MYSTOCKS_CACHE_ROOT`` (env var of the same name), default ``var/cache``."""
    configured = getattr(settings, "MYSTOCKS_CACHE_ROOT", None) or os.environ.get("MYSTOCKS_CACHE_ROOT")
    return Path(configured or Path(settings.BASE_DIR) / "var" / "cache").resolve()


def cache_roots():
    """Every folder the cleanup may delete under: the cache root, then ``MYSTOCKS_CACHE_ROOTS``."""
    extra = [Path(p).resolve() for p in getattr(settings, "MYSTOCKS_CACHE_ROOTS", None) or ()]
    return [cache_root(), *[p for p in extra if p != cache_root()]]


def _outside(raw, roots):
    names = ", ".join(str(r) for r in roots)
    return _("refusing cleanup path %(path)r: outside the allowed cache roots (%(roots)s); "
             "add a folder to the MYSTOCKS_CACHE_ROOTS setting to allow it") % {"path": raw, "roots": names}


def resolve_targets(roots, paths):
    """Each path resolved inside one of ``roots`` (relative paths under the first); raises UnsafePath
    for any that lies elsewhere, contains "..", or escapes its root through a symlink.
    Empty ``paths`` = the first root."""
    if not paths:
        return [roots[0]]
    targets = []
    for raw in paths:
        text = str(raw).strip()
        if not text or ".." in Path(text).parts:
            raise UnsafePath(_("refusing cleanup path %(path)r: empty or contains '..'") % {"path": raw})
        target = (roots[0] / text).resolve()  # an absolute ``text`` replaces the root here
        if not any(target == root or root in target.parents for root in roots):
            raise UnsafePath(_outside(raw, roots))
        targets.append(target)
    return targets


def path_problem(paths):
    """The message the job would refuse ``paths`` with, or "" (a warning when a definition is saved)."""
    try:
        resolve_targets(cache_roots(), paths or [])
    except UnsafePath as exc:
        return str(exc)
    return ""


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
    roots = cache_roots()
    root = roots[0]
    targets = resolve_targets(roots, cleanup_paths)  # all checked before anything is deleted
    existing = [t for t in targets if t.exists()]
    ctx.progress(0, 1, f"deleting cache files older than {retention_days} days under {root}")
    deleted, freed = delete_old_files(existing, older_than_days=retention_days)
    ctx.log.info("deleted %d files (%d bytes) under %s", deleted, freed, root)
    ctx.progress(1, 1, "done")
    return {"cache_root": str(root), "paths": [str(t) for t in targets],
            "missing": [str(t) for t in targets if t not in existing], "files_deleted": deleted, "bytes_freed": freed}
