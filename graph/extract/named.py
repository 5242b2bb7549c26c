"""Named programmes, funds, hospitals, facilities, organisations and groups.

Chinese has no spaces, so a name is found from its end: a head word that ends names of a
class (医院, 基金会, 实验室, 保险, 患者 …, in ``data/lexicon/named.toml``). Its start is found
by walking left over the words of the clause (jieba's segmentation) until a word that cannot
be inside a name (的, 在, 等 …), then dropping introducing verbs (建设, 设立, 推进 …) from the
front. Quoted names (“深圳惠民保”, “三医”协同改革) are programmes when a head word or an
introducing verb says so. Short forms of hospitals (市二院, 港大深圳医院) are expanded with the
document's place and the table of institution short forms.
"""

from __future__ import annotations

import logging
import re
from functools import cache

import jieba
import jieba.posseg as pseg

from graph.document import Mention
from graph.extract.lexmatch import Lexicon, is_common_word, trie_regex
from graph.extract.regions import Place, find_regions
from graph.reference import Region, StandardName, institution_short_forms, lexicon, standard_names

jieba.setLogLevel(logging.WARNING)

_CLAUSE_BREAK = set(",。;:!?、()[]【】“”\"'《》〈〉\n\t 　·-—/|")
_CN_NUM = "一二三四五六七八九十"


@cache
def _lex() -> dict:
    return lexicon("named")


@cache
def _head_regex() -> re.Pattern[str]:
    return re.compile(trie_regex(_lex()["suffixes"].keys()))


@cache
def _stops() -> frozenset[str]:
    return frozenset(_lex()["left_stop_words"])


@cache
def _boundaries() -> frozenset[str]:
    """Words the walk to the left stops at: stop words, introducing verbs, boundary words."""
    lex = _lex()
    return (
        frozenset(lex["left_stop_words"]) | frozenset(lex["introducers"]) | frozenset(lex["left_boundaries"])
    )


@cache
def _hard_boundaries() -> frozenset[str]:
    """Stop and boundary words: unlike introducing verbs they are never walked over."""
    return frozenset(_lex()["left_stop_words"]) | frozenset(_lex()["left_boundaries"])


@cache
def _keep() -> frozenset[str]:
    """Words jieba tags as verbs or adverbs that are common inside names (长期, 基本)."""
    return frozenset(_lex().get("inside_words", []))


@cache
def _generic_regex() -> re.Pattern[str]:
    return re.compile("(?:" + trie_regex(_lex()["generic_modifiers"]) + r"|[、和与及])*")


def is_generic(name: str, head: str, cls: str = "") -> bool:
    """公立医院, 社区婴幼儿照护服务设施: the words before the head are all generic, or the
    whole name is a common word of the language (jieba's dictionary). Names of the classes in
    named.toml's specific_classes are never generic by their modifiers alone: there is one
    社区门诊统筹基金, while there are many 社区医院."""
    modifier = name[: len(name) - len(head)]
    hits = find_regions(modifier, None)
    if hits and hits[0][0] == 0:
        modifier = modifier[hits[0][1] :]  # 黔江区公立医院: a place and generic words
        # 榆中县中医院, 深圳市中医肿瘤中心 are names; 黔江区公立医院 is a place's kind of hospital
        kind = modifier + head
        return bool(modifier) and is_common_word(kind) and kind not in _lex()["level_hospitals"]
    if cls not in _lex()["specific_classes"] and _generic_regex().fullmatch(modifier):
        return True
    return is_common_word(name)


@cache
def _introducers() -> tuple[str, ...]:
    return tuple(sorted(_lex()["introducers"], key=len, reverse=True))


@cache
def _jieba_words() -> None:
    """Teach jieba the words of named.toml it would cut apart (做实做细, 可持续)."""
    for word, tag in _lex()["jieba_words"].items():
        jieba.add_word(word, tag=tag)


def _tokens(segment: str) -> list[tuple[str, str]]:
    """Words of a clause with their part-of-speech tags."""
    _jieba_words()
    return [(w.word, w.flag) for w in pseg.cut(segment, HMM=True)]


