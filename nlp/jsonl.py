"""JSON Lines: the one reader for every ``.jsonl`` file the package reads.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "x.jsonl"
>>> _ = path.write_text('{"a": 1}\\n\\n{"a": 2}\\n', encoding="utf-8")
>>> read_jsonl(path)
[{'a': 1}, {'a': 2}]
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Union

__all__ = ["read_jsonl", "write_jsonl"]


def read_jsonl(path: Union[str, os.PathLike], required: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Read one JSON object per non-blank line.

    Parameters
    ----------
    path : str or path-like
    required : tuple of str
        Keys every record must have.

    Raises
    ------
    ValueError
        Naming the file and line: a line that is not JSON, not an object, or
        lacks a required key.
    """
    path = Path(path)
    rows: list[dict[str, Any]] = []
    with open(path, encoding="utf-8-sig") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{line_no}: not valid JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise ValueError(f"{path}:{line_no}: expected a JSON object, received {type(record).__name__}")
            missing = [k for k in required if k not in record]
            if missing:
                raise ValueError(f"{path}:{line_no}: expected fields {list(required)}; missing {missing}")
            rows.append(record)
    return rows


def write_jsonl(path: Union[str, os.PathLike], rows: list[dict[str, Any]]) -> Path:
    """Write records one per line, UTF-8, Chinese kept as characters."""
    path = Path(path)
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path
