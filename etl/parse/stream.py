"""Search labels in a report whatever its layout, and map hits back to the text.

Real reports break labels with line breaks, spaces, ``|`` cell borders and
full-width characters ("商业 企业", "本年新收政府信\\n息公开申请数量"). Labels
are therefore searched in a *squeezed* copy: normalised (see
:mod:`etl.parse.normalize`) with white space and ``|`` removed. Each
squeezed character remembers its offset in the original text, so a hit can
be turned back into the original text around it (the cells that follow a
row label are read from the original, where separators still tell cells
apart).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from etl.parse.normalize import normalize, simplify

_KEEP_RUN = re.compile(r"[^ \t\r\n\f\v|\u3000\xa0\u200b\ufeff\u2063]+")


@dataclass(frozen=True)
class Hit:
    start: int  # offset in the original text
    end: int
    text: str  # the squeezed, normalised text matched


class Stream:
    """A report's text with a squeezed, normalised shadow for label search."""

    def __init__(self, text: str) -> None:
        self.text = text
        norm = normalize(text)
        if len(norm) == len(text):
            mapping = range(len(text))
            chars = norm
        else:  # NFKC expanded a character (e.g. ㈠ → (一)): map char by char
            out: list[str] = []
            idx: list[int] = []
            for i, ch in enumerate(simplify(text)):
                folded = unicodedata.normalize("NFKC", ch) if not ch.isascii() else ch
                out.append(folded)
                idx.extend([i] * len(folded))
            chars = normalize("".join(out))
            mapping = idx if len(chars) == len(idx) else range(len(chars))
        runs = list(_KEEP_RUN.finditer(chars))
        self.squeezed = "".join(m.group() for m in runs)
        keep: list[int] = []
        for m in runs:
            keep.extend(range(m.start(), m.end()))
        self._orig = keep if isinstance(mapping, range) else [mapping[i] for i in keep]

    def to_original(self, squeezed_index: int) -> int:
        if squeezed_index >= len(self._orig):
            return len(self.text)
        return self._orig[squeezed_index]

    def squeezed_index(self, original_offset: int) -> int:
        """First squeezed position at or after an original offset."""
        lo, hi = 0, len(self._orig)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._orig[mid] < original_offset:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def find_all(self, pattern: re.Pattern[str], start: int = 0, end: int | None = None) -> list[Hit]:
        """Every hit of ``pattern`` between two original offsets."""
        s = self.squeezed_index(start)
        e = len(self.squeezed) if end is None else self.squeezed_index(end)
        hits = []
        for m in pattern.finditer(self.squeezed, s, e):
            if m.end() == m.start():
                continue
            hits.append(Hit(self.to_original(m.start()), self.to_original(m.end() - 1) + 1, m.group()))
        return hits

    def find_each(
        self, patterns: list[re.Pattern[str]], start: int = 0, end: int | None = None
    ) -> list[list[Hit]]:
        """Hits of several labels (``find_all`` for each), with a fast path for literal labels."""
        s = self.squeezed_index(start)
        e = len(self.squeezed) if end is None else self.squeezed_index(end)
        out = []
        for pattern in patterns:
            plan = _plan(pattern.pattern)
            if plan is None:
                out.append(self.find_all(pattern, start, end))
                continue
            hits = []
            for prefix, literal in plan:
                pos = self.squeezed.find(literal, s, e)
                while pos != -1:
                    first = pos
                    if prefix is not None:
                        for q in range(max(s, pos - 3), pos):
                            m = prefix.match(self.squeezed, q, pos)
                            if m and m.end() == pos:
                                first = q
                                break
                    last = pos + len(literal)
                    hits.append(
                        Hit(
                            self.to_original(first), self.to_original(last - 1) + 1, self.squeezed[first:last]
                        )
                    )
                    pos = self.squeezed.find(literal, last, e)
            hits.sort(key=lambda h: h.start)
            out.append(_drop_overlaps(hits))
        return out

    def find(self, pattern: re.Pattern[str], start: int = 0, end: int | None = None) -> Hit | None:
        s = self.squeezed_index(start)
        e = len(self.squeezed) if end is None else self.squeezed_index(end)
        m = pattern.search(self.squeezed, s, e)
        if not m:
            return None
        return Hit(self.to_original(m.start()), self.to_original(m.end() - 1) + 1, m.group())