def _clause_start(text: str, pos: int, limit: int = 24) -> int:
    start = pos
    while start > 0 and pos - start < limit and text[start - 1] not in _CLAUSE_BREAK:
        start -= 1
    return start


def _min_modifier(head: str) -> int:
    table = _lex()["min_modifier"]
    return int(table.get(head, table["default"]))


def left_extend(text: str, head_start: int, head_end: int, allow_numbers: bool = False) -> int | None:
    """Start of the name ending with the head at ``head_start..head_end``, or None."""
    c_start = _clause_start(text, head_start)
    segment = text[c_start:head_end]
    tagged = _tokens(segment)
    tokens = [w for w, _tag in tagged]
    tags = [tag for _w, tag in tagged]
    # the head must end on a token boundary
    if "".join(tokens) != segment:
        return None
    offsets, pos = [], c_start
    for t in tokens:
        offsets.append(pos)
        pos += len(t)
    # index of the token containing head_start
    idx = max(i for i, o in enumerate(offsets) if o <= head_start)
    if text[offsets[idx] : head_start] in _hard_boundaries():
        return head_start  # 专家|下社康: the head's own word opens with a stop word
    start_idx = idx
    while start_idx > 0:
        tok = tokens[start_idx - 1]
        tag = tags[start_idx - 1]
        if tok == "年" and start_idx >= 2 and re.fullmatch(r"(?:19|20)\d\d", tokens[start_idx - 2]):
            start_idx -= 2  # 深圳市2025年民生实事项目: a year belongs to a programme's name
            continue
        if tok in _keep() and tok not in _hard_boundaries():
            # 深港生物医药创新政策探索区: an introducing verb common inside names does not end
            # one; if it opens the name, it is dropped below
            start_idx -= 1
            continue
        if (allow_numbers and tag == "m") or re.fullmatch(rf"第[\d{_CN_NUM}]+", tok):
            pass  # 3岁以下婴幼儿: an age is part of a group's name; 第一人民医院 an ordinal
        elif (
            tag in _lex()["boundary_tags"]
            and tok not in _keep()
            and (start_idx - 1 < idx - 1 or tag in _lex()["verb_tags"])
        ):
            # a verb or particle ends the name, unless it touches the head and is no plain
            # verb (签署|战略 is a clause, 门诊统筹|基金 a name)
            break
        if tok in _boundaries() or any(tok.endswith(b) and len(b) >= 2 for b in _lex()["left_boundaries"]):
            break
        if not allow_numbers and re.fullmatch(r"[\d.%~]+|[" + _CN_NUM + "]+", tok):
            break
        if re.fullmatch(r"[\d.]+[万亿千百]?[个名家项类种批所座]|\d+", tok) and not allow_numbers:
            break
        counted = start_idx >= 2 and tags[start_idx - 2] == "m"
        if counted and re.fullmatch(r"[万亿千百]?[个名家项类种批所座位]", tok):
            break  # 97.7|万名|高血压: a count's measure word
        start_idx -= 1
    start = offsets[start_idx]
    # 8项健康行动计划, 2025年民生实事项目: the measure word after a number is not in the name
    after_number = start > c_start and re.match(rf"[\d{_CN_NUM}]", text[start - 1])
    if after_number and text[start] in _lex()["classifiers"]:
        start += 1
    # drop introducing verbs and stop words at the front
    changed = True
    while changed and start < head_start:
        changed = False
        for word in _introducers():
            if text.startswith(word, start) and start + len(word) <= head_start:
                start += len(word)
                changed = True
                break
        for word in sorted(_stops(), key=len, reverse=True):
            if text.startswith(word, start) and start + len(word) <= head_start:
                start += len(word)
                changed = True
                break
    return start


