"""Relations that follow from names and from the gazetteer rather than from cue words.

* ``jurisdiction``: a local agency governs the region in its name (or the region its level
  character stands for: 市卫生健康委 in a Shenzhen text governs 深圳市).
* ``subOrganizationOf``: a branch, an internal division or an office belongs to its parent.
* ``partOf`` between regions: a region mentioned with its containing region, when either lies
  on the document's own place (so a list of other provinces' cities adds nothing).
* ``locatedIn``: a hospital, facility or organisation lies in the region its name starts
  with, else (hospitals and facilities) in the document's city.
* ``administers``: a facility named after its owner (北大深圳医院技能培训中心).
"""

from __future__ import annotations

from graph.document import Fact, Mention
from graph.extract.regions import Place, region_mention
from graph.reference import Region, gazetteer, lexicon

LOCATED = {"Hospital", "Facility", "Organization"}


def _on_place(region: Region, place: Place) -> bool:
    gaz = gazetteer()
    if place.region is None:
        return False
    return gaz.contains(place.region, region) or gaz.contains(region, place.region)


def structural_facts(text: str, place: Place, mentions: list[Mention]) -> list[Fact]:
    gaz = gazetteer()
    facts: list[Fact] = []
    implicit: list[Mention] = []
    regions = [m for m in mentions if m.cls == "Region"]
    region_keys = {m.attrs["region"].key: m for m in regions}

    def region_node(region: Region, at: Mention) -> Mention:
        if region.key in region_keys:
            return region_keys[region.key]
        node = region_mention(at.start, at.end, region, named=False)
        implicit.append(node)
        region_keys[region.key] = node
        return node

    for m in mentions:
        if m.cls in {"Agency", "Organization"} and not m.attrs.get("national"):
            region = m.attrs.get("jurisdiction_region", m.attrs.get("region"))
            if (
                m.cls == "Agency"
                and isinstance(region, Region)
                and not m.attrs.get("collective_no_jurisdiction")
            ):
                facts.append(Fact(m, "jurisdiction", region_node(region, m), m.start, m.end))
            if m.cls == "Organization" and isinstance(region, Region) and region.level != "country":
                facts.append(Fact(m, "locatedIn", region_node(region, m), m.start, m.end))
        parent = m.attrs.get("parent_mention")
        if isinstance(parent, Mention) and parent.cls == "Agency" and m.cls == "Agency":
            facts.append(Fact(m, "subOrganizationOf", parent, m.start, m.end))
        owner = m.attrs.get("owner_of")
        if (
            isinstance(owner, Mention)
            and m.cls in {"Hospital", "Organization", "Agency"}
            and owner.cls == "Facility"
        ):
            facts.append(Fact(m, "administers", owner, owner.start, owner.end))

    # where named institutions are; a platform or information system is nowhere in particular
    virtual = tuple(lexicon("named")["virtual_heads"])
    owned = {id(m.attrs["owner_of"]) for m in mentions if isinstance(m.attrs.get("owner_of"), Mention)}
    for m in mentions:
        if m.cls not in LOCATED or "region" in m.attrs:
            continue
        if id(m) in owned:
            continue
        inside = [r for r in regions if m.start <= r.start and r.end <= m.end]
        if inside:
            region = inside[-1].attrs["region"]
            facts.append(Fact(m, "locatedIn", region_node(region, m), m.start, m.end))
        elif (
            m.cls in {"Hospital", "Facility"}
            and not m.canonical.endswith(virtual)
            and (home := place.county or place.city) is not None
        ):
            facts.append(Fact(m, "locatedIn", region_node(home, m), m.start, m.end))
    for m in mentions:
        if m.cls in LOCATED - {"Organization"} and isinstance(m.attrs.get("region"), Region):
            facts.append(Fact(m, "locatedIn", region_node(m.attrs["region"], m), m.start, m.end))

    # regions within regions, and members of economic regions (深圳市 in 粤港澳大湾区)
    seen = set()
    economic = [m for m in regions if m.attrs["region"].level == "economic-region"]
    for m in regions:
        region = m.attrs["region"]
        for e in economic:
            pair = (region.key, e.attrs["region"].key)
            if region.name in e.attrs["region"].members and _on_place(region, place) and pair not in seen:
                seen.add(pair)
                facts.append(Fact(m, "partOf", e, m.start, m.end))
        parent = gaz.parent(region)
        while parent is not None and parent.level != "country":
            if parent.key in region_keys and (
                _on_place(region, place) or region.level == "economic-region"
            ):
                pair = (region.key, parent.key)
                if pair not in seen:
                    seen.add(pair)
                    facts.append(Fact(m, "partOf", region_keys[parent.key], m.start, m.end))
                break
            parent = gaz.parent(parent)
    mentions.extend(implicit)
    return facts
