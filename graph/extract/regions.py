"""Region mentions and the document's place.

Full division names (广东省, 福田区) and the short forms of provinces and cities (广东, 深圳)
are found anywhere; the short forms of counties and districts (福田, 坪山) only in a document
whose place contains them, because out of context most are ordinary words. A name shared by
several divisions (朝阳区) is taken only when the document's place decides which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from graph.document import Document, Mention
from graph.extract.lexmatch import Lexicon
from graph.reference import Region, gazetteer, lexicon


@dataclass
class Place:
    """Where a document speaks from: its innermost region and the levels above it."""

    region: Region | None
    province: Region | None
    city: Region | None
    county: Region | None

    def at_level(self, level_char: str) -> Region | None:
        """The region meant by a level character: 市 -> the city, 省 -> the province."""
        if level_char in {"省", "自治区"}:
            return self.province
        if level_char in {"市", "州", "盟"}:
            return self.city
        if level_char in {"区", "县", "旗"}:
            return self.county
        return None


@cache
def _global_lexicon() -> Lexicon:
    gaz = gazetteer()
    stop = set(lexicon("regions").get("ambiguous_short_forms", []))
    entries: dict[str, list[Region]] = {}
    for name, regions in gaz.by_name.items():
        entries.setdefault(name, []).extend(regions)
    for short, regions in gaz.by_short.items():
        wanted = [r for r in regions if r.level in {"province", "city"}]
        if wanted and short not in stop and short not in entries:
            entries[short] = wanted
    return Lexicon(entries)


def _county_lexicon(place: Place) -> Lexicon | None:
    """Short forms of the counties of the document's city (福田 in a Shenzhen text)."""
    gaz = gazetteer()
    city = place.city
    if city is None:
        return None
    stop = set(lexicon("regions").get("ambiguous_short_forms", []))
    entries: dict[str, list[Region]] = {}
    for region in gaz.by_key.values():
        if region.level == "county" and region.parent == city.key:
            for short in region.short:
                if short not in stop and short not in gaz.by_name:
                    entries[short] = [region]
    return Lexicon(entries) if entries else None


def choose(candidates: list[Region], place: Place | None) -> Region | None:
    """One region among homonyms: the one inside the document's place, else the only one."""
    if len(candidates) == 1:
        return candidates[0]
    gaz = gazetteer()
    if place is not None:
        for outer in (place.county, place.city, place.province):
            if outer is None:
                continue
            inside = [r for r in candidates if gaz.contains(outer, r)]
            if len(inside) == 1:
                return inside[0]
    higher = [r for r in candidates if r.level in {"province", "country", "economic-region"}]
    if len(higher) == 1:
        return higher[0]
    return None


def find_regions(text: str, place: Place | None) -> list[tuple[int, int, str, Region]]:
    """Region names in ``text``: ``(start, end, surface, region)``, non-overlapping."""
    found: list[tuple[int, int, str, Region]] = []
    taken: list[tuple[int, int]] = []
    lexicons = [_global_lexicon()]
    if place is not None and (county_lex := _county_lexicon(place)) is not None:
        lexicons.append(county_lex)
    for lex in lexicons:
        for start, end, name, candidates in lex.finditer(text):
            if any(s < end and start < e for s, e in taken):
                continue
            region = choose(candidates, place)
            if region is None:
                # 深圳市南山区: the name just before decides between homonyms
                before = [r for s, e, _n, r in found if e == start]
                inside = [c for c in candidates if before and gazetteer().contains(before[0], c)]
                region = inside[0] if len(inside) == 1 else None
            if region is None:
                continue
            if region.level == "country" and _inside_word(text, start):
                continue  # 健康中国 is a campaign, not the country
            chained = any(e == start for _s, e, _n, _r in found)
            if not chained and _common_word_outside(name, region, place):
                continue
            found.append((start, end, name, region))
            taken.append((start, end))
    found.extend(_county_short_after(text, found, taken))
    found.sort(key=lambda t: t[0])
    return found


def _county_short_after(
    text: str, found: list[tuple[int, int, str, Region]], taken: list[tuple[int, int]]
) -> list[tuple[int, int, str, Region]]:
    """云南安宁, 重庆石柱: a county's short form right after its province or city is the county."""
    gaz = gazetteer()
    out = []
    for _s, end, _n, outer in found:
        if outer.level not in {"province", "city"} or any(s <= end < e for s, e in taken):
            continue
        for county in _counties_in(outer.key):
            hit = next((sh for sh in county.short if text.startswith(sh, end)), None)
            if hit and gaz.contains(outer, county):
                out.append((end, end + len(hit), hit, county))
                taken.append((end, end + len(hit)))
                break
    return out


@cache
def _counties_in(key: str) -> tuple[Region, ...]:
    gaz = gazetteer()
    return tuple(
        r for r in gaz.by_key.values() if r.level == "county" and any(a.key == key for a in gaz.ancestors(r))
    )


