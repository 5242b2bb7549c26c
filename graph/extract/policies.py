"""Policies: the document's own policy, cited titles, document numbers, issuers and legal bases.

* The document is a policy when its title ends with a genre word (实施意见, 方案, 条例, 答复 …);
  a notice that issues a text (X关于印发《Y》的通知) carries Y, which becomes the main policy;
  a notice that forwards one (X转发Z关于Y的通知) is a policy of its own beside Y.
* 《…》 titles with a genre ending are cited policies; a following (国发〔2019〕13号) is their
  document number; agencies written right before the title, or at its head before 关于, are
  its issuers.
* In the preamble (根据 / 为贯彻落实 … 结合…实际, 制定本…), the cited titles are the legal
  bases of the main policy, or of the policy a news sentence says was issued (下发《X》).
* The signature block (an agency on its own line over a date) gives issuer and date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from graph.document import Fact, Mention
from graph.extract.regions import Place
from graph.reference import lexicon, special_economic_zones

_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


@cache
def _cues() -> dict:
    return lexicon("formal")


@cache
def _doc_number() -> re.Pattern[str]:
    return re.compile(_cues()["policy"]["doc_number_pattern"])


def normalise_doc_number(number: str) -> str:
    """国发[2019]13号 and 国发(2019)13号 -> 国发〔2019〕13号."""
    number = re.sub(r"\s+", "", number)
    return re.sub(r"[\[【(](\d{4})[\]】)]", r"〔\1〕", number)


def is_policy_title(title: str) -> bool:
    """Whether a title names a policy document: it ends with a genre word."""
    cues = _cues()["policy"]
    t = strip_title(title)
    if not t or any(t.endswith(s) for s in cues["not_policy_suffixes"]):
        return False
    return any(t.endswith(s) for s in cues["genre_suffixes"])


def strip_title(title: str) -> str:
    """A title without book-title marks, trailing numbers in brackets and white space."""
    t = re.sub(r"\s+", "", title)
    t = re.sub(r"\([^()]*〔\d{4}〕[^()]*\)$", "", t)
    return t.strip("《》〈〉<>")


@dataclass
class Carrier:
    """What a title of the form X关于印发/转发《Y》的通知 says."""

    inner: str
    verb: str
    head: str  # the text before the verb (issuers, 关于)
    origin: str = ""  # for 转发: the bodies whose text is forwarded (省卫生计生委等部门)


def parse_carrier(title: str) -> Carrier | None:
    """Split 'X关于印发《Y》的通知' into its parts; None for a title that carries nothing."""
    cues = _cues()["policy"]
    t = strip_title(title)
    verbs = "|".join(cues["carrier_verbs"])
    m = re.match(rf"^(?P<head>.*?)(?:关于)?(?P<verb>{verbs})(?P<rest>.+?)的?通知$", t)
    if not m:
        return None
    rest = m.group("rest").strip("《》〈〉<>")
    origin = ""
    if m.group("verb") in cues["forwarding_verbs"]:
        om = re.match(r"^(?P<origin>.*?)(?P<inner>关于.+)$", rest)
        if om:
            origin, rest = om.group("origin"), om.group("inner")
    rest = rest.strip("《》〈〉<>")
    if not rest or not is_policy_title(rest):
        return None
    return Carrier(inner=rest, verb=m.group("verb"), head=m.group("head").removesuffix("关于"), origin=origin)


def _title_key(title: str) -> str:
    """A title compared loosely: without issuer, book marks and the particle 的."""
    return bare_title(title).replace("的", "")


def bare_title(title: str) -> str:
    """'深圳市人民政府关于打造…的实施意见' -> '关于打造…的实施意见' (the title without its issuer)."""
    t = strip_title(title)
    i = t.find("关于")
    return t[i:] if i > 0 else t


# What may follow a name in a list of titles: another name (after 、和及) or the clause's end.
_LIST_JOIN = frozenset("、和及")
_LIST_END = _LIST_JOIN | frozenset(",。;") | {""}


@dataclass
class PolicyFinder:
    """Policy mentions and facts for one document."""

    text: str
    place: Place
    agencies: list[Mention]
    mentions: list[Mention] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    main: Mention | None = None
    forwarded: Mention | None = None  # the policy a 转发 notice forwards
    reported: list[Mention] = field(default_factory=list)  # policies a news text says were issued

    def policy(self, start: int, end: int, title: str, **attrs) -> Mention:
        canonical = strip_title(title)
        aliases = {canonical}
        carrier = parse_carrier(canonical)
        if carrier is not None and carrier.verb not in _cues()["policy"]["forwarding_verbs"]:
            inner = carrier.inner
            if not _starts_with_place(inner, self.agencies_in(start, end)) and carrier.head:
                place_prefix = _place_of_head(carrier.head)
                if place_prefix:
                    aliases.add(inner)
                    inner = place_prefix + inner
            aliases.add(canonical)
            canonical = inner
        bare = bare_title(canonical)
        if bare != canonical and len(bare) > 6:
            aliases.add(bare)
        m = Mention(cls="Policy", start=start, end=end, canonical=canonical, aliases=aliases, attrs=attrs)
        self.mentions.append(m)
        return m

    def agencies_in(self, start: int, end: int) -> list[Mention]:
        return [a for a in self.agencies if start <= a.start and a.end <= end and a.attrs.get("named", True)]

    def fact(self, s: Mention, rel: str, o: Mention, start: int, end: int) -> None:
        self.facts.append(Fact(s, rel, o, start, end))

    # ------------------------------------------------------------------ title and signature

    def find_main(self, declared_title: str | None, genre: str | None) -> None:
        """The document's own policy, from its title line (or the manifest's title)."""
        if genre == "news":
            return
        for line_start, line in _lines(self.text)[:12]:
            content = line.strip()
            if not content:
                continue
            titled = re.sub(r"^" + _doc_number().pattern, "", content).strip()
            inner = re.fullmatch(r"《(.+)》", titled)
            titled = inner.group(1) if inner else titled
            if is_policy_title(titled):
                offset = line_start + line.index(titled[:4]) if titled[:4] in line else line_start
                self.main = self.policy(offset, offset + len(titled), titled, main=True)
                break
        if self.main is None and declared_title and is_policy_title(declared_title):
            pos = self.text.find(strip_title(declared_title)[:8])
            if pos >= 0:
                self.main = self.policy(pos, pos + 8, declared_title, main=True)
        if self.main is not None:
            self._forwarded()

    def _forwarded(self) -> None:
        """X转发Z关于Y的通知: the text below is Z's policy Y, issued by the bodies Z names."""
        assert self.main is not None
        carrier = parse_carrier(self.main.canonical)
        if carrier is None or carrier.verb not in _cues()["policy"]["forwarding_verbs"] or not carrier.origin:
            return
        inner = self.policy(
            self.main.start,
            self.main.end,
            carrier.origin + carrier.inner,
            forwarded=True,
            surface_is_name=False,
        )
        self.forwarded = inner
        bare = bare_title(carrier.inner)
        for m in re.finditer(r"《([^《》\n]{2,120})》", self.text):
            if bare_title(m.group(1)).replace("的", "") == bare.replace("的", ""):
                inner.aliases.add(m.group(1))
                for a in self._agencies_before(m.start()):
                    self.fact(inner, "issuedBy", a, a.start, m.end())
                break

    @property
    def content_owner(self) -> Mention | None:
        """The policy the body of the text belongs to: a forwarded policy, else the main one."""
        return self.forwarded or self.main

    # ------------------------------------------------------------------ citations

    def find_citations(self) -> None:
        text = self.text
        for m in re.finditer(r"《([^《》\n]{2,120})》", text):
            title = m.group(1)
            if not is_policy_title(title):
                continue
            if self.main is not None and self.main.start <= m.start(1) < self.main.end:
                continue
            number = None
            nm = re.match(r"\s*\((" + _doc_number().pattern + r")\)", text[m.end() :])
            end = m.end()
            if nm:
                number = normalise_doc_number(nm.group(1))
                end = m.end() + nm.end()
            pol = self.policy(m.start(), end, title, cited=True)
            if number:
                pol.attrs["docNumber"] = number
                pol.aliases.add(number)
            self._issuers_of_citation(pol, m.start(), m.start(1), m.end(1))
        self._same_as_main()

    def find_unquoted(self) -> None:
        """Laws a plan says will be drafted or revised, listed without 《》.

        推动制定出台特区健康条例、突发公共卫生事件应急条例 names two regulations; only list
        items that end with a law-like suffix count, and 特区 stands for the document's
        special economic zone.
        """
        cues = _cues()["policy"]
        verbs = "|".join(sorted(map(re.escape, cues["drafting_verbs"]), key=len, reverse=True))
        suffixes = "|".join(sorted(map(re.escape, cues["unquoted_suffixes"]), key=len, reverse=True))
        item = re.compile(rf"[\u4e00-\u9fff0-9]{{2,40}}?(?:{suffixes})")
        taken = [(p.start, p.end) for p in self.mentions]
        for vm in re.finditer(rf"(?:{verbs})", self.text):
            pos = vm.end()
            while True:
                m = item.match(self.text, pos)
                if m is None or self.text[m.end() : m.end() + 1] not in _LIST_END:
                    break
                name = m.group(0)
                free = all(m.end() <= s or e <= m.start() for s, e in taken)
                if free and not name.startswith(tuple(cues["unquoted_not_prefixes"])):
                    self._unquoted(m.start(), m.end(), name)
                if self.text[m.end() : m.end() + 1] not in _LIST_JOIN:
                    break
                pos = m.end() + 1

    def _unquoted(self, start: int, end: int, name: str) -> None:
        abbreviation = _cues()["policy"]["zone_abbreviation"]
        zone = None
        if name.startswith(abbreviation):
            zones = special_economic_zones()
            for region in (self.place.city, self.place.province):
                if region is not None and region.name in zones:
                    zone = zones[region.name]
                    break
        pol = self.policy(start, end, zone + name[len(abbreviation) :] if zone else name, unquoted=True)
        pol.aliases.add(name)

    def _same_as_main(self) -> None:
        """A citation of the document's own policy (《Y》已经…同意, 现印发给你们) is the main policy."""
        if self.main is None:
            issued = re.finditer(
                r"《([^《》\n]{2,120})》(?:[^。\n]{0,40})现(?:予)?(?:以)?印发给你们", self.text
            )
            for m in issued:
                for p in self.mentions:
                    if p.start == m.start() and p.attrs.get("cited"):
                        p.attrs["main"] = True
                        self.main = p
                        break
                if self.main is not None:
                    break
        if self.main is None:
            return
        own = [o for o in (self.main, self.forwarded) if o is not None]
        for p in self.mentions:
            for o in own:
                if p is o:
                    continue
                if p.canonical == o.canonical:
                    p.attrs["same_as_main"] = True
                elif p.attrs.get("cited") and _title_key(p.canonical) == _title_key(o.canonical):
                    # 《关于…的实施意见》 in the text is the document's own (or forwarded) policy
                    p.aliases.add(p.canonical)
                    p.canonical = o.canonical
                    p.attrs["same_as_main"] = True

    def _issuers_of_citation(self, pol: Mention, open_mark: int, t_start: int, t_end: int) -> None:
        # agencies at the head of the title, before 关于 / 印发
        carrier = parse_carrier(pol.canonical) or parse_carrier(self.text[t_start:t_end])
        head_end = self.text.find("关于", t_start, t_end)
        verbs = _cues()["policy"]["carrier_verbs"]
        if carrier is not None:
            cut = min((i for v in verbs if (i := self.text.find(v, t_start, t_end)) >= 0), default=-1)
            if cut >= 0:
                head_end = cut if head_end < 0 else min(head_end, cut)
        heads = [a for a in self.agencies_in(t_start, head_end)] if head_end > t_start else []
        if not heads and head_end > t_start:
            heads = self._ad_hoc_body(t_start, head_end)
        if heads and heads[0].start == t_start:
            for a in _contiguous(heads, self.text, t_start):
                self.fact(pol, "issuedBy", a, t_start, min(t_end, max(a.end, head_end)))
            if carrier is not None and carrier.origin:
                # 转发Z关于Y: Y is issued by Z; the carrier title is a policy of its own
                pass
        elif carrier is None or not heads:
            # agencies written right before the title: 中共中央、国务院《…》《…》
            before = self._agencies_before(open_mark)
            for a in before:
                self.fact(pol, "issuedBy", a, a.start, t_end + 1)
        if carrier is not None and carrier.origin:
            origin_start = self.text.find(carrier.origin, t_start, t_end)
            if origin_start >= 0:
                inner = self.policy(
                    origin_start,
                    t_end,
                    carrier.origin + carrier.inner,
                    forwarded_by=pol,
                    surface_is_name=False,
                )
                for a in self.agencies_in(origin_start, origin_start + len(carrier.origin)):
                    self.fact(inner, "issuedBy", a, origin_start, origin_start + len(carrier.origin) + 8)

    def _ad_hoc_body(self, start: int, end: int) -> list[Mention]:
        """A title head naming a temporary body of a region (…指挥部办公室医疗救治组)."""
        from graph.extract.regions import find_regions

        spec = lexicon("agencies")["ad_hoc"]
        head = self.text[start:end].rstrip()  # the mention's offsets start where the head does
        if not head.endswith(tuple(spec["suffixes"])) or len(head) > spec["max_length"]:
            return []
        hits = find_regions(head, self.place)
        if not hits or hits[0][0] != 0:
            return []
        body = Mention(
            cls="Agency", start=start, end=start + len(head), canonical=head, attrs={"region": hits[0][3]}
        )
        self.agencies.append(body)
        return [body]

    def _agencies_before(self, pos: int) -> list[Mention]:
        """Agencies listed immediately before ``pos`` (separated by 、 or spaces), or before a
        run of adjacent titles 《…》《…》."""
        text = self.text
        # step back over adjacent titles
        p = pos
        while p > 0 and text[p - 1] == "》":
            q = text.rfind("《", 0, p - 1)
            if q < 0:
                break
            p = q
        # 省卫健委等九部门《…》: the first body named leads the several that issued it
        tail = re.search("(?:" + _cues()["policy"]["issuer_tail"] + ")$", text[max(0, p - 20) : p])
        if tail is not None:
            p -= len(tail.group(0))
        found = []
        candidates = sorted(
            (a for a in self.agencies if a.end <= p and a.attrs.get("named", True)),
            key=lambda a: a.end,
            reverse=True,
        )
        cursor = p
        for a in candidates:
            gap = text[a.end : cursor]
            if a.end == cursor or re.fullmatch(r"[、\s]*|[、\s]*(?:联合|会同|和|与|及)[、\s]*", gap):
                if any(f.start <= a.start and a.end <= f.end for f in found):
                    continue
                found.append(a)
                cursor = a.start
            elif a.end < cursor:
                break
        return list(reversed(found))

    # ------------------------------------------------------------------ issuers, numbers, bases

    def find_issuers(self) -> None:
        """Issuer of the main policy: title head, signature block, 发布机构, or the notice that
        issues it; document number and date when the text gives them."""
        if self.main is None:
            return
        m = self.main
        title_span = (m.start, m.end)
        head_end = self.text.find("关于", *title_span)
        issuers = []
        if head_end > m.start:
            issuers = _contiguous(self.agencies_in(m.start, head_end), self.text, m.start)
        signature, date = self._signature()
        if not issuers and signature:
            issuers = [signature]
        if not issuers:
            mm = re.search(r"发布机构\s*:?\s*", self.text[:2000])
            if mm:
                issuers = [a for a in self.agencies if a.start == mm.end()][:1]
        if not issuers:
            # a regulation: "2024年12月31日上海市第十六届人民代表大会常务委员会第十八次会议通过"
            adopted = re.search(_cues()["policy"]["adoption_pattern"], self.text[:3000])
            if adopted:
                named = [a for a in self.agencies if a.attrs.get("named", True)]
                issuers = [a for a in named if a.end == adopted.start()][:1]
        for a in issuers:
            end = max(a.end, a.start + 1)
            self.fact(m, "issuedBy", a, a.start, end)
        if date:
            m.attrs["issueDate"] = date
        nm = self._own_doc_number()
        if nm and not m.attrs.get("docNumber"):
            number = normalise_doc_number(nm.group(0))
            m.attrs["docNumber"] = number
            m.aliases.add(number)

    def _own_doc_number(self) -> re.Match[str] | None:
        """The document's own 文号 in its head, not the number of a 《document》 it cites.

        A preamble such as 根据《国务院关于实施健康中国行动的意见》(国发〔2019〕13号) names
        another document's number; the document's own number stands on a line of its own or
        after a 文号 label, never on a line that cites a title.
        """
        head = self.text[:600]
        for nm in _doc_number().finditer(head):
            line_start = head.rfind("\n", 0, nm.start()) + 1
            if "《" not in head[line_start : nm.start()]:
                return nm
        return None

    def signer(self) -> Mention | None:
        """The agency that signs the document (alone on a line above its date)."""
        return self._signature()[0]

    def _signature(self) -> tuple[Mention | None, str | None]:
        """An agency alone on a line, followed within two lines by a date."""
        lines = _lines(self.text)
        for i, (start, line) in enumerate(lines):
            content = line.strip()
            if not content or len(content) > 40:
                continue
            for j in range(i + 1, min(i + 4, len(lines))):
                dm = _DATE.fullmatch(lines[j][1].strip())
                if dm:
                    break
            else:
                continue
            c_start = start + line.index(content)
            hits = [a for a in self.agencies if a.start == c_start and a.end == c_start + len(content)]
            if hits:
                y, mo, d = dm.groups()
                return hits[0], f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
        return None, None

    def find_bases(self) -> None:
        """根据《A》《B》…, 制定本意见: the main (or reported) policy is based on A and B."""
        cues = _cues()["policy"]
        starts = "|".join(sorted(map(re.escape, cues["basis_cues"]), key=len, reverse=True))
        for sm in re.finditer(rf"(?:{starts})[^。]*?《[^。]*?(?:。|$)", self.text):
            s_start, s_end = sm.span()
            sentence = self.text[s_start:s_end]
            end_cut = min(
                (i for c in cues["basis_end_cues"] if (i := sentence.find(c)) > 0), default=len(sentence)
            )
            cited = [
                p for p in self.mentions if s_start <= p.start < s_start + end_cut and p.attrs.get("cited")
            ]
            subject = self._reported_in(s_start, s_end) or self.content_owner
            if subject is None:
                continue
            for p in cited:
                if p is subject or p.canonical == subject.canonical:
                    continue
                self.fact(subject, "basedOn", p, p.start, p.end)

    def _reported_in(self, start: int, end: int) -> Mention | None:
        """A policy a news sentence says was issued: 市政府办公室日前下发《X》."""
        verbs = "|".join(_cues()["policy"]["issue_verbs"])
        for m in re.finditer(rf"({verbs})《", self.text[start:end]):
            pos = start + m.end() - 1
            for p in self.mentions:
                if p.start == pos:
                    return p
        return None

    def find_reported(self) -> None:
        """News: policies a body is said to have issued (下发《X》, 出台《X》), with the body."""
        verbs = "|".join(sorted(map(re.escape, _cues()["policy"]["issue_verbs"]), key=len, reverse=True))
        for m in re.finditer(rf"(?:{verbs})(?=《)", self.text):
            pos = m.end()
            pol = next((p for p in self.mentions if p.start == pos), None)
            if pol is None:
                continue
            self.reported.append(pol)
            # the issuer is the agency ending just before the verb (市政府办公室日前下发)
            before = [
                a
                for a in self.agencies
                if a.end <= m.start() and m.start() - a.end <= 4 and a.attrs.get("named", True)
            ]
            clause_start = max(self.text.rfind(c, 0, m.start()) for c in ",。;\n") + 1
            before = [a for a in before if a.start >= clause_start]
            if before and self.main is None:
                issuer = max(before, key=lambda a: a.end)
                if "出台" in m.group(0) and not issuer.attrs.get("body"):
                    continue
                self.fact(pol, "issuedBy", issuer, issuer.start, pol.end)
                # the policy is known by the issuer's name too: 菏泽市人民政府办公室关于…
                if pol.canonical.startswith("关于"):
                    pol.aliases.add(pol.canonical)
                    pol.canonical = issuer.canonical + pol.canonical


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _contiguous(agencies: list[Mention], text: str, start: int) -> list[Mention]:
    """Agencies written one after another from ``start`` (中共中央 国务院关于 …)."""
    out = []
    cursor = start
    for a in sorted(agencies, key=lambda a: (a.start, -a.end)):
        if a.start < cursor:
            continue
        if re.fullmatch(r"[、\s,]*", text[cursor : a.start]):
            out.append(a)
            cursor = a.end
        else:
            break
    return out


def _starts_with_place(title: str, agencies: list[Mention]) -> bool:
    from graph.extract.regions import find_regions

    hits = find_regions(title[:8], None)
    return bool(hits and hits[0][0] == 0)


def _place_of_head(head: str) -> str:
    """The place name at the start of a title's issuer part (内蒙古自治区人民政府办公厅 -> 内蒙古自治区)."""
    from graph.extract.regions import find_regions

    hits = find_regions(head, None)
    if hits and hits[0][0] == 0:
        return hits[0][3].name
    return ""
