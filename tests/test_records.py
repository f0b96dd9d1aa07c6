"""`@record` (records.py) behaves as `@dataclass` does where anyone would notice: equality, repr, hashing, the
dataclass helpers. Each check runs on a record and on its dataclass twin, so a difference shows as one."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from hitl_tui.records import record


def twins(slots: bool = False):
    def body():
        class Row:
            """A row."""
            id: int
            name: str = ""
            tags: list = field(default_factory=list)
            seen: float = field(default=0.0, compare=False)  # left out of ==, as a field may say
            secret: str = field(default="", repr=False)
        Row.__qualname__ = "Row"  # as a class defined in a module is named
        return Row

    return record(body(), slots=slots), dataclass(body(), slots=slots)


@pytest.mark.parametrize("slots", [False, True])
def test_a_record_compares_shows_and_hashes_like_a_dataclass(slots):
    for Row in twins(slots):
        a = Row(1, "a", ["x"], seen=1.0, secret="s")
        assert a == Row(1, "a", ["x"], seen=2.0, secret="s")  # `seen` is not compared; `secret` is
        assert a != Row(1, "a", ["x"], secret="other")
        assert a != Row(2, "a", ["x"], secret="s")
        assert a != (1, "a", ["x"], 1.0, "s")  # another type is never equal
        assert repr(a) == "Row(id=1, name='a', tags=['x'], seen=1.0)"  # `secret` is not shown
        with pytest.raises(TypeError):
            hash(a)  # mutable and compared by value: unhashable
        assert dataclasses.replace(a, name="b").name == "b"
        assert dataclasses.asdict(a)["tags"] == ["x"]
        assert [f.name for f in dataclasses.fields(a)] == ["id", "name", "tags", "seen", "secret"]
        if slots:
            assert not hasattr(a, "__dict__")
    made, plain = twins(slots)
    assert repr(made(3, "z")) == repr(plain(3, "z"))
    assert made(3, "z") != plain(3, "z")  # records of another class, even a twin, are not equal (as dataclasses)


def test_a_record_that_holds_itself_is_shown_without_recursing():
    Row, Plain = twins()
    for cls in (Row, Plain):
        a = cls(1)
        a.tags.append(a)
        assert repr(a) == "Row(id=1, name='', tags=[...], seen=0.0)"


def test_what_a_record_defines_itself_stays():
    @record
    class Named:
        """Equal by name only."""
        name: str
        note: str = ""

        def __eq__(self, other):
            return isinstance(other, Named) and other.name == self.name

        def __hash__(self):
            return hash(self.name)

        def __repr__(self):
            return f"<{self.name}>"

    assert Named("a", "x") == Named("a", "y")
    assert len({Named("a"), Named("a", "z")}) == 1
    assert repr(Named("a")) == "<a>"
