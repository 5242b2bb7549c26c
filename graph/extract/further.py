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
_PERIOD = re.compile(r"[^。!?\n]+")  # a subject's reach: through semicolons (一是…;二是…)
_SLOT = re.compile(r"\x00(\w+):(\d+)\x01")
_GROUP = re.compile(r"\{(\+?)([A-Za-z|]+)(\+?)\}")
_ACTOR = "Agency|Hospital|Organization"
_LIST_SEP = r"(?:[、,]|和|与|及|以及)"
# <gap>: a character of the same comma clause or an entity; <any>: the same, across commas
_MACROS = {"<gap>": r"(?:[^\x00,]|\x00\w+:\d+\x01)", "<any>": r"(?:[^\x00]|\x00\w+:\d+\x01)"}
# a name the rule itself delimits ({+Programme}): words and the places written inside it
_NEW_NAME = r"(?:[\u4e00-\u9fffA-Za-z0-9·\-]|\x00Region:\d+\x01){4,30}?"
_QUOTED_NAME = r"(?:[\u4e00-\u9fffA-Za-z0-9·\-]|\x00\w+:\d+\x01){4,40}?"


@dataclass(frozen=True)
class Rule:
    relation: str
    regex: re.Pattern[str]
    subject: int
    object: int
    quoted: str = ""  # "subject" or "object": that entity must be written in quotation marks
    new: tuple[tuple[int, str], ...] = ()  # groups that delimit a new name, with its class


def _compile(pattern: str) -> tuple[re.Pattern[str], tuple[tuple[int, str], ...]]:
    for macro, body in _MACROS.items():
        pattern = pattern.replace(macro, body)
    parts, pos, new = [], 0, []
    for n, m in enumerate(_GROUP.finditer(pattern)):
        parts.append(pattern[pos : m.start()])
        fresh, classes, many = m.group(1), m.group(2).replace("Actor", _ACTOR), m.group(3)
        if fresh:
            new.append((n, classes))
            # between quotation marks a name may hold any entity (“深圳罗湖推进国有公共物业集约
            # 利用改革…”); unquoted, only the places it opens with
            slot = _QUOTED_NAME if pattern[: m.start()].endswith("“") else _NEW_NAME
        else:
            slot = rf"\x00(?:{classes}):\d+\x01"
        sep = "、" if fresh else _LIST_SEP
        body = rf"{slot}(?:{sep}{slot})*" if many else slot
        parts.append(f"(?P<g{n}>{body})")
        pos = m.end()
    parts.append(pattern[pos:])
    return re.compile("".join(parts)), tuple(new)


@cache
def rules() -> tuple[Rule, ...]:
    """The cue rules of ``data/lexicon/relations.toml``, compiled."""
    out = []
    for r in lexicon("relations")["rule"]:
        regex, new = _compile(r["pattern"])
        out.append(Rule(r["relation"], regex, int(r["subject"]), int(r["object"]), r.get("quoted", ""), new))
    return tuple(out)