def _expand_place(name: str, place: Place) -> str:
    """云南安宁第一人民医院 -> 安宁市第一人民医院: a name opening with places, the innermost
    written short, is named after the innermost place in full."""
    hits = find_regions(name, place)
    end, innermost, written = 0, None, ""
    for start, h_end, w, region in hits:
        if start != end:
            break
        end, innermost, written = h_end, region, w
    if innermost is None or written == innermost.name or end >= len(name):
        return name
    rest = name[end:]
    if any(h in rest for h, c in _lex()["suffixes"].items() if c == "Organization"):
        # 香港中文大学 is the university's own name; in 广州中医药大学深圳医院 the place names the
        # university, not the hospital
        return name
    return innermost.name + name[end:]


def _campus_end(text: str, end: int) -> int:
    """香港中文大学(深圳), 中山大学•深圳: a campus named by its place after the institution."""
    m = re.match(r"\(([\u4e00-\u9fff]{2,8})\)|[•·]([\u4e00-\u9fff]{2,4})", text[end:])
    if m is None:
        return end
    place = m.group(1) or m.group(2)
    hits = find_regions(place, None)
    if not hits or hits[0][0] != 0:
        return end
    if m.group(1):  # (深圳): the whole bracket is the place
        return end + m.end() if hits[0][1] == len(place) else end
    return end + 1 + hits[0][1]  # •深圳: the place, whatever follows


def _joint_places_start(text: str, start: int) -> int:
    """菏泽-临沂药品采购联盟: a body of two places joined by a dash starts at the first place."""
    m = re.search(r"([\u4e00-\u9fff]{2,5})[-—]$", text[max(0, start - 7) : start])
    if m is None or not find_regions(text[start : start + 5], None):
        return start
    place = m.group(1)
    for cut in range(len(place) - 1):
        hits = find_regions(place[cut:], None)
        if hits and hits[0][0] == 0 and hits[0][1] == len(place) - cut:
            return start - (len(m.group(0)) - cut)
    return start


def _after_place(text: str, start: int, h_start: int) -> int:
    """武汉市糖尿病患者 -> 糖尿病患者: a group is the same people wherever they live; the place
    written before it is not part of its name."""
    hits = find_regions(text[start:h_start], None)
    return start + hits[0][1] if hits and hits[0][0] == 0 else start


def _latin_start(text: str, start: int, h_start: int) -> int:
    """医疗机构DRG医保支付改革 -> DRG医保支付改革: a name with a Latin abbreviation in it starts
    there when only generic words stand before it."""
    m = re.search(r"[A-Za-z]", text[start:h_start])
    if m is None or m.start() == 0 or not _generic_regex().fullmatch(text[start : start + m.start()]):
        return start
    return start + m.start()


def _place_campaigns(text: str, place: Place) -> list[Mention]:
    """健康上海建设, 健康鄂尔多斯建设: a place's campaign named after a national one (健康中国),
    the campaign word, the place and 建设; named by the first two (健康上海)."""
    spec = _lex()["place_campaigns"]
    out = []
    for m in re.finditer(trie_regex(spec["words"]), text):
        hits = find_regions(text[m.end() : m.end() + 10], place)
        if not hits or hits[0][0] != 0 or hits[0][3].level == "country":
            continue
        end = m.end() + hits[0][1]
        tail = next((t for t in spec["then"] if text.startswith(t, end)), None)
        if tail is None:
            continue
        name = text[m.start() : end]
        out.append(Mention("Programme", m.start(), end + len(tail), name, aliases={name + tail}))
    return out


def _shares_head(text: str, start: int) -> bool:
    """医疗、医保、医药协同改革: the words listed before the name share its head word; the name
    is one of several written as one, none named alone."""
    if start == 0 or text[start - 1] != "、":
        return False
    item_start = start - 1
    while item_start > 0 and text[item_start - 1] not in _CLAUSE_BREAK:
        item_start -= 1
    item = text[item_start : start - 1]
    return 0 < len(item) <= 10 and not item.endswith(tuple(_lex()["suffixes"]))


