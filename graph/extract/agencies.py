"""Agency mentions, recognised by the naming system of Chinese state and party bodies.

A local body's name is a place followed by a standard body name (深圳市 + 卫生健康委员会),
written in full or abbreviated, with the place given in full (深圳市医保局), short (深圳医保局),
as a level character standing for the document's place (市医保局, 我市医保局), or for party
organs with 中共 in front (中共深圳市委组织部). A branch adds a district and 分局
(市医保局福田分局); an internal division adds a unit name (市卫生健康委医政医管处). National
bodies and their official abbreviations come from a table. Which body names exist, how they
abbreviate and how their canonical names are built is data (``data/reference``); this module
only knows the grammar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from graph.document import Mention
from graph.extract.lexmatch import Lexicon, is_common_word, trie_regex
from graph.extract.regions import Place, find_regions
from graph.reference import (
    BodyType,
    NationalBody,
    Region,
    gazetteer,
    internal_unit_names,
    lexicon,
    local_bodies,
    national_bodies,
)

LEVEL_CHARS = "省市区县州旗"
# Characters after which a level character (市, 区 …) starts a new name rather than ending a
# word (城市, 社区): punctuation, digits and the function words that precede agency names.
_BOUNDARY_BEFORE = set("我本由和与及同经请对在向将被为从据等的是了含、,;:()[]【】“”\"'《》 \n\t。!?") | set(
    "0123456789"
)
# Party and CPPCC names may carry their organisation in front of the place.
_PREFIXES = {"party": ("中共",), "cppcc": ("中国人民政治协商会议", "政协")}


@dataclass
class BodyForm:
    """One written form of a local body name and the body it stands for."""

    body: BodyType
    abbreviated: bool


@cache
def _body_lexicon() -> Lexicon:
    entries: dict[str, BodyForm] = {}
    for body in local_bodies():
        entries.setdefault(body.name, BodyForm(body, False))
        for abbr in body.abbreviations:
            entries.setdefault(abbr, BodyForm(body, True))
    return Lexicon(entries)


@cache
def _national_lexicon() -> Lexicon:
    entries: dict[str, NationalBody] = {}
    for body in national_bodies():
        entries.setdefault(body.name, body)
        for alias in body.aliases:
            entries.setdefault(alias, body)
    return Lexicon(entries)


@cache
def _national_by_name() -> dict[str, NationalBody]:
    return {b.name: b for b in national_bodies()}


@cache
def _unit_regex() -> re.Pattern[str]:
    names = internal_unit_names()
    return re.compile("(" + trie_regex(names) + r"|[\u4e00-\u9fff]{2,8}?处(?![理置罚于分长]))")


@cache
def _session_regex() -> re.Pattern[str]:
    return re.compile(r"第[一二三四五六七八九十]+届")


def _level_for(body: BodyType, region: Region) -> bool:
    """Whether a body name is used at this region's level (财政厅 is provincial)."""
    level = region.level
    if region.name in {"北京市", "天津市", "上海市", "重庆市"}:
        return bool({"province", "city"} & set(body.levels))
    return level in body.levels


def _short(region: Region) -> str:
    return region.short[0] if region.short else region.name


def _place_prefix(region: Region) -> str:
    """The place part of a canonical name: 深圳市, or 深圳市福田区 for a district of a city."""
    gaz = gazetteer()
    if region.level == "county":
        parent = gaz.parent(region)
        if parent is not None and parent.level in {"city", "province"} and parent.name != region.name:
            return parent.name + region.name
    return region.name


def local_canonical(body: BodyType, region: Region) -> str:
    """Full canonical name of a local body of ``region``: 深圳市 + 卫生健康委员会."""
    return body.full_name(place=_place_prefix(region), short=_short(region))


