"""Stage 3: entities and relations extracted from one normalised document.

``extract(doc)`` runs the recognisers in order, each adding mentions and facts to the
document: regions and the document's place, agencies, policies, measures, responsibility,
other named entities, and the relations that follow from names and structure (an agency's
jurisdiction, a branch's parent, a region's containing region, where a hospital is).
"""

from __future__ import annotations

import re

from graph.document import Document, Fact, Mention
from graph.extract import measures as measures_mod
from graph.extract import responsibility as resp
from graph.extract.agencies import find_agencies, self_named
from graph.extract.further import contained_facts, further_facts
from graph.extract.named import find_named
from graph.extract.policies import PolicyFinder, bare_title, is_policy_title
from graph.extract.regions import find_listed_divisions, infer_place, region_mention, self_references
from graph.extract.structure import structural_facts
from graph.reference import lexicon

__all__ = ["extract"]


def _genre(doc: Document, main_title: str | None) -> str:
    declared = doc.meta.get("genre")
    if declared:
        return str(declared)
    title = main_title or doc.normalised().text.strip().split("\n", 1)[0]
    if any(c in title for c in lexicon("formal")["reply"]["title_cues"]):
        return "reply"
    if is_policy_title(title):
        return "formal-policy"
    return "news"


def extract(doc: Document) -> Document:
    """Fill ``doc.mentions`` and ``doc.facts``; returns the document for chaining."""
    text = doc.normalised().text
    place = infer_place(doc)
    doc.meta["place_region"] = place.region

    agencies, regions = find_agencies(text, place)
    regions = regions + find_listed_divisions(text, place, regions)
    region_mentions = [region_mention(s, e, r) for s, e, _n, r in regions]

    genre = doc.meta.get("genre")
    policies = PolicyFinder(text, place, agencies)
    policies.find_main(doc.meta.get("title"), genre)
    if not genre:
        genre = _genre(doc, policies.main.canonical if policies.main else None)
        if genre == "news" and policies.main is not None:
            policies.main = None
            policies.mentions.clear()
    doc.meta.setdefault("genre", genre)
    policies.find_citations()
    policies.find_unquoted()
    policies.find_issuers()
    if (signer := policies.signer()) is not None:
        agencies += self_named(text, signer)  # 由我委主办: the signing body
    policies.find_reported()
    policies.find_bases()

    facts: list[Fact] = list(policies.facts)
    mentions: list[Mention] = [*region_mentions, *agencies, *policies.mentions]

    measure_facts, measure_mentions = _measures(text, agencies, policies, genre)
    facts += measure_facts
    mentions += measure_mentions

    taken = [
        (m.start, m.end)
        for m in mentions
        if m.cls in {"Agency", "Policy"} and m.attrs.get("named", True)
    ]
    named = find_named(text, place, taken)
    mentions += named

    facts += structural_facts(text, place, mentions)
    selves = self_references(text, place)
    further, delimited = further_facts(text, mentions + selves)
    facts += further
    used = {id(f.subject) for f in further} | {id(f.object) for f in further}
    mentions += delimited + [m for m in selves if id(m) in used]
    inner_facts, inner_mentions = contained_facts(text, mentions)
    facts += inner_facts
    mentions += inner_mentions
    doc.mentions = mentions
    doc.facts = facts
    return doc


def _measures(
    text: str, agencies: list[Mention], policies: PolicyFinder, genre: str
) -> tuple[list[Fact], list[Mention]]:
    """Measures with their partOf and responsibility facts."""
    headings = measures_mod.find_headings(text)
    actors = [a for a in agencies if a.attrs.get("named", True)]
    lists = resp.find_lists(text, actors)
    phrases = resp.find_lead_phrases(text, actors)
    hosts = resp.find_hosts(text, actors)
    assigned_ranks = set()
    for a in lists:
        h = measures_mod.heading_at(headings, a.start)
        if h is not None and h.name:
            assigned_ranks.add(h.rank)
    owner = policies.content_owner or (policies.reported[0] if len(policies.reported) == 1 else None)
    facts: list[Fact] = []
    mentions: list[Mention] = []
    is_regulation = owner is not None and bare_title(owner.canonical).endswith(
        tuple(lexicon("formal")["policy"]["regulation_suffixes"])
    )
    chosen = (
        measures_mod.measure_headings(headings, assigned_ranks)
        if owner is not None and not is_regulation
        else []
    )
    if not is_regulation and not chosen and (owner is not None or policies.reported):
        chosen = measures_mod.find_lead_sentences(text)
        if owner is None and chosen:
            # a news text reporting several policies: the tasks belong to the one reported last
            # before them
            before = [p for p in policies.reported if p.start < chosen[0].start]
            owner = before[-1] if before else None
            chosen = chosen if owner is not None else []
    by_heading = {}
    for h in chosen:
        m = measures_mod.measure_mention(h)
        by_heading[id(h)] = m
        mentions.append(m)
        facts.append(Fact(m, "partOf", owner, h.name_start, h.name_end))
        parent = h.parent
        while parent is not None and id(parent) not in by_heading:
            parent = parent.parent
        if parent is not None:
            facts.append(Fact(m, "withinMeasure", by_heading[id(parent)], h.start, h.name_end))

    def measure_at(pos: int) -> Mention | None:
        best = None
        for h in chosen:
            if h.start <= pos < h.body_end and (best is None or h.rank > best[0].rank):
                best = (h, by_heading[id(h)])
        return best[1] if best else None

    for a in lists + phrases:
        subject = measure_at(a.start)
        if getattr(a, "leads_established", False):
            continue
        if subject is not None:
            facts += resp.assignment_facts(subject, a)
    if hosts:
        subject = policies.main if genre == "reply" else None
        if subject is None:
            subject = _proposal(text, hosts[0].start, mentions)
            if subject is not None and owner is not None:
                facts.append(Fact(subject, "partOf", owner, subject.start, subject.end))
        if subject is not None:
            for a in hosts:
                facts += resp.assignment_facts(subject, a, host=True)
    return facts, mentions


def _proposal(text: str, pos: int, mentions: list[Mention]) -> Mention | None:
    """The proposal or suggestion 《…》 that a handling plan's 主办/会办 refer to."""
    window_start = max(0, pos - 200)
    found = None
    for m in re.finditer(r"《([^《》\n]{4,60})》(?:的)?(?:提案|建议)", text[window_start:pos]):
        found = m
    if found is None:
        return None
    start = window_start + found.start(1)
    end = window_start + found.end(1)
    proposal = Mention(
        cls="Measure", start=start, end=end, canonical=found.group(1), attrs={"proposal": True}
    )
    mentions.append(proposal)
    return proposal
