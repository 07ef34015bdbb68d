"""The label chain: the linear search picks what the old quadratic one picked, and it is optimal.

:func:`etl.parse.stream.best_chain` was a comparison of every hit with every
other (4 MB of text took 46 s). The linear version must pick the very same
hits, ties included, or the accuracy table would move: ``quadratic`` below is
the old code, kept as the reference, and a brute force over every choice
checks that the chain it picks is the longest and, among the longest, the
most compact.
"""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.parse.stream import Hit, Stream, best_chain, find_chain


def quadratic(candidates: list[list[Hit]]) -> list[Hit | None]:
    """The chain search as it was up to parser 1.3.1; 1.3.2 made it linear (every node against every earlier node)."""
    nodes = [(i, h) for i, hs in enumerate(candidates) for h in hs]
    if not nodes:
        return [None] * len(candidates)
    best: list[tuple[int, int, int]] = []
    for n, (i, h) in enumerate(nodes):
        cand = (1, h.start, -1)
        for m in range(n):
            j, g = nodes[m]
            if j < i and g.end <= h.start:
                count, start, _ = best[m]
                option = (count + 1, start, m)
                if (option[0], option[1]) > (cand[0], cand[1]):
                    cand = option
        best.append(cand)
    end = max(range(len(nodes)), key=lambda n: (best[n][0], best[n][1]))
    chain: list[Hit | None] = [None] * len(candidates)
    n = end
    while n != -1:
        i, h = nodes[n]
        chain[i] = h
        n = best[n][2]
    return chain


def brute_force_score(candidates: list[list[Hit]]) -> tuple[int, int]:
    """(labels kept, start of the chain) of the best valid choice, trying every choice."""
    best = (0, 0)
    for choice in itertools.product(*([None, *hs] for hs in candidates)):
        picked = [h for h in choice if h is not None]
        if picked and all(a.end <= b.start for a, b in itertools.pairwise(picked)):
            best = max(best, (len(picked), picked[0].start))
    return best


def _hits(spans: list[tuple[int, int]]) -> list[Hit]:
    # a label's hits never overlap each other and come in text order (Stream.find_each)
    out: list[Hit] = []
    for start, length in sorted(spans):
        if out and start < out[-1].end:
            continue
        out.append(Hit(start, start + length, "x" * length))
    return out


SPANS = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 6)), max_size=4)


@settings(max_examples=400)
@given(st.lists(SPANS, min_size=0, max_size=7))
def test_the_linear_chain_is_the_quadratic_chain(labels: list[list[tuple[int, int]]]) -> None:
    candidates = [_hits(s) for s in labels]
    assert best_chain(candidates) == quadratic(candidates)


@settings(max_examples=200)
@given(st.lists(SPANS, min_size=1, max_size=5))
def test_the_chain_is_the_longest_and_then_the_most_compact(labels: list[list[tuple[int, int]]]) -> None:
    candidates = [_hits(s) for s in labels]
    chain = best_chain(candidates)
    picked = [h for h in chain if h is not None]
    assert all(a.end <= b.start for a, b in itertools.pairwise(picked))
    assert all(h is None or h in hs for h, hs in zip(chain, candidates, strict=True))
    score = (len(picked), picked[0].start) if picked else (0, 0)
    assert score == brute_force_score(candidates)


def test_prose_mentions_lose_to_the_table() -> None:
    text = "本机关予以公开的信息很多。\n" + "表格\n" + "予以公开 | 3\n部分公开 | 1\n不予公开 | 0\n"
    labels = [re.compile(p) for p in ("予以公开", "部分公开", "不予公开")]
    chain = find_chain(Stream(text), labels)
    assert [text[h.start : h.end] for h in chain if h] == ["予以公开", "部分公开", "不予公开"]
    assert chain[0] is not None and chain[0].start > text.index("表格")