def _coordinated_start(text: str, start: int, h_start: int, h_end: int) -> int:
    """二档和三档参保人, 高血压、糖尿病患者: qualifiers joined before one group word name one
    group; the name starts with the first qualifier and the words in front of it."""
    qualifier = _lex()["coordinated_qualifier"]
    if not re.search(qualifier + "$", text[start:h_start]):
        return start  # only qualifiers of one kind join: not 慢性病、青少年
    first = start
    window = start
    list_ends = _CLAUSE_BREAK - {"、"}
    while window > 0 and start - window < 16 and text[window - 1] not in list_ends:
        window -= 1
    words = [w for w, _tag in _tokens(text[window:start])]
    while len(words) >= 2 and words[-1] in {"、", "和", "及", "与"} and re.search(qualifier + "$", words[-2]):
        first -= len(words[-1]) + len(words[-2])
        words = words[:-2]
    if first == start:
        return start
    # 基本医疗保险二档和三档参保人: the scheme the qualifiers grade
    window = max(0, first - 12)
    for s_start, s_end, _written, _item in _standard_lexicon().finditer(text[window:first]):
        if window + s_end == first:
            return window + s_start
    extended = left_extend(text, first, h_end)
    return first if extended is None else min(first, extended)


def _edition_end(text: str, end: int) -> int:
    """国家基因库二期, …改革2.0版本: an edition or phase written after the head is part of
    the name."""
    m = re.match(_lex()["edition"], text[end:])
    return end + m.end() if m else end


def _designation_class(name: str, cls: str) -> str:
    """国家生态文明建设示范区 is a title the state awards, of the class named.toml's
    designations give; other names keep the class of their head."""
    spec = _lex()["designations"]
    if name.startswith(tuple(spec["prefixes"])) and any(name.endswith(h) for h in spec["heads"]):
        return str(spec["class"])
    return cls


def _ends_with_head(name: str, cls: str) -> bool:
    """Whether ``name`` ends with a head word of class ``cls`` and has a modifier before it."""
    return any(
        name.endswith(head) and len(name) > len(head) and head_cls == cls
        for head, head_cls in _lex()["suffixes"].items()
    )


def _level_place(name: str, place: Place) -> Region | None:
    """The place a leading level character stands for (市 -> the document's city), unless the
    character starts a word of its own (市场, 区域)."""
    if len(name) < 3 or name[0] not in "省市区县" or is_common_word(name[:2]):
        return None
    return place.at_level(name[0])


def _expand_short_form(name: str) -> str:
    """港大深圳医院 -> 香港大学深圳医院 (institution short forms at the front)."""
    forms = institution_short_forms()
    for short in sorted(forms, key=len, reverse=True):
        if name.startswith(short) and not name.startswith(forms[short]):
            return forms[short] + name[len(short) :]
    return name


def _numbered_hospital(text: str, place: Place) -> list[Mention]:
    """Hospitals named by a level character: 市二院 -> <city>第二人民医院, 区二院 -> <city>
    <district>第二人民医院, 市人民医院 / 区中医院 -> the place's 人民医院 / 中医院."""
    out = []
    standard = trie_regex(_lex()["level_hospitals"])
    pattern = rf"(?:我)?([市区县])(?:([{_CN_NUM}]{{1,3}})院|({standard}))"
    for m in re.finditer(pattern, text):
        before = text[m.start() - 1 : m.start() + 1] if m.start() > 0 else ""
        if not m.group(0).startswith("我") and is_common_word(before):
            continue  # 城市二院 is no 市二院
        region = place.at_level(m.group(1))
        if region is None:
            continue
        from graph.extract.agencies import _place_prefix

        name = f"第{m.group(2)}人民医院" if m.group(2) else m.group(3)
        canonical = f"{_place_prefix(region)}{name}"
        out.append(
            Mention(
                cls="Hospital",
                start=m.start(),
                end=m.end(),
                canonical=canonical,
                aliases={m.group(0)},
                attrs={"region": region},
            )
        )
    return out