def _inside_word(text: str, start: int) -> bool:
    """Whether a name at ``start`` continues a word (健康|中国) rather than starting one."""
    if start == 0:
        return False
    prev = text[start - 1]
    return "\u4e00" <= prev <= "\u9fff" and prev not in "在我全与对向和是的从为了及将把被让使到至以于"


def _common_word_outside(name: str, region: Region, place: Place | None) -> bool:
    """城区, 老城区, 矿区: a county-level name that is also a common word names that county only
    inside the document's own city."""
    if region.level != "county" or name not in set(lexicon("regions")["common_word_divisions"]):
        return False
    city = place.city if place is not None else None
    return city is None or not gazetteer().contains(city, region)


def region_mention(start: int, end: int, region: Region, named: bool = True) -> Mention:
    """A Region mention carrying its code and level for the writer."""
    gaz = gazetteer()
    parent = gaz.parent(region)
    return Mention(
        cls="Region",
        start=start,
        end=end,
        canonical=region.name,
        aliases=set(region.short[:1]) if named else set(),
        attrs={
            "named": named,
            "region": region,
            "adminCode": region.code,
            "adminLevel": region.level,
            "parent_region": parent,
        },
    )


_CHAIN_GAP = re.compile(r"^\s*$")


def infer_place(doc: Document) -> Place:
    """The document's place: from the manifest, else from the title and the names in the text."""
    gaz = gazetteer()
    text = doc.normalised().text
    declared = doc.meta.get("place")
    region: Region | None = None
    if declared:
        hits = find_regions(str(declared), None)
        if hits:
            region = _innermost_chain(hits)
    if region is None:
        title_end = _title_end(text)
        hits = find_regions(text[:title_end], None)
        if hits:
            region = _innermost_chain(hits)
    if region is None:
        counts: dict[str, int] = {}
        for _s, _e, _n, r in find_regions(text, None):
            if r.level in {"province", "city", "county"}:
                counts[r.key] = counts.get(r.key, 0) + 1
        if counts:
            region = gaz.by_key[max(sorted(counts), key=lambda k: counts[k])]
    return make_place(region)


def make_place(region: Region | None) -> Place:
    gaz = gazetteer()
    if region is None or region.level in {"country", "economic-region"}:
        return Place(region=region, province=None, city=None, county=None)
    return Place(
        region=region,
        province=gaz.province_of(region),
        city=gaz.city_of(region),
        county=gaz.county_of(region),
    )


def _title_end(text: str) -> int:
    """End of the first non-empty line (the title of most documents)."""
    stripped = len(text) - len(text.lstrip())
    nl = text.find("\n", stripped)
    return len(text) if nl < 0 else nl


def _innermost_chain(hits: list[tuple[int, int, str, Region]]) -> Region | None:
    """From names like 深圳市福田区, the innermost region of the first chain."""
    gaz = gazetteer()
    first = hits[0][3]
    best = first
    for _s, _e, _n, r in hits[1:]:
        if gaz.contains(best, r) and r.key != best.key:
            best = r
    if best.level == "country":
        return None
    return best


_LISTED = re.compile(
    r"((?:[\u4e00-\u9fff]{2,4}(?:街道|镇|乡)?、)+[\u4e00-\u9fff]{2,4}(?:街道|镇|乡)?)等\s*(?:\d+|[一二三四五六七八九十]+)\s*个(街道|镇|乡)"
)


def find_listed_divisions(
    text: str, place: Place, regions: list[tuple[int, int, str, Region]]
) -> list[tuple[int, int, str, Region]]:
    """东晓、笋岗、南湖、黄贝等4个街道: streets and townships below county level, which no
    gazetteer lists, named in a counted list; each belongs to the county named last before
    the list (or the document's county)."""
    out = []
    for m in _LISTED.finditer(text):
        kind = m.group(2)
        before = [r for s, e, _n, r in regions if e <= m.start() and r.level == "county"]
        county = before[-1] if before else place.county
        if county is None:
            continue
        parts = m.group(1).split("、")
        # the first item may have swallowed the verb before the list (推动东晓): names in one
        # list are of one length
        if len(parts[0]) > len(parts[1]):
            parts[0] = parts[0][-len(parts[1]) :]
        pos = m.end(1) - len("、".join(parts))
        for part in parts:
            name = part if part.endswith(kind) else part + kind
            street = Region(code="", name=name, level="street", parent=county.key)
            out.append((pos, pos + len(part), part, street))
            pos += len(part) + 1
    return out


def self_references(text: str, place: Place) -> list[Mention]:
    """我市, 本区: the document's own place, as a region the cue rules can relate (此外, 我市还
    推进成立了…联盟). Their nodes are implicit: written only if the place is named."""
    out = []
    for word in lexicon("regions")["self_references"]:
        region = place.at_level(word[-1])
        if region is None:
            continue
        for m in re.finditer(re.escape(word), text):
            mention = region_mention(m.start(), m.end(), region, named=False)
            mention.attrs["self_reference"] = True
            out.append(mention)
    return out
