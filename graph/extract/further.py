"""The further relations (administers, funds, targets, collaboratesWith, recognizedBy,
commissionedBy, establishedBy), from cue patterns over clauses with their entities marked.

A clause is rewritten with each recognised entity replaced by a slot that carries its class
(``\\x00Agency:3\\x01``); the patterns in ``data/lexicon/relations.toml`` are regular
expressions over that form, written with ``{Class}`` for one entity, ``{A|B}`` for either
class and ``{A+}`` for a list (A、B和C). Precision comes first: a rule fires only when the
entities stand exactly where the pattern puts them in one clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from graph.document import Fact, Mention
from graph.reference import lexicon

_SENTENCE = re.compile(r"[^。;!?\n]+")
_SLOT = re.compile(r"\x00(\w+):(\d+)\x01")
_GROUP = re.compile(r"\{([A-Za-z|]+)(\+?)\}")
_ACTOR = "Agency|Hospital|Organization"
_LIST_SEP = r"(?:[、,]|和|与|及|以及)"


@dataclass(frozen=True)
class Rule:
    relation: str
    regex: re.Pattern[str]
    subject: int
    object: int
    quoted: str = ""  # "subject" or "object": that entity must be written in quotation marks


def _compile(pattern: str) -> re.Pattern[str]:
    parts, pos = [], 0
    for n, m in enumerate(_GROUP.finditer(pattern)):
        parts.append(pattern[pos : m.start()])
        classes = m.group(1).replace("Actor", _ACTOR)
        slot = rf"\x00(?:{classes}):\d+\x01"
        body = rf"{slot}(?:{_LIST_SEP}{slot})*" if m.group(2) else slot
        parts.append(f"(?P<g{n}>{body})")
        pos = m.end()
    parts.append(pattern[pos:])
    return re.compile("".join(parts))


@cache
def rules() -> tuple[Rule, ...]:
    """The cue rules of ``data/lexicon/relations.toml``, compiled."""
    return tuple(
        Rule(r["relation"], _compile(r["pattern"]), int(r["subject"]), int(r["object"]), r.get("quoted", ""))
        for r in lexicon("relations")["rule"]
    )


def _outermost(mentions: list[Mention]) -> list[Mention]:
    named = sorted(
        (m for m in mentions if m.attrs.get("named", True) and m.end > m.start),
        key=lambda m: (m.start, -(m.end - m.start)),
    )
    out: list[Mention] = []
    for m in named:
        if out and m.start < out[-1].end:
            continue
        out.append(m)
    return out


def contained_facts(text: str, mentions: list[Mention]) -> tuple[list[Fact], list[Mention]]:
    """Relations implied by one name inside another (``[[contains]]`` in relations.toml).

    The inner name is the longest name of an inner-class entity of the document, or a
    standalone group word of named.toml, written inside the outer name. Returns the facts,
    quoting the outer name, and the inner mentions made for them.
    """
    words = lexicon("named")["standalone_groups"]
    facts: list[Fact] = []
    new: list[Mention] = []
    for spec in lexicon("relations").get("contains", []):
        names = {m.canonical for m in mentions if m.cls == spec["inner"]} | set(words)
        for outer in mentions:
            if outer.cls not in spec["outer"] or not outer.attrs.get("named", True):
                continue
            surface = text[outer.start : outer.end]
            inside = [name for name in names if name in surface and name != surface]
            if not inside:
                continue
            name = max(inside, key=len)
            start = outer.start + surface.find(name)
            inner = Mention(spec["inner"], start, start + len(name), name)
            new.append(inner)
            facts.append(Fact(outer, spec["relation"], inner, outer.start, outer.end))
    return facts, new


def further_facts(text: str, mentions: list[Mention]) -> list[Fact]:
    """Further-relation facts of a document, each quoting its sentence."""
    ents = _outermost(mentions)
    facts: list[Fact] = []
    seen: set[tuple[int, str, int]] = set()
    for sm in _SENTENCE.finditer(text):
        s_start, s_end = sm.span()
        inside = [(i, m) for i, m in enumerate(ents) if s_start <= m.start and m.end <= s_end]
        if len(inside) < 2:
            continue
        marked, cursor = [], s_start
        for i, m in inside:
            marked.append(text[cursor : m.start])
            marked.append(f"\x00{m.cls}:{i}\x01")
            cursor = m.end
        marked.append(text[cursor:s_end])
        clause = "".join(marked)
        for rule in rules():
            for match in rule.regex.finditer(clause):
                subjects = [ents[int(i)] for _c, i in _SLOT.findall(match.group(f"g{rule.subject}"))]
                objects = [ents[int(i)] for _c, i in _SLOT.findall(match.group(f"g{rule.object}"))]
                if rule.quoted:
                    held = subjects if rule.quoted == "subject" else objects
                    if not all(text[m.start] == "“" for m in held):
                        continue
                for s in subjects:
                    for o in objects:
                        key = (id(s), rule.relation, id(o))
                        if s is o or key in seen:
                            continue
                        seen.add(key)
                        facts.append(Fact(s, rule.relation, o, s_start, s_end))
    return facts