_OPTIONAL_PREFIX = re.compile(r"^\(\?:(?P<prefix>[^()]*(?:\\\([^()]*\\\)[^()]*)*)\)\?(?P<core>.*)$")
_META = re.compile(r"[\\.^$*+?{}\[\]|()]")


@lru_cache(maxsize=256)
def _plan(pattern: str) -> list[tuple[re.Pattern[str] | None, str]] | None:
    """Split ``(?:PREFIX)?LITERAL|LITERAL`` patterns into (prefix regex, literal) pairs.

    ``str.find`` on a literal is far faster than a regex that can start with
    an optional numbering; patterns of any other shape return None and use
    the regex.
    """
    plan: list[tuple[re.Pattern[str] | None, str]] = []
    for alternative in _top_level_alternatives(pattern):
        m = _OPTIONAL_PREFIX.match(alternative)
        prefix, core = (re.compile(m.group("prefix")), m.group("core")) if m else (None, alternative)
        literal = core.replace("\\(", "(").replace("\\)", ")")
        if _META.search(literal) or not literal:
            return None
        plan.append((prefix, literal))
    return plan


def _top_level_alternatives(pattern: str) -> list[str]:
    parts, depth, current, escaped = [], 0, "", False
    for ch in pattern:
        if escaped:
            current += ch
            escaped = False
            continue
        if ch == "\\":
            escaped = True
            current += ch
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def _drop_overlaps(hits: list[Hit]) -> list[Hit]:
    out: list[Hit] = []
    for h in hits:
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out


def find_chain(
    stream: Stream, patterns: list[re.Pattern[str]], start: int = 0, end: int | None = None
) -> list[Hit | None]:
    """One hit per label of a table, in table order (:func:`best_chain` of every label's hits)."""
    return best_chain(stream.find_each(patterns, start, end))


def best_chain(candidates: list[list[Hit]]) -> list[Hit | None]:
    """Pick one hit per label so that picked hits stand in label order.

    ``candidates[i]`` are the hits of the i-th label in table order. The
    chain keeps as many labels as possible, in increasing text position, and
    among equally long chains the most compact one (prose mentions of a row
    label such as "予以公开" stand far from the table and lose). Labels
    with no place in the chain get ``None``; among equal chains the one whose
    hits come first in ``candidates`` wins.

    Linear in the number of hits times the number of labels, so text size
    alone cannot make it slow (comparing every hit with every other was
    quadratic: 4 MB of text took 46 s). Hits are visited by text position; a
    hit becomes a possible predecessor once the visit passes its end, and
    each label keeps only its best predecessor so far.
    """
    nodes = [(i, h) for i, hs in enumerate(candidates) for h in hs]
    if not nodes:
        return [None] * len(candidates)
    # best[n] = (chain length, chain start, previous node or -1) of the best chain ending at node n
    best: list[tuple[int, int, int]] = [(0, 0, -1)] * len(nodes)
    # per label: key (length, start, -node) of its best finished node; ties go to the lowest node
    finished: list[tuple[int, int, int] | None] = [None] * len(candidates)
    by_start = sorted(range(len(nodes)), key=lambda n: nodes[n][1].start)
    by_end = sorted(range(len(nodes)), key=lambda n: nodes[n][1].end)
    ended = 0
    for n in by_start:
        i, h = nodes[n]
        while ended < len(by_end) and nodes[by_end[ended]][1].end <= h.start:
            m = by_end[ended]
            key = (best[m][0], best[m][1], -m)
            j = nodes[m][0]
            if finished[j] is None or key > finished[j]:
                finished[j] = key
            ended += 1
        prev = max((k for k in finished[:i] if k is not None), default=None)
        best[n] = (prev[0] + 1, prev[1], -prev[2]) if prev is not None else (1, h.start, -1)
    end = max(range(len(nodes)), key=lambda n: (best[n][0], best[n][1]))
    chain: list[Hit | None] = [None] * len(candidates)
    n = end
    while n != -1:
        i, h = nodes[n]
        chain[i] = h
        n = best[n][2]
    return chain