def _outermost(mentions: list[Mention]) -> list[Mention]:
    named = sorted(
        (
            m
            for m in mentions
            if (m.attrs.get("named", True) or m.attrs.get("self_reference")) and m.end > m.start
        ),
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

    The inner name is the longest name of an inner-class entity of the document (or, for
    groups, a standalone group word of named.toml) written inside the outer name. Returns the facts,
    quoting the outer name, and the inner mentions made for them.
    """
    words = lexicon("named")["standalone_groups"]
    facts: list[Fact] = []
    new: list[Mention] = []
    for spec in lexicon("relations").get("contains", []):
        names = {m.canonical for m in mentions if m.cls == spec["inner"]}
        if spec["inner"] == "Group":
            names |= set(words)
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


@dataclass
class _Marked:
    """A sentence with its entities replaced by slots, and where each character came from."""

    text: str
    starts: list[int]  # for each character, the offset in the document where it starts
    ends: list[int]  # ... and ends (a slot's characters span its whole entity)
    source: str  # the document's text
    ents: list[Mention]  # the entities slots refer to, by index

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]


def _mark(text: str, s_start: int, s_end: int, ents: list[Mention]) -> _Marked:
    out, starts, ends, cursor = [], [], [], s_start
    for i, m in enumerate(ents):
        if not (s_start <= m.start and m.end <= s_end):
            continue
        out.append(text[cursor : m.start])
        starts.extend(range(cursor, m.start))
        ends.extend(range(cursor + 1, m.start + 1))
        slot = f"\x00{m.cls}:{i}\x01"
        out.append(slot)
        starts.extend([m.start] * len(slot))
        ends.extend([m.end] * len(slot))
        cursor = m.end
    out.append(text[cursor:s_end])
    starts.extend(range(cursor, s_end))
    ends.extend(range(cursor + 1, s_end + 1))
    return _Marked("".join(out), starts, ends, text, ents)


def _sentences(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Sentence spans; one opening with 其中 continues the sentence before it (广东省委改革办
    遴选出65个典型案例。其中,“…”入选)."""
    spans: list[tuple[int, int]] = []
    continuations = tuple(lexicon("relations")["continuations"])
    for m in pattern.finditer(text):
        if spans and m.group(0).lstrip().startswith(continuations):
            spans[-1] = (spans[-1][0], m.end())
        else:
            spans.append(m.span())
    return spans


class _Facts:
    """Facts and the new names rules delimit, without repeats."""

    def __init__(self) -> None:
        self.facts: list[Fact] = []
        self.new: dict[tuple[int, int], Mention] = {}
        self._seen: set[tuple[int, str, int]] = set()

    def add(self, s: Mention, relation: str, o: Mention, span: tuple[int, int]) -> None:
        key = (id(s), relation, id(o))
        if s is not o and key not in self._seen:
            self._seen.add(key)
            self.facts.append(Fact(s, relation, o, *span))

    def named(self, text: str, cls: str, start: int, end: int) -> Mention | None:
        """The new entity written at ``start..end`` (quotation marks trimmed)."""
        while start < end and text[start] == "“":
            start += 1
        while end > start and text[end - 1] in "”":
            end -= 1
        if end - start < 4:
            return None
        if (start, end) not in self.new:
            name = text[start:end].replace("“", "").replace("”", "")
            self.new[(start, end)] = Mention(cls, start, end, name, attrs={"delimited_by_cue": True})
        return self.new[(start, end)]


def _held(marked: _Marked, match: re.Match[str], rule: Rule, group: int, out: _Facts) -> list[Mention]:
    """The entities a rule's group stands for: the slots in it, or the new names it delimits."""
    name = f"g{group}"
    fresh = dict(rule.new).get(group)
    if fresh is None:
        return [marked.ents[int(i)] for _c, i in _SLOT.findall(match.group(name))]
    held = []
    g_start = match.start(name)
    for item in re.finditer(r"[^、]+", match.group(name)):
        start, end = marked.span(g_start + item.start(), g_start + item.end())
        mention = out.named(marked.source, fresh, start, end)
        if mention is not None:
            held.append(mention)
    return held


def further_facts(text: str, mentions: list[Mention]) -> tuple[list[Fact], list[Mention]]:
    """Further-relation facts of a document, each quoting its sentence, and the entities that
    cue rules delimited themselves (数字健康建设被国家卫生健康委作为示范案例)."""
    ents = _outermost(mentions)
    out = _Facts()
    for s_start, s_end in _sentences(text, _SENTENCE):
        marked = _mark(text, s_start, s_end, ents)
        for rule in rules():
            for match in rule.regex.finditer(marked.text):
                subjects = _held(marked, match, rule, rule.subject, out)
                objects = _held(marked, match, rule, rule.object, out)
                if rule.quoted:
                    held = subjects if rule.quoted == "subject" else objects
                    if not all(text[m.start] == "“" for m in held):
                        continue
                for s in subjects:
                    for o in objects:
                        out.add(s, rule.relation, o, (s_start, s_end))
    for s_start, s_end in _sentences(text, _PERIOD):
        _subject_facts(_mark(text, s_start, s_end, ents), out, (s_start, s_end))
    _enumerated_facts(text, ents, out)
    return out.facts, list(out.new.values())


_ITEM = re.compile(r"[ \t]*(?:[（(][一二三四五六七八九十\d]+[)）]|\d+[.、])[ \t]*")


def _items(text: str, pos: int) -> list[int]:
    """Where the items of a numbered list starting at ``pos`` begin (after their numbers)."""
    starts = []
    while True:
        while pos < len(text) and text[pos] in "\n \t":
            pos += 1
        item = _ITEM.match(text, pos)
        if item is None:
            return starts
        starts.append(item.end())
        line_end = text.find("\n", item.end())
        if line_end < 0:
            return starts
        pos = line_end


def _enumerated_facts(text: str, ents: list[Mention], out: _Facts) -> None:
    """本市健全医疗救助制度…。医疗救助对象范围包括：（一）特困人员；（二）…: each numbered item
    that is an entity of the item classes alone is related to the scheme its lead-in paragraph
    names last (``[[enumerated]]`` of relations.toml)."""
    by_start = {m.start: m for m in ents}
    for spec in lexicon("relations").get("enumerated", []):
        for cue in re.finditer(spec["cue"], text):
            lead_start = text.rfind("\n", 0, cue.start()) + 1
            lead = range(lead_start, cue.start() + 1)
            schemes = [m for m in ents if m.start in lead and m.end in lead and m.cls in spec["subjects"]]
            if not schemes:
                continue
            for start in _items(text, cue.end()):
                item = by_start.get(start)
                if item is not None and item.cls in spec["items"] and re.match(r"[；;。]", text[item.end :]):
                    out.add(schemes[-1], spec["relation"], item, (lead_start, item.end))


@cache
def _subject_rules() -> tuple[tuple[dict, re.Pattern[str]], ...]:
    """``[[subject_rule]]`` of relations.toml with the clause pattern each one's verbs make."""
    spec = lexicon("relations")
    compiled = []
    for r in spec["subject_rule"]:
        verbs = "|".join(sorted(r["verbs"], key=len, reverse=True))
        objects = "|".join(r["objects"])
        slot = rf"\x00(?:{objects}):\d+\x01"
        # the object ends its clause, or a list of them ends with 等…: in 建立基本医疗保险基金
        # 运行风险预警机制 the fund only qualifies what is set up
        tail = rf"(?=(?:等[^,;]{{0,24}})?(?:{'|'.join(spec['object_tails'])})?(?:[,;]|$))"
        objects_re = rf"({slot}(?:{_LIST_SEP}{slot})*)"
        compiled.append((r, re.compile(rf"(?:{verbs})(?:了)?(?:“[^”\x00]{{1,10}}”)?{objects_re}{tail}")))
    return tuple(compiled)


@cache
def _clause_adverbs() -> re.Pattern[str]:
    """Adverbs and enumerators that may open a clause before its verb (一是, 持续, 还)."""
    adverbs = sorted(lexicon("relations")["clause_adverbs"], key=len, reverse=True)
    return re.compile("(?:" + "|".join(adverbs) + ")*")


@cache
def _subject_opening() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The opening of a sentence that names its subject, and a subject's slot."""
    spec = lexicon("relations")
    slot = rf"\x00(?:{'|'.join(spec['subject_classes'])}):\d+\x01"
    # 成都市武侯区坚持…: places written before the subject are its address, not the subject
    address = r"(?:\x00Region:\d+\x01)*"
    lead = rf"[^\x00]{{0,{spec['subject_lead']}}}?"
    opening = re.compile(rf"{lead}{address}({slot}(?:(?:、|和|与|及){slot})*)(?![的\x00])")
    return opening, re.compile(slot)


def _subject_facts(marked: _Marked, out: _Facts, span: tuple[int, int]) -> None:
    """A sentence's subject does what each of its comma clauses says: 深圳医保局将…,做实做细
    X项目 (the bureau runs X); 罗湖区…,首创Y改革 (the district set Y up). The subject is the
    entity or list that opens the sentence; a clause opening with another actor ends its reach."""
    opening_re, slot = _subject_opening()
    opening = opening_re.match(marked.text)
    if opening is None:
        return
    subjects = [marked.ents[int(i)] for _c, i in _SLOT.findall(opening.group(1))]
    rest = marked.text[opening.end(1) :]
    for n, clause in enumerate(re.split(r"[,;]|:(?!\d+\x01)", rest)):
        body = clause[_clause_adverbs().match(clause).end() :]
        if n and slot.match(body):
            return  # another actor takes over
        for rule, regex in _subject_rules():
            m = regex.match(body)
            if m is None:
                continue
            objects = [marked.ents[int(i)] for _c, i in _SLOT.findall(m.group(1))]
            for s in (s for s in subjects if s.cls in rule["subjects"]):
                for o in objects:
                    pair = (o, s) if rule.get("inverse") else (s, o)
                    out.add(pair[0], rule["relation"], pair[1], span)
