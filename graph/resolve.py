"""Stage 4: mentions resolved to entities, with canonical names and deterministic IRIs.

Every mention already carries a canonical name built with the document's place (the
extractors ask the reference data). Here mentions with the same class and canonical name
become one entity; its names are the canonical name (``skos:prefLabel``, simplified) and
every other form the document used (``skos:altLabel``, tagged ``zh-Hant`` when written in
traditional characters). The IRI is a hash of class and canonical name, so the same entity
gets the same node in every document and in every rebuild.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from graph.document import Document, Entity, Mention
from graph.normalise import fold, to_simplified
from graph.reference import gazetteer

_KEY_STRIP = re.compile(r"[\s“”\"'‘’《》〈〉「」『』<>]+")
_DISPLAY_STRIP = re.compile(r"[\s《》〈〉<>]+")


def clean_name(name: str) -> str:
    """A name as compared: NFKC, simplified script, no quotes, book-title marks or spaces."""
    return _KEY_STRIP.sub("", fold(name))


def display_name(name: str) -> str:
    """A name as stored: NFKC and simplified, quotes kept, book-title marks and spaces dropped."""
    return _DISPLAY_STRIP.sub("", fold(name))


def entity_key(cls: str, canonical: str) -> str:
    """Deterministic id of an entity: class plus a hash of its canonical name."""
    digest = hashlib.sha1(f"{cls}|{clean_name(canonical)}".encode()).hexdigest()[:16]
    return f"{cls}/{digest}"


def script_of(name: str) -> str:
    """``zh-Hant`` when OpenCC would change the name, else ``zh-Hans``."""
    nfkc = unicodedata.normalize("NFKC", name)
    return "zh-Hant" if to_simplified(nfkc) != nfkc else "zh-Hans"


def resolve(doc: Document) -> Document:
    """Group ``doc.mentions`` into ``doc.entities`` and set each mention's ``key``."""
    _unify_short_names(doc.mentions)
    entities: dict[str, Entity] = {}
    # An implied mention (the 人民政府 behind 市政府办公室) only joins an entity the document
    # names; on its own it would add a node no sentence states.
    named_keys = {
        entity_key(m.cls, display_name(m.canonical)) for m in doc.mentions if m.attrs.get("named", True)
    }
    for m in doc.mentions:
        canonical = display_name(m.canonical)
        if not clean_name(canonical):
            continue
        key = entity_key(m.cls, canonical)
        if key not in named_keys:
            continue
        m.key = key
        ent = entities.get(key)
        if ent is None:
            ent = entities[key] = Entity(key=key, cls=m.cls, canonical=canonical)
        ent.mentions.append(m)
        names = set(m.aliases)
        if m.attrs.get("named", True) and m.attrs.get("surface_is_name", True):
            names.add(doc.surface(m))
        for name in names:
            _add_name(ent, name)
        for attr in ("docNumber", "issueDate", "adminCode", "adminLevel", "sequence"):
            value = m.attrs.get(attr)
            if value and attr not in ent.attrs:
                ent.attrs[attr] = value
    doc.entities = entities
    return doc


def _add_name(ent: Entity, name: str) -> None:
    """Record a written form (original script) and its simplified form as names."""
    written = _DISPLAY_STRIP.sub("", unicodedata.normalize("NFKC", name))
    if not clean_name(written):
        return
    simplified = display_name(written)
    known = {clean_name(ent.canonical)} | {
        clean_name(n) for n, lang in ent.names.items() if lang == "zh-Hans"
    }
    if clean_name(simplified) not in known:
        ent.names[simplified] = "zh-Hans"
    if written != simplified and written not in ent.names:
        ent.names[written] = script_of(written)


_SHORTENED = {"Policy", "Programme", "Organization", "Facility", "Hospital", "Fund"}


def _is_place(prefix: str) -> bool:
    gaz = gazetteer()
    return prefix in gaz.by_name or prefix in gaz.by_short


def _unify_short_names(mentions: list[Mention]) -> None:
    """Within one document, a name written without its issuer or place (《关于…的实施意见》
    after 菏泽市人民政府办公室关于…的实施意见, 中医药学科联盟 after 福田区中医药学科联盟)
    names the same entity as the full form the document also uses."""
    full: dict[tuple[str, str], str] = {}
    for m in mentions:
        if m.cls not in _SHORTENED or not m.attrs.get("named", True):
            continue
        name = clean_name(m.canonical)
        i = name.find("关于")
        if m.cls == "Policy" and i > 0:
            full.setdefault((m.cls, name[i:]), m.canonical)
        for cut in range(2, min(len(name) - 2, 12)):
            if _is_place(name[:cut]):
                full.setdefault((m.cls, name[cut:]), m.canonical)
    for m in mentions:
        target = full.get((m.cls, clean_name(m.canonical)))
        if target and target != m.canonical:
            m.aliases.add(m.canonical)
            m.canonical = target
    _unify_abridged(mentions)


def _is_abridged(short: str, full: str) -> bool:
    """国有公共物业集约利用改革 of 国有公共物业集约节约高效利用改革: words left out inside a long
    name, its opening and its head kept. A name found whole inside another (…改革 in …改革2.0
    版本) is not abridged but a part or an edition, another entity."""
    if len(short) < 8 or short in full or short[:4] != full[:4] or short[-2:] != full[-2:]:
        return False
    rest = iter(full)
    return all(c in rest for c in short)


def _unify_abridged(mentions: list[Mention]) -> None:
    """Programme names of one document that are one scheme: an abridged form and its full
    form, and a case title a cue rule delimited (“深圳罗湖推进…改革促进资源优化配置”入选) with
    the scheme named inside it. Each group takes its longest name."""
    programmes = [m for m in mentions if m.cls == "Programme" and m.attrs.get("named", True)]
    parent = {id(m): m for m in programmes}

    def root(m: Mention) -> Mention:
        while parent[id(m)] is not m:
            m = parent[id(m)]
        return m

    for a in programmes:
        for b in programmes:
            inside = b.attrs.get("delimited_by_cue") and b.start <= a.start and a.end <= b.end
            if a is not b and (inside or _is_abridged(clean_name(a.canonical), clean_name(b.canonical))):
                parent[id(root(a))] = root(b)
    groups: dict[int, list[Mention]] = {}
    for m in programmes:
        groups.setdefault(id(root(m)), []).append(m)
    for group in groups.values():
        name = max((m.canonical for m in group), key=lambda n: len(clean_name(n)))
        for m in group:
            if m.canonical != name:
                m.aliases.add(m.canonical)
                m.canonical = name
