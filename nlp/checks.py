"""Argument checks shared by every public function and estimator.

One place words the "invalid choice" error, so that a wrong option anywhere in
the package names the parameter, lists the valid choices and shows what was
received.

>>> check_choice("unit", "clause", ("clause", "paragraph"))
'clause'
>>> check_choice("unit", "sentence", ("clause", "paragraph"))
Traceback (most recent call last):
...
ValueError: unit: expected one of ['clause', 'paragraph'], received 'sentence'
"""
from __future__ import annotations

from typing import Any, Iterable, TypeVar

__all__ = ["check_choice", "choice_error"]

T = TypeVar("T")


def choice_error(name: str, value: Any, choices: Iterable[Any], error: type[Exception] = ValueError) -> Exception:
    """The exception for ``value`` not among ``choices`` (returned, not raised)."""
    return error(f"{name}: expected one of {list(choices)}, received {value!r}")


def check_choice(name: str, value: T, choices: Iterable[Any], error: type[Exception] = ValueError) -> T:
    """Return ``value`` if it is one of ``choices``; otherwise raise ``error`` naming them.

    Parameters
    ----------
    name : str
        How the caller knows the parameter (``"unit"``, ``"lda.alpha"``, or a
        ``"file: key 'x'"`` location).
    value
        What was received.
    choices : iterable
        The valid values, in the order they should be listed.
    error : type of Exception
        ``ValueError`` by default; configs raise :class:`nlp.config.ConfigError`.
    """
    choices = tuple(choices)
    if value not in choices:
        raise choice_error(name, value, choices, error)
    return value