def find_named(text: str, place: Place, taken: list[tuple[int, int]]) -> list[Mention]:
    """Named entities of the non-agency classes, not overlapping ``taken`` spans."""
    suffixes = _lex()["suffixes"]
    not_names = set(_lex()["not_names"])
    standalone = set(_lex()["standalone_groups"])
    quoted_only = set(_lex()["quoted_only_heads"])
    found: list[Mention] = []
    for m in _head_regex().finditer(text):
        head = m.group(0)
        cls = suffixes[head]
        h_start, h_end = m.span()
        # the head must not continue into a longer word (医保局, 保险费, 集团化)
        if h_end < len(text) and text[h_end] in "局委办厅部费金卡额率证号化":
            continue
        start = left_extend(text, h_start, h_end, allow_numbers=(cls == "Group"))
        if start is None:
            continue
        if cls == "Group":
            start = _coordinated_start(text, start, h_start, h_end)
            start = _after_place(text, start, h_start)
        h_end = _edition_end(text, h_end)
        if head in quoted_only and "”" not in text[start:h_start]:
            continue
        if text.startswith(tuple(_lex()["verb_use"].get(head, ())), h_end):
            continue  # 住院费用试点按…付费: 试点 is the verb
        if cls == "Programme" and _shares_head(text, start):
            continue
        if cls == "Organization":
            h_end = _campus_end(text, h_end)
            start = _joint_places_start(text, start)
        start = _latin_start(text, start, h_start)
        name = text[start:h_end]
        if name in not_names or name.endswith(tuple(_lex()["not_name_tails"])):
            continue
        cls = _designation_class(name, cls)
        if cls == "Group":
            if name not in standalone and not re.search(
                _lex()["group_qualifier"], name[: len(name) - len(head)]
            ):
                continue
        elif is_generic(name, head, cls):
            continue
        if h_start - start < _min_modifier(head) and not (cls == "Group" and name in standalone):
            continue
        if any(s < h_end and start < e and not (s <= start and h_end <= e) for s, e in taken):
            continue
        if any(s <= start and h_end <= e for s, e in taken):
            continue
        placed = cls in {"Hospital", "Facility", "Organization"}  # names that may carry a place
        canonical = _expand_place(_expand_short_form(name), place) if placed else name
        region = _level_place(name, place) if placed else None
        if region is not None and re.search(r"[省市区县]、$", text[max(0, start - 2) : start]):
            continue  # 市、区医疗资源共享平台: the platforms of two levels, none named
        if region is not None:  # 市公共信用信息服务平台 in a Shanghai text
            canonical = region.name + name[1:]
        for tail in _lex()["droppable_tails"]:
            shorter = canonical.removesuffix(tail)
            if shorter != canonical and _ends_with_head(shorter, cls):
                canonical = shorter
        mention = Mention(cls=cls, start=start, end=h_end, canonical=canonical, aliases={name})
        if region is not None:
            mention.attrs["region"] = region
        found.append(mention)
    for extra in (_numbered_hospital(text, place), _place_campaigns(text, place)):
        found.extend(m for m in extra if not any(s < m.end and m.start < e for s, e in taken))
    found.extend(_quoted(text, taken))
    standard = _standard(text, taken)
    found = [m for m in found if not _placed_standard(text, m, standard)]
    found.extend(standard)
    # 基本医保+大病保险+惠民保 is a formula of several schemes, not the name of one
    marks = tuple(_lex()["formula_marks"])
    return _prune([m for m in found if not any(c in m.canonical for c in marks)])


@cache
def _standard_lexicon() -> Lexicon:
    entries: dict[str, StandardName] = {}
    for item in standard_names():
        for name in (item.name, *item.aliases):
            entries.setdefault(name, item)
    return Lexicon(entries)


def _standard(text: str, taken: list[tuple[int, int]]) -> list[Mention]:
    """Standard national names (基本医疗保险, DRG付费, 特困人员), wherever they stand."""
    out = []
    for start, end, written, item in _standard_lexicon().finditer(text):
        if any(s < end and start < e for s, e in taken):
            continue
        out.append(Mention(cls=item.cls, start=start, end=end, canonical=item.name, aliases={written}))
    return out