class AgencyFinder:
    """Finds agency mentions in one document's normalised text."""

    def __init__(self, text: str, place: Place) -> None:
        self.text = text
        self.place = place
        self.mentions: list[Mention] = []
        self.regions = find_regions(text, place)
        self.region_at = {s: (e, n, r) for s, e, n, r in self.regions}
        self._taken: list[tuple[int, int]] = []

    # ------------------------------------------------------------------ helpers

    def _free(self, start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in self._taken)

    def _add(self, mention: Mention) -> Mention:
        self.mentions.append(mention)
        return mention

    def _agency(self, start: int, end: int, canonical: str, aliases: set[str], **attrs) -> Mention:
        cls = attrs.pop("cls", "Agency")
        return self._add(
            Mention(cls=cls, start=start, end=end, canonical=canonical, aliases=aliases, attrs=attrs)
        )

    # ------------------------------------------------------------------ passes

    def run(self) -> list[Mention]:
        self._collectives()
        self._local()
        self._national()
        self._management_committees()
        self._subject_short_forms()
        return self.mentions

    def _national(self) -> None:
        for start, end, name, body in _national_lexicon().finditer(self.text):
            if not self._free(start, end):
                continue
            # 国务院办公厅 is taken whole; a bare alias must not be the tail of a longer word
            m = self._agency(start, end, body.name, {name}, cls=body.cls, national=True, kind=body.kind)
            self._taken.append((start, end))
            parent = _national_by_name().get(body.parent) if body.parent else None
            if parent is not None:
                m.attrs["parent_mention"] = Mention(
                    cls=parent.cls,
                    start=start,
                    end=end,
                    canonical=parent.name,
                    attrs={"named": False, "national": True},
                )
                self._add(m.attrs["parent_mention"])

    def _local(self) -> None:
        text = self.text
        body_lex = _body_lexicon()
        pos = 0
        while pos < len(text):
            hit = self._local_at(pos, body_lex)
            if hit is None:
                pos += 1
                continue
            pos = hit

    def _place_at(self, pos: int) -> tuple[int, Region | None, bool, str] | None:
        """A place reference starting at ``pos``: ``(end, region, explicit, level_char)``.

        Explicit places are region names (a chain such as 重庆市北碚区 gives the innermost);
        implicit ones are a level character (市) or 我市/本市 meaning the document's place.
        """
        text = self.text
        if pos in self.region_at:
            end, _name, region = self.region_at[pos]
            while end in self.region_at:
                nxt_end, _n2, nxt = self.region_at[end]
                if gazetteer().contains(region, nxt):
                    end, region = nxt_end, nxt
                else:
                    break
            return end, region, True, ""
        start = pos
        if text.startswith(("我", "本"), pos) and pos + 1 < len(text) and text[pos + 1] in LEVEL_CHARS:
            pos += 1
        elif not (
            pos == 0
            or text[pos - 1] in _BOUNDARY_BEFORE
            or any(e == pos for _s, e in self._taken)
            or not _is_word(text[pos - 1 : pos + 1])
        ):
            return None
        if pos < len(text) and text[pos] in LEVEL_CHARS:
            region = self.place.at_level(text[pos])
            return pos + 1, region, False, text[start : pos + 1]
        return None

    def _local_at(self, pos: int, body_lex: Lexicon) -> int | None:
        text = self.text
        prefix_kind = None
        p = pos
        for kind, prefixes in _PREFIXES.items():
            for prefix in prefixes:
                if text.startswith(prefix, pos):
                    prefix_kind, p = kind, pos + len(prefix)
                    break
            if prefix_kind:
                break
        place = self._place_at(p)
        if place is None:
            return None
        p_end, region, explicit, _level = place
        session = _session_regex().match(text, p_end)
        b_pos = session.end() if session else p_end
        hit = body_lex.match_at(text, b_pos)
        if hit is None or region is None:
            return None
        b_end, written, form = hit
        body = form.body
        if body.not_before and text[b_end : b_end + 1] and text[b_end] in body.not_before:
            return None
        if prefix_kind and body.kind != prefix_kind:
            # 政协丽水市委员会: the prefix decides which body a shared word names
            body = next(
                (
                    b
                    for b in local_bodies()
                    if b.kind == prefix_kind and written in (b.name, *b.abbreviations)
                ),
                body,
            )
        if not _level_for(body, region):
            return None
        if prefix_kind == "cppcc" and body.kind == "cppcc" and text.startswith("委员会", b_end):
            b_end += len("委员会")
        if not self._free(pos, b_end):
            return None
        canonical = local_canonical(body, region)
        surface = text[pos:b_end]
        aliases = {surface}
        if session:
            aliases.add(text[pos:p_end] + text[b_pos:b_end])
        if explicit and region.level == "county":
            aliases.add(region.name + body.name)
        mention = self._agency(
            pos,
            b_end,
            canonical,
            aliases,
            cls=body.cls,
            body=body,
            region=region,
            explicit_place=explicit,
        )
        self._taken.append((pos, b_end))
        self._parent_body(mention, body, region)
        end = self._branch_or_unit(mention, body, region, b_end)
        return end

    def _parent_body(self, mention: Mention, body: BodyType, region: Region) -> None:
        if not body.parent:
            return
        parent = next((b for b in local_bodies() if b.name == body.parent), None)
        if parent is None:
            return
        mention.attrs["parent_mention"] = self._agency(
            mention.start,
            mention.end,
            local_canonical(parent, region),
            set(),
            cls=parent.cls,
            body=parent,
            region=region,
            named=False,
        )

    def _branch_or_unit(self, parent: Mention, body: BodyType, region: Region, pos: int) -> int:
        """分局 of a district, or an internal division, following a body name."""
        text = self.text
        district_at = self.region_at.get(pos) or _district_before_branch(text, pos, region)
        if district_at is not None:
            d_end, _d_name, district = district_at
            if text.startswith("分局", d_end) and gazetteer().contains(region, district):
                end = d_end + 2
                canonical = parent.canonical + _short(district) + "分局"
                branch = self._agency(
                    parent.start,
                    end,
                    canonical,
                    {text[parent.start : end]},
                    body=body,
                    region=district,
                    branch_of=parent,
                )
                branch.attrs["parent_mention"] = parent
                self._taken.append((parent.start, end))
                return end
        m = _unit_regex().match(text, pos)
        if m:
            end = m.end()
            unit = text[pos:end]
            canonical = parent.canonical + unit
            sub = self._agency(
                parent.start,
                end,
                canonical,
                {text[parent.start : end]},
                body=body,
                region=region,
                unit=unit,
            )
            sub.attrs["parent_mention"] = parent
            self._taken.append((parent.start, end))
            return end
        return pos

    def _collectives(self) -> None:
        for spec in lexicon("agencies")["collectives"]:
            for m in re.finditer(spec["pattern"], self.text):
                start, end = m.span()
                if not self._free(start, end):
                    continue
                level = m.group("level") if "level" in m.groupdict() else ""
                region = self.place.at_level(level[0]) if level else self.place.region
                if region is None:
                    region = self.place.region
                surface = m.group(0)
                expanded = re.sub(r"(?<!人民)政府", "人民政府", surface)
                aliases = {surface, expanded}
                canonical = expanded
                if region is not None:
                    bare = [_drop_level(surface), _drop_level(expanded)]
                    canonical = _place_prefix(region) + bare[1]
                    aliases.update(region.name + b for b in bare)
                # 各区政府 are the districts' governments, each governing its own district: the
                # collective has no one jurisdiction (市政府直属各单位 serve the city)
                mention = self._agency(
                    start,
                    end,
                    canonical,
                    aliases,
                    collective=True,
                    region=region,
                    collective_no_jurisdiction=surface.startswith("各"),
                )
                self._taken.append((start, end))
                parent_body = spec.get("parent")
                if parent_body and region is not None:
                    body = next((b for b in local_bodies() if b.name == parent_body), None)
                    if body is not None:
                        mention.attrs["parent_mention"] = self._agency(
                            start,
                            end,
                            local_canonical(body, region),
                            set(),
                            body=body,
                            region=region,
                            named=False,
                        )

    def _management_committees(self) -> None:
        """X管委会: X is a region name ending just before, or a bare zone word (新区管委会)."""
        spec = lexicon("agencies")["management_committee"]
        ends = {e: (s, r) for s, e, _n, r in self.regions}
        for m in re.finditer("|".join(spec["suffixes"]), self.text):
            start, end = m.span()
            region = None
            if start in ends:
                zone_start, region = ends[start]
                zone = region.name
            else:
                zone = next((z for z in spec["zones"] if self.text.startswith(z, start - len(z))), None)
                if zone is None:
                    continue
                zone_start = start - len(zone)
                if zone_start > 0 and self.text[zone_start - 1] not in _BOUNDARY_BEFORE:
                    continue
            if not self._free(zone_start, end):
                continue
            mention = self._agency(
                zone_start,
                end,
                zone + "管理委员会",
                {self.text[zone_start:end], zone + "管委会"},
                region=region,
                committee=True,
            )
            self._taken.append((zone_start, end))
            mention.attrs["jurisdiction_region"] = region

    def _subject_short_forms(self) -> None:
        """菏泽医保推行…: news names a bureau by its place and field alone when it is the subject
        of a verb (agencies.toml subject_short_forms); elsewhere 深圳医保 may be the scheme."""
        spec = lexicon("agencies")["subject_short_forms"]
        bodies = {b.name: b for b in local_bodies()}
        verbs = "|".join(sorted(spec["verbs"], key=len, reverse=True))
        for start, end, _name, region in self.regions:
            if start > 0 and self.text[start - 1] not in _BOUNDARY_BEFORE:
                continue
            for short, body_name in spec["forms"].items():
                body = bodies[body_name]
                if not self.text.startswith(short, end) or not _level_for(body, region):
                    continue
                b_end = end + len(short)
                if not re.match(verbs, self.text[b_end:]) or not self._free(start, b_end):
                    continue
                surface = self.text[start:b_end]
                self._agency(start, b_end, local_canonical(body, region), {surface}, body=body, region=region)
                self._taken.append((start, b_end))


