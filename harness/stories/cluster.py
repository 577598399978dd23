"""Stories from similarity edges: average-linkage clustering over the sparse candidate graph.

Connected components of "similar" edges chain: A is like B, B like C, and soon a week
of politics is one story. Average linkage (UPGMA) merges two clusters only while the
*mean* similarity over all their cross pairs is at least the threshold, a pair that
was never a candidate counting as 0: a newcomer must resemble the whole story, not
one member of it. (Edges below half the threshold are dropped and count as 0 too.)

Copies are a special case: an article and its copies (near-duplicate edges, e.g.
from wire-copy discovery) are merged first, whatever their similarity to the rest,
and then take part as one cluster.

Merges are taken best first, ties broken by the clusters' smallest positions; as the
positions are those of the documents sorted by doc_id, the clusters do not depend on
the order the articles came in.
"""

from __future__ import annotations

import heapq

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
# Edges weaker than this share of the threshold count as 0, like pairs that were never
# candidates: they barely move a mean, and most candidate pairs are such chance pairs.
EDGE_FLOOR = 0.5
FloatArray = npt.NDArray[np.float64]


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:  # the smaller position is the root: deterministic
            self.parent[max(rx, ry)] = min(rx, ry)


def _copy_groups(n: int, copy_a: IntArray, copy_b: IntArray) -> list[int]:
    groups = _UnionFind(n)
    for x, y in zip(copy_a.tolist(), copy_b.tolist(), strict=True):
        groups.union(x, y)
    return [groups.find(i) for i in range(n)]


def average_linkage(
    n: int,
    a: IntArray,
    b: IntArray,
    similarity: FloatArray,
    *,
    threshold: float,
    copy_a: IntArray | None = None,
    copy_b: IntArray | None = None,
) -> IntArray:
    """Each position's cluster, named by its smallest member position."""
    empty = np.zeros(0, dtype=np.int64)
    start = _copy_groups(n, copy_a if copy_a is not None else empty, copy_b if copy_b is not None else empty)
    size: dict[int, int] = {}
    for root in start:
        size[root] = size.get(root, 0) + 1
    sums: dict[int, dict[int, float]] = {root: {} for root in size}
    floor = threshold * EDGE_FLOOR
    for x, y, s in zip(a.tolist(), b.tolist(), similarity.tolist(), strict=True):
        rx, ry = start[x], start[y]
        if rx != ry and s >= floor:
            sums[rx][ry] = sums[rx].get(ry, 0.0) + s
            sums[ry][rx] = sums[ry].get(rx, 0.0) + s
    heap: list[tuple[float, int, int]] = []

    def push(x: int, y: int) -> None:
        mean = sums[x][y] / (size[x] * size[y])
        if mean >= threshold:
            heapq.heappush(heap, (-mean, min(x, y), max(x, y)))

    for x in sorted(sums):
        for y in sorted(sums[x]):
            if x < y:
                push(x, y)
    merged_into: dict[int, int] = {}
    while heap:
        negative, x, y = heapq.heappop(heap)
        if x in merged_into or y in merged_into or sums[x].get(y) is None:
            continue
        if sums[x][y] / (size[x] * size[y]) != -negative:
            continue  # stale: the pair's mean changed and was pushed again
        _merge(x, y, sums, size, merged_into)
        for other in sorted(sums[x]):
            push(x, other)
    labels = np.empty(n, dtype=np.int64)
    for i, root in enumerate(start):
        while root in merged_into:
            root = merged_into[root]
        labels[i] = root
    return labels


def _merge(keep: int, gone: int, sums: dict[int, dict[int, float]], size: dict[int, int], merged_into: dict[int, int]) -> None:
    """Cluster ``gone`` joins ``keep`` (the smaller position): their edge sums add up."""
    merged_into[gone] = keep
    size[keep] += size.pop(gone)
    links = sums.pop(gone)
    del sums[keep][gone]
    for other in sorted(links):
        if other == keep:
            continue
        total = links[other]
        del sums[other][gone]
        sums[keep][other] = sums[keep].get(other, 0.0) + total
        sums[other][keep] = sums[keep][other]
