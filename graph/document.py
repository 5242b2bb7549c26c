"""The objects that flow through the pipeline (spaCy's ``Doc`` idea).

A ``Document`` is read (stage 1), normalised (stage 2), gets ``Mention``s and ``Fact``s from
extraction (stage 3), and ``Entity``s from resolution (stage 4); ``write`` turns it into RDF.
Mentions and facts carry spans in the *normalised* text; ``Document.evidence`` maps them to
the original text, which is what the graph quotes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.normalise import NormalisedText, normalise


@dataclass
class Mention:
    """One occurrence of a named thing, as the extractor understood it.

    ``canonical`` is the full name in simplified Chinese (place-resolved: 市医保局 in a
    Shenzhen document is 深圳市医疗保障局); ``aliases`` are other names the extractor knows
    for it (the bare title of a policy, the inner title of a 印发 notice).
    """

    cls: str
    start: int
    end: int
    canonical: str
    aliases: set[str] = field(default_factory=set)
    attrs: dict[str, Any] = field(default_factory=dict)
    key: str = ""  # set by resolve: the entity this mention belongs to

    def __hash__(self) -> int:
        return id(self)


@dataclass
class Fact:
    """A relation between two mentions, with the normalised span that states it."""

    subject: Mention
    relation: str
    object: Mention
    start: int
    end: int


@dataclass
class Entity:
    """One node of the graph as resolved within a document."""

    key: str
    cls: str
    canonical: str
    names: dict[str, str] = field(default_factory=dict)  # surface name -> language tag
    attrs: dict[str, Any] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Document:
    """A source document and everything the pipeline learns about it."""

    doc_id: str
    text: str
    path: Path | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    norm: NormalisedText | None = None
    mentions: list[Mention] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def normalised(self) -> NormalisedText:
        if self.norm is None:
            self.norm = normalise(self.text)
        return self.norm

    def evidence(self, start: int, end: int) -> tuple[int, int, str]:
        """Original ``(start, end, quote)`` for a span of the normalised text."""
        norm = self.normalised()
        o_start, o_end = norm.original_span(start, end)
        return o_start, o_end, self.text[o_start:o_end]

    def surface(self, mention: Mention) -> str:
        """The mention as the document wrote it (original script)."""
        return self.evidence(mention.start, mention.end)[2]
