"""Fast longest-match lookup of many names in a text.

Python's ``re`` tries the branches of an alternation one by one, so a pattern of ten
thousand place names is slow. Factoring the names into a trie-shaped pattern (each branch
starting with a different character) lets the regex engine walk the trie in C. Within each
node the longer continuations come before the option to stop, so a match is the longest
name starting at that position.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache


def _trie(words: Iterable[str]) -> dict:
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True
    return root


def _pattern(node: dict) -> str:
    branches = []
    optional = False
    for ch, child in sorted(node.items()):
        if ch == "":
            optional = True
            continue
        branches.append(re.escape(ch) + _pattern(child))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if optional:
        return "(?:" + body + ")?"
    return body


def trie_regex(words: Iterable[str]) -> str:
    """A regular expression source matching any of ``words``, preferring the longest."""
    words = [w for w in set(words) if w]
    if not words:
        return "(?!)"
    return _pattern(_trie(words))


class Lexicon:
    """Names mapped to values, found in text by longest match."""

    def __init__(self, entries: dict[str, object], prefix: str = "", suffix: str = "") -> None:
        self.entries = dict(entries)
        self.regex = re.compile(prefix + "(" + trie_regex(self.entries) + ")" + suffix)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None):
        """Yield ``(start, end, name, value)`` for non-overlapping longest matches."""
        for m in self.regex.finditer(text, pos, len(text) if endpos is None else endpos):
            name = m.group(1)
            yield m.start(1), m.end(1), name, self.entries[name]

    def match_at(self, text: str, pos: int) -> tuple[int, str, object] | None:
        """The longest name starting exactly at ``pos``: ``(end, name, value)``."""
        m = self.regex.match(text, pos)
        if not m or m.start(1) != pos:
            return None
        return m.end(1), m.group(1), self.entries[m.group(1)]


@cache
def _jieba_words() -> dict[str, int]:
    """jieba's dictionary, loaded once (jieba fills ``FREQ`` lazily, on its first cut)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.check_initialized()
    return jieba.dt.FREQ


def is_common_word(word: str) -> bool:
    """Whether ``word`` is an entry of the general-language dictionary (城区, 公立医院)."""
    return bool(_jieba_words().get(word))
