"""`@record`: a dataclass for the classes that start-up defines, made for less.

Python 3.11's `@dataclass` compiles each method it generates with `exec`: __init__, __repr__ and __eq__ cost
~0.44 ms a class, and the station defines ~30 such classes before its first frame (tests/bench: first_frame).
A record generates only __init__; its __eq__ and __repr__ are the shared ones below, which behave as dataclass's
do: equal when of the same class with equal compared fields (a tuple each, as dataclass compares), shown as
`Name(field=value, ...)`, and unhashable, as a mutable dataclass with __eq__ is. Frozen classes stay plain
dataclasses (their generated __hash__ and __setattr__ are the point). `dataclasses.fields`, `replace` and
`asdict` work on a record as on any dataclass.

Core module: imports neither textual nor litellm.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from reprlib import recursive_repr


def _eq(self, other) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    names = self.__record_compared__
    return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)


@recursive_repr()
def _repr(self) -> str:
    shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__record_shown__)
    return f"{self.__class__.__qualname__}({shown})"


def record(cls=None, /, *, slots: bool = False):
    """`@record` or `@record(slots=True)` in place of `@dataclass` / `@dataclass(slots=True)`."""

    def make(cls):
        made = dataclass(cls, eq=False, repr=False, slots=slots)
        made.__record_compared__ = tuple(f.name for f in fields(made) if f.compare)
        made.__record_shown__ = tuple(f.name for f in fields(made) if f.repr)
        own = vars(cls)  # what the class defines itself stays, as with dataclass
        if "__eq__" not in own:
            made.__eq__ = _eq
        if "__repr__" not in own:
            made.__repr__ = _repr
        if "__hash__" not in own:
            made.__hash__ = None  # as dataclass leaves a mutable class that compares by value
        return made

    return make if cls is None else make(cls)
