"""Offset maps from an original text to its de-identified version.

De-identification changes lengths (a name becomes `<PERSON_1>`), so every annotation
span on the original text must be moved. The map records each replaced region; a
position outside them shifts by the length changes before it, and a span that cuts into
a replaced region cannot be moved faithfully: it is reported, never silently moved.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Edit:
    """Original [start, end) became de-identified [new_start, new_end)."""

    start: int
    end: int
    new_start: int
    new_end: int
    entity_type: str


@dataclass(frozen=True, slots=True)
class Remapped:
    start: int | None
    end: int | None
    problem: str | None = None  # why the span could not be moved as it was
    entities: tuple[str, ...] = ()  # entity types replaced inside the span


class OffsetMap:
    def __init__(self, edits: list[Edit], original_length: int, new_length: int) -> None:
        self.edits = sorted(edits, key=lambda e: e.start)
        self._starts = [e.start for e in self.edits]
        self.original_length = original_length
        self.new_length = new_length

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        return cls([], length, length)

    def position(self, pos: int) -> int:
        """Map a position that is not inside a replaced region."""
        i = bisect.bisect_right(self._starts, pos) - 1
        if i < 0:
            return pos
        edit = self.edits[i]
        if pos < edit.end and pos > edit.start:
            raise ValueError(f"position {pos} is inside a replaced {edit.entity_type}")
        if pos == edit.start:
            return edit.new_start
        return edit.new_end + (pos - edit.end)

    def span(self, start: int, end: int) -> Remapped:
        """Move [start, end). A span inside or cutting through a replaced entity is
        reported with `problem`; a span that wholly contains entities is moved, and the
        entity types replaced inside it are listed (its text changed)."""
        if not (0 <= start <= end <= self.original_length):
            return Remapped(None, None, "offsets outside the text")
        inside: list[str] = []
        for edit in self.edits:
            if edit.end <= start or edit.start >= end:
                continue
            if edit.start >= start and edit.end <= end:
                inside.append(edit.entity_type)
                continue
            if edit.start <= start and edit.end >= end:
                return Remapped(None, None, f"span lies inside a replaced {edit.entity_type}")
            return Remapped(None, None, f"span cuts through a replaced {edit.entity_type}")
        return Remapped(self.position(start), self.position(end), None, tuple(inside))

    def original_span(self, new_start: int, new_end: int) -> tuple[int, int]:
        """Map a span of the de-identified text back to the original text; an end that
        falls inside a replacement takes in the whole replaced region."""
        return self._back(new_start, start=True), self._back(new_end, start=False)

    def _back(self, pos: int, start: bool) -> int:
        shift = 0
        for e in self.edits:
            if pos < e.new_start or (start and pos == e.new_start):
                break
            if pos < e.new_end or (not start and pos == e.new_end):
                return e.start if start else e.end
            shift = e.new_end - e.end
        return pos - shift

    def replaced(self, new_start: int, new_end: int) -> list[tuple[int, int]]:
        """The replacement regions (new-text offsets) that overlap [new_start, new_end)."""
        return [
            (e.new_start, e.new_end)
            for e in self.edits
            if e.new_start < new_end and e.new_end > new_start
        ]

    def to_list(self) -> list[list[int | str]]:
        return [[e.start, e.end, e.new_start, e.new_end, e.entity_type] for e in self.edits]

    @classmethod
    def from_list(cls, rows: list, original_length: int, new_length: int) -> OffsetMap:
        return cls([Edit(*row) for row in rows], original_length, new_length)
