"""Measures: the numbered headings of a policy (一、 (一) 1. (1)), named by their heading.

A heading's name is its text up to the first full stop. Headings that only organise the
text (总体要求, 工作任务 …) are not measures; a deep-level item (1. or (1)) is a measure only
when it opens with a short heading, not when it is a numbered paragraph. In a task-division
document the measures are the items that carry responsibility lists; headings above that
level are chapters. Chapter, section and article numbering (第一章, 第三条) is structure only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from graph.document import Mention
from graph.reference import lexicon


@cache
def _cues() -> dict:
    return lexicon("formal")["measures"]


@cache
def _levels() -> list[re.Pattern[str]]:
    return [re.compile(p) for p in _cues()["levels"]]


@dataclass
class Heading:
    rank: int
    number: str
    start: int  # start of the numbered line
    name_start: int
    name_end: int
    body_end: int  # end of the heading's paragraph
    name: str
    heading_like: bool
    parent: Heading | None = None
    mention: Mention | None = None


def find_headings(text: str) -> list[Heading]:
    """Numbered headings in document order, each linked to its enclosing heading."""
    cues = _cues()
    generic = set(cues["generic_headings"])
    out: list[Heading] = []
    stack: list[Heading] = []
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        stripped = line.lstrip(" \t\u3000")
        lead = len(line) - len(stripped)
        stripped = re.sub(r"^\[bookmark:[^\]]*\]\s*", "", stripped)
        lead = len(line) - len(stripped)
        for rank, pattern in enumerate(_levels()):
            m = pattern.match(stripped)
            if not m:
                continue
            rest_start = line_start + lead + m.end()
            rest = line[lead + m.end() :]
            stop = rest.find("。")
            first = rest if stop < 0 else rest[:stop]
            first = first.rstrip(" :;,。")
            name = first[: cues["max_name"]]
            heading_like = (
                stop >= 0 and len(first) <= cues["max_heading_sentence"] and "," not in first
            ) or (stop < 0 and len(rest.strip()) <= cues["max_heading_sentence"] * 2)
            h = Heading(
                rank=rank,
                number=m.group(1),
                start=line_start + lead,
                name_start=rest_start,
                name_end=rest_start + len(name),
                body_end=line_start + len(line),
                name=name,
                heading_like=heading_like,
            )
            while stack and stack[-1].rank >= rank:
                stack.pop()
            h.parent = stack[-1] if stack else None
            stack.append(h)
            if re.sub(r"[\s(（)）\d月]", "", name) in generic or not name.strip():
                h.name = ""
            out.append(h)
            break
    # a heading's body runs to the next heading of the same or a higher level
    for i, h in enumerate(out):
        nxt = next((o for o in out[i + 1 :] if o.rank <= h.rank), None)
        h.body_end = nxt.start if nxt else len(text)
    return out


def measure_headings(headings: list[Heading], assigned_ranks: set[int]) -> list[Heading]:
    """The headings that are measures (see the module docstring)."""
    top = min(assigned_ranks) if assigned_ranks else None
    out = []
    for h in headings:
        if not h.name or h.rank == 0:
            continue
        if top is not None and h.rank < top:
            continue
        if h.rank >= 3 and not h.heading_like:
            continue
        out.append(h)
    return out


def measure_mention(h: Heading) -> Mention:
    return Mention(
        cls="Measure",
        start=h.name_start,
        end=h.name_end,
        canonical=h.name,
        attrs={"sequence": h.number},
    )


def heading_at(headings: list[Heading], pos: int) -> Heading | None:
    """The innermost heading whose text contains ``pos``."""
    best = None
    for h in headings:
        if h.start <= pos < h.body_end and (best is None or h.rank > best.rank):
            best = h
    return best


def find_lead_sentences(text: str) -> list[Heading]:
    """Paragraphs opening with a short task sentence (统筹推进…建设。政府要…), for texts
    whose tasks are not numbered."""
    cues = _cues()
    verbs = tuple(cues["lead_sentence_verbs"])
    out: list[Heading] = []
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        stripped = line.lstrip(" \t\u3000")
        lead = len(line) - len(stripped)
        stop = stripped.find("。")
        if stop < 4 or not stripped.startswith(verbs) or not stripped[stop + 1 :].strip():
            continue
        first = stripped[:stop]
        if len(first) > cues["max_heading_sentence"] or re.search(r"[,;:]", first):
            continue
        start = line_start + lead
        out.append(
            Heading(
                rank=len(cues["levels"]),
                number="",
                start=start,
                name_start=start,
                name_end=start + len(first),
                body_end=line_start + len(line),
                name=first,
                heading_like=True,
            )
        )
    return out