def _district_before_branch(text: str, pos: int, region: Region) -> tuple[int, str, Region] | None:
    """南山分局 after a city body: a district of that city named (even by an ambiguous short
    form, 南山 or 光明) right before 分局."""
    for child in _children(region.key):
        for name in (child.name, *child.short):
            if text.startswith(name + "分局", pos):
                return pos + len(name), name, child
    return None


@cache
def _children(key: str) -> tuple[Region, ...]:
    return tuple(r for r in gazetteer().by_key.values() if r.parent == key)


def _is_word(pair: str) -> bool:
    """Whether a character and a following level character make a word (城市, 社区, 地区):
    then the level character does not start an agency name (围绕市委 does: 绕市 is no word)."""
    return is_common_word(pair)


def _drop_level(name: str) -> str:
    """市政府直属各单位 -> 政府直属各单位: the level character stands for the place."""
    return name[1:] if name[0] in LEVEL_CHARS else name


def self_named(text: str, signer: Mention) -> list[Mention]:
    """该建议由我委主办, 我委会同市民政局印发…: in a document a body signs, 我委/我局 is that
    body (agencies.toml self_reference: the word and the endings of the body's name it fits)."""
    out = []
    for word, endings in lexicon("agencies")["self_reference"].items():
        if not signer.canonical.endswith(tuple(endings)):
            continue
        for m in re.finditer(word, text):
            attrs = {k: v for k, v in signer.attrs.items() if k != "parent_mention"}
            attrs["surface_is_name"] = False
            out.append(Mention("Agency", m.start(), m.end(), signer.canonical, set(), attrs))
    return out


def find_agencies(text: str, place: Place) -> tuple[list[Mention], list[tuple[int, int, str, Region]]]:
    """Agency mentions of a text, and the region names found on the way."""
    finder = AgencyFinder(text, place)
    return finder.run(), finder.regions
