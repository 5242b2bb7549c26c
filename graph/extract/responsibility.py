"""Who leads and who is responsible: 责任单位 lists, 牵头/配合, 由X牵头, 主办/会办.

* ``[责任单位: A、B、C]``: every unit is responsible; when the document says the first is the
  lead (排在第一的责任单位为牵头单位), A is the lead, and a 下同 carries that rule forward to
  every later list. Units in parentheses (各区政府(含新区管委会…)) only explain the one
  before them.
* ``牵头单位: A; 配合单位: B`` and ``(A牵头, B、C配合)``: A leads, B and C assist; all are
  responsible. Several units before 牵头 are joint leads.
* ``由X牵头`` after a 成立/组建 names the lead of what was set up; otherwise of the measure.
* ``A主办, B会办``: the lead and co-organisers of a reply or of the proposal it handles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from graph.document import Fact, Mention
from graph.reference import lexicon


@cache
def _cues() -> dict:
    return lexicon("formal")["responsibility"]


@cache
def _reply_cues() -> dict:
    return lexicon("formal")["reply"]


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass
class Assignment:
    """Units named for one piece of work at one place of the text."""

    start: int
    end: int
    leads: list[Mention] = field(default_factory=list)
    responsible: list[Mention] = field(default_factory=list)
    assisting: list[Mention] = field(default_factory=list)
    subject: Mention | None = None  # set when the text itself names what is led


def _units_in(agencies: list[Mention], start: int, end: int, text: str) -> list[Mention]:
    """Named actors in ``start..end``, outermost only, skipping those in parentheses."""
    out: list[Mention] = []
    depth_at = _paren_depth(text, start, end)
    for a in sorted(agencies, key=lambda a: (a.start, -(a.end - a.start))):
        if not (start <= a.start and a.end <= end) or not a.attrs.get("named", True):
            continue
        if depth_at.get(a.start, 0) > 0:
            continue
        if any(o.start <= a.start and a.end <= o.end for o in out):
            continue
        out.append(a)
    return out


def _paren_depth(text: str, start: int, end: int) -> dict[int, int]:
    depth, out = 0, {}
    for i in range(start, end):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        out[i] = depth
    return out


def find_lists(text: str, agencies: list[Mention]) -> list[Assignment]:
    """Bracketed or labelled responsibility lists and the lead rule that applies to each."""
    cues = _cues()
    out: list[Assignment] = []
    label = _alternation(cues["list_cues"])
    lists = list(re.finditer(rf"(?P<label>{label})\s*:\s*(?P<body>[^\]\n。;]*)", text))
    # the rule stated once for the whole document (a note above or below the task list)
    in_lists = [(m.start(), m.end()) for m in lists]
    first_is_lead = any(
        not any(s <= pos < e for s, e in in_lists)
        for cue in cues["first_is_lead_cues"]
        for pos in (mm.start() for mm in re.finditer(re.escape(cue), text))
    )
    for m in lists:
        body_start, body_end = m.span("body")
        body = m.group("body")
        states_rule = any(c in body for c in cues["first_is_lead_cues"])
        carries = states_rule and any(c in body for c in cues["carry_forward_cues"])
        units = _units_in(agencies, body_start, body_end, text)
        if not units:
            continue
        a = Assignment(start=m.start(), end=body_end)
        kind = m.group("label")
        if kind in cues["lead_list_cues"]:
            a.leads = units
            a.responsible = units
        elif kind in cues["assist_list_cues"]:
            a.assisting = units
            a.responsible = units
        else:
            a.responsible = units
            if states_rule or first_is_lead:
                a.leads = units[:1]
        if carries:
            first_is_lead = True
        out.append(a)
    return out


def find_lead_phrases(text: str, agencies: list[Mention]) -> list[Assignment]:
    """(A牵头, B、C配合), A、B牵头, 由A牵头, A、B等按职责分工负责 and (A负责)."""
    cues = _cues()
    out: list[Assignment] = []
    lead = _alternation(["牵头"])
    assist = _alternation(cues["assist_verbs"])
    for m in re.finditer(
        rf"(?P<leads>[^,。;:()\[\]]{{2,80}}?)(?:{lead})(?:负责)?(?:[,,]\s*(?P<assist>[^,。;:()\[\]]{{2,80}}?)(?:{assist}))?",
        text,
    ):
        lead_units = _units_in(agencies, m.start("leads"), m.end("leads"), text)
        if not lead_units:
            continue
        # the units must end the segment before 牵头: 由X牵头 / X、Y牵头
        if text[lead_units[-1].end : m.end("leads")].strip():
            continue
        a = Assignment(start=m.start(), end=m.end())
        a.leads = lead_units
        a.responsible = list(lead_units)
        if m.group("assist"):
            helpers = _units_in(agencies, m.start("assist"), m.end("assist"), text)
            a.assisting = helpers
            a.responsible += helpers
        # 成立X, 由Y牵头: Y leads X
        before = text[max(0, m.start() - 60) : m.start("leads")]
        if (
            re.search(r"(?:成立|组建|设立|建立)[^,。]*[,]?\s*$", before)
            and text[m.start("leads") : m.start("leads") + 1] == "由"
        ):
            a.subject = None
            a.leads_established = True  # type: ignore[attr-defined]
        out.append(a)
    duty = _alternation(cues["shared_duty_cues"])
    for m in re.finditer(rf"(?P<units>[^,。;:()\[\]]{{2,120}}?)等?(?:{duty})", text):
        units = _units_in(agencies, m.start("units"), m.end("units"), text)
        # (省卫生健康委负责): one unit alone, when the bracket holds nothing else
        bracketed = text[m.start() - 1 : m.start()] == "(" and text[m.end() : m.end() + 1] == ")"
        if len(units) < (1 if bracketed else 2) or text[units[-1].end : m.end("units")].strip("等 "):
            continue
        if bracketed and text[m.start() : units[0].start].strip():
            continue
        if any(o.start <= m.start("units") < o.end for o in out):
            continue
        out.append(Assignment(start=m.start(), end=m.end(), responsible=units))
    return out


def find_hosts(text: str, agencies: list[Mention]) -> list[Assignment]:
    """A主办, B、C会办 (replies to suggestions and proposal-handling plans)."""
    cues = _reply_cues()
    out: list[Assignment] = []
    verbs = _alternation(cues["lead_cues"] + cues["assist_cues"])
    for m in re.finditer(rf"(?P<units>[^,。;:]{{2,80}}?)(?P<verb>{verbs})", text):
        units = _units_in(agencies, m.start("units"), m.end("units"), text)
        if not units or text[units[-1].end : m.end("units")].strip():
            continue
        a = Assignment(start=m.start(), end=m.end())
        if m.group("verb") in cues["lead_cues"]:
            a.leads = units
        else:
            a.assisting = units
        out.append(a)
    return out


def assignment_facts(subject: Mention, a: Assignment, host: bool = False) -> list[Fact]:
    """Facts for one assignment; ``host`` (主办/会办) gives lead and co-organisers only."""
    facts = []
    for u in a.leads:
        facts.append(Fact(subject, "leadUnit", u, a.start, a.end))
    if not host:
        for u in a.responsible:
            facts.append(Fact(subject, "responsibleUnit", u, a.start, a.end))
    for u in a.assisting:
        facts.append(Fact(subject, "coOrganizer", u, a.start, a.end))
    return facts
