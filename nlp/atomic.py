"""Writing a folder atomically: build it beside the target, flush it, swap it in by renaming.

A model folder or a results folder written in place is destroyed by a kill or a
full disk part-way, or, worse, left as a silent mix of old and new files. Here
every file goes to a temporary folder beside the target (same file system), is
flushed to disk, and the finished folder replaces the target in one step: on
Linux by exchanging the two folders (``renameat2(RENAME_EXCHANGE)``), elsewhere
by two renames that put the old folder back if the second fails. A reader sees
the old folder or the new one, whole; the old folder is deleted only after the
swap succeeded.

>>> from pathlib import Path
>>> with atomic_folder(Path("results/run")) as staging:   # doctest: +SKIP
...     (staging / "table.csv").write_text("a,b\\n")
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

__all__ = ["atomic_folder", "swap_in", "fsync_tree"]

logger = logging.getLogger(__name__)

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_EXCHANGE = _renameat2() if os.name == "posix" else None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step; False when the system or file system cannot."""
    if _EXCHANGE is None:
        return False
    if _EXCHANGE(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, f"cannot swap {str(a)!r} and {str(b)!r}: {os.strerror(code)}")


def fsync_tree(folder: Path) -> None:
    """Flush every file under ``folder`` (and the folders themselves, where the system allows it)."""
    for root, _, files in os.walk(folder):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            fd = os.open(root, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def swap_in(staging: Path, folder: Path) -> None:
    """Replace ``folder`` by the finished ``staging`` folder; the old one is removed only after the swap."""
    if not folder.exists() and not folder.is_symlink():
        os.replace(staging, folder)
        return
    if not folder.is_dir() or folder.is_symlink():
        raise NotADirectoryError(f"expected a folder to replace, received the file {str(folder)!r}")
    if _exchange(staging, folder):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the old folder
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".old", dir=folder.parent))
    os.rmdir(retired)
    os.replace(folder, retired)
    try:
        os.replace(staging, folder)
    except BaseException:
        os.replace(retired, folder)  # put the old folder back
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _carry_over(old: Path, staging: Path) -> None:
    """Copy what the old folder holds and the new one does not (another job's files, sub-folders)."""
    if not old.is_dir():
        return
    for entry in old.iterdir():
        target = staging / entry.name
        if target.exists() or target.is_symlink() or entry.name.startswith(f".{old.name}."):
            continue
        if entry.is_symlink():
            os.symlink(os.readlink(entry), target)
        elif entry.is_dir():
            shutil.copytree(entry, target, symlinks=True)
        else:
            shutil.copy2(entry, target)


@contextlib.contextmanager
def atomic_folder(folder: str | os.PathLike, keep_other_files: bool = False, mode: int = 0o755) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``folder``; on success it replaces ``folder`` whole.

    Parameters
    ----------
    folder : path
        The target; its parent is created if needed.
    keep_other_files : bool
        Copy into the new folder whatever the old one holds that the new one
        does not (a results folder that other jobs also write into, such as
        ``classifier/train/``). Files of the same name are replaced.
    mode : int
        Permissions of the new folder (``mkdtemp`` makes it private).

    An exception inside the block (or a kill) leaves ``folder`` untouched and
    the temporary folder removed (after a kill, a hidden ``.<name>.*.tmp``
    folder may remain beside it).
    """
    target = Path(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"expected an output folder, received the file {str(target)!r}")
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield staging
        if keep_other_files:
            _carry_over(target, staging)
        fsync_tree(staging)
        os.chmod(staging, mode)
        swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
