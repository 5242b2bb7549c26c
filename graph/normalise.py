"""Stage 2: normalise text for matching while keeping the way back to the original.

Extraction matches patterns on one canonical form of the text: NFKC (full-width letters,
digits and punctuation folded to ASCII, so ``（一）`` reads ``(一)``) and then OpenCC's
traditional-to-simplified conversion, so that one set of patterns serves both scripts.
Evidence, however, must quote the document as written. ``NormalisedText`` therefore keeps,
for every character of the normalised text, the index of the original character it came
from; ``original_span`` maps a match back to the exact original substring.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import opencc


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional to simplified characters (OpenCC ``t2s``); simplified text passes through."""
    return _t2s().convert(text)


def fold(text: str) -> str:
    """NFKC then simplified script: the form in which names are compared."""
    return to_simplified(unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class NormalisedText:
    """Normalised text plus the original index of each of its characters.

    ``origin[i]`` is the index in the original text of the character that produced
    normalised character ``i``; ``origin[len(text)]`` is the original length, so that an
    end offset maps too.
    """

    original: str
    text: str
    origin: tuple[int, ...]
    changed_by_script: int

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``(start, end)`` covering normalised characters ``start..end``."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span {start}..{end} outside normalised text of length {len(self.text)}")
        if start == end:
            o = self.origin[start]
            return o, o
        o_start = self.origin[start]
        last = self.origin[end - 1]
        # the original character behind the last normalised one may have expanded into several
        o_end = last + 1
        return o_start, o_end

    def original_text(self, start: int, end: int) -> str:
        """The original substring behind normalised characters ``start..end``."""
        o_start, o_end = self.original_span(start, end)
        return self.original[o_start:o_end]

    @property
    def script(self) -> str:
        """``zh-Hant`` when OpenCC changed a noticeable share of the CJK characters."""
        cjk = sum(1 for ch in self.text if "\u4e00" <= ch <= "\u9fff")
        return "zh-Hant" if cjk and self.changed_by_script / cjk > 0.02 else "zh-Hans"


def normalise(original: str) -> NormalisedText:
    """NFKC per character (keeping the origin of each output character), then OpenCC."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(original):
        folded = unicodedata.normalize("NFKC", ch) if ord(ch) > 0x7F else ch
        for out in folded:
            chars.append(out)
            origin.append(i)
    nfkc = "".join(chars)
    simplified = _convert_keeping_length(nfkc)
    changed = sum(1 for a, b in zip(nfkc, simplified, strict=True) if a != b)
    origin.append(len(original))
    return NormalisedText(original=original, text=simplified, origin=tuple(origin), changed_by_script=changed)


def _convert_keeping_length(text: str) -> str:
    """OpenCC conversion that never changes the length, so offsets stay aligned.

    OpenCC's t2s is character-for-character for nearly all text; phrase rules that change the
    length are rare. When the whole text keeps its length the conversion is taken as is;
    otherwise each line is tried, and a line that still changes length is converted character
    by character.
    """
    converted = to_simplified(text)
    if len(converted) == len(text):
        return converted
    out = []
    for line in text.splitlines(keepends=True):
        c = to_simplified(line)
        if len(c) != len(line):
            c = "".join(ch2 if len(ch2 := to_simplified(ch)) == 1 else ch for ch in line)
        out.append(c)
    return "".join(out)
