"""Files under var/ (SQLite with API tokens and channel secrets, the secret key, the admin password)
are private to the account running the server: folders 0700, files 0600, set *before* anything is
written (writing first and chmod-ing after left a window in which others could open the file).

Imported by settings (before Django is set up), so it imports nothing of Django.
"""
import os
import stat
from pathlib import Path


def private_dir(path):
    """Create ``path`` and its missing parents as 0700; tighten an existing one when it is ours
    and not a shared sticky folder such as /tmp."""
    path = Path(path)
    for missing in reversed([p for p in (path, *path.parents) if not p.exists()]):
        missing.mkdir(mode=0o700, exist_ok=True)
        missing.chmod(0o700)  # mkdir's mode is filtered by the umask
    info = path.stat()
    if info.st_uid == os.getuid() and not info.st_mode & stat.S_ISVTX:
        path.chmod(0o700)
    return path


def private_file(path):
    """Create ``path`` empty as 0600 if missing, else tighten it to 0600; returns the path."""
    path = Path(path)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    path.chmod(0o600)
    return path


def write_private(path, text):
    """Write ``text`` to ``path`` through a descriptor opened 0600, so no moment exists when others can read it."""
    private_file(path)
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