def _placed_standard(text: str, m: Mention, standard: list[Mention]) -> bool:
    """浙江省大病保险, 逐步提高大病保险: a head-word name ending in a standard name is that
    standard name; what stands in front is a place or the clause's own words."""
    return any(g.end == m.end and m.start < g.start for g in standard)


def _quoted(text: str, taken: list[tuple[int, int]]) -> list[Mention]:
    """Quoted names: “深圳惠民保”, “三医”协同改革, “两重”“两新”项目."""
    suffixes = _lex()["suffixes"]
    out = []
    head_re = _head_regex()
    for m in re.finditer(r"(?:“[^“”\n]{2,24}”){1,3}", text):
        start, end = m.span()
        inner = re.sub(r"[“”]", "", m.group(0))
        if re.search(r"[,。;:!?]", inner):
            continue
        # a following head word belongs to the name: “三医”协同改革
        tail = re.match(r"[\u4e00-\u9fffA-Za-z0-9]{0,6}", text[end:])
        cls = None
        name_end = end
        # but not across a list word: “一网统管”等平台 are platforms, one of them named
        if tail and not tail.group(0).startswith(tuple(_lex()["quoted_tail_stops"])):
            for hm in head_re.finditer(tail.group(0)):
                if hm.end() == len(tail.group(0)) or hm.end() <= len(tail.group(0)):
                    cls = suffixes[hm.group(0)]
                    name_end = end + hm.end()
        if cls is None:
            hm = head_re.search(inner)
            if hm and hm.end() == len(inner):
                cls = suffixes[hm.group(0)]
        if cls is None:
            # 推行“X”, 实行全市高层次人才看病就医“个人零负担”: a scheme put into effect
            before = text[_clause_start(text, start, 16) : start]
            introduced = r"(?:推行|实施|开展|推进|依托|启动|推出|实行|试点|建立|打造|深化)$"
            put_in_effect = r"(?:推行|实行|实施)[^“”]{0,12}$"
            if re.search(introduced, before) or re.search(put_in_effect, before):
                cls = "Programme"
        listed = out and text[out[-1].end : start] == "、" and not re.search(r"\d", inner)
        if cls is None and listed:
            # “先看病后付费”、“一站式”结报: a quoted item listed after a scheme is one, with the
            # words up to the next item
            cls = out[-1].cls
            rest = re.match(r"[\u4e00-\u9fff]{0,4}?(?=[、,。;等和及]|$)", text[end:])
            name_end = end + (rest.end() if rest else 0)
        if cls is None or cls == "Group":
            continue
        if any(s < name_end and start < e for s, e in taken):
            continue
        name = re.sub(r"[“”]", "", text[start:name_end])
        generic = _lex()["quoted_generic_heads"]
        single = m.group(0).count("“") == 1
        if single and text[end:name_end] in generic["heads"] and len(inner) >= generic["min_length"]:
            name = inner  # “向日葵亲子小屋”项目 is the 向日葵亲子小屋 scheme
        out.append(
            Mention(cls=cls, start=start, end=name_end, canonical=name, aliases={text[start:name_end]})
        )
    return out


def _prune(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping names, and a nested name only when it starts the longer
    one and is of a class named.toml's nested_names allows there (北大深圳医院 in
    北大深圳医院技能培训中心)."""
    mentions.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for m in mentions:
        outer = [k for k in kept if k.start <= m.start and m.end <= k.end]
        crossing = [
            k
            for k in kept
            if k.start < m.end and m.start < k.end and not (k.start <= m.start and m.end <= k.end)
        ]
        if crossing:
            continue
        if outer:
            o = outer[-1]
            if (
                o.start == m.start
                and o.cls != m.cls
                and m.cls in _lex()["nested_names"].get(o.cls, _lex()["nested_names"]["default"])
                and not any(k is not o and k.start <= m.start and m.end <= k.end for k in outer[:-1])
            ):
                m.attrs["owner_of"] = o
                kept.append(m)
            continue
        kept.append(m)
    return kept
