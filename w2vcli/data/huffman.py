"""The Huffman tree of the vocabulary, for hierarchical softmax: frequent words get short paths.

word2vec.c's CreateBinaryTree: the words sorted by count, most frequent first, are the leaves; two queues (the
leaves from the rarest up, and the inner nodes in the order they are made, which come out in ascending count)
give the two smallest nodes at each of the V − 1 merges in O(V). The smaller node becomes the left child (code 0),
the other the right (code 1); on a tie between a leaf and an inner node the inner node is taken, and among equal
leaves the later (rarer-ranked) one, as word2vec does. Deterministic for a given vocabulary. The path arrays
themselves are math/hs.py's (TreePaths); here only which merges the counts call for.
Not here: the loss (math/hs.py), the vocabulary (vocab.py).
"""

from __future__ import annotations

import numpy as np

from ..math.hs import TreePaths, paths_from_merges


def huffman_merges(counts) -> tuple[np.ndarray, np.ndarray]:
    """The V − 1 merges of the Huffman tree of counts (V,), sorted descending: (first (V−1,), second (V−1,)),
    node ids as in math.hs.paths_from_merges (words 0..V−1, merge a makes node V + a)."""
    counts = [int(c) for c in np.asarray(counts, dtype=np.int64)]
    V = len(counts)
    if V < 2 or any(a < b for a, b in zip(counts, counts[1:])):
        raise ValueError("a Huffman tree needs two or more counts sorted in descending order")
    weight = counts + [0] * (V - 1)  # (2V − 1,)  the counts of the inner nodes are filled in as they are made
    leaf, inner = V - 1, V  # heads of the two queues: the rarest unused leaf, the oldest unused inner node
    first, second = [], []
    for a in range(V - 1):
        pair = []
        for _ in range(2):
            if leaf >= 0 and (inner >= V + a or weight[leaf] < weight[inner]):
                pair.append(leaf)
                leaf -= 1
            else:
                pair.append(inner)
                inner += 1
        weight[V + a] = weight[pair[0]] + weight[pair[1]]
        first.append(pair[0])
        second.append(pair[1])
    return np.array(first, dtype=np.int64), np.array(second, dtype=np.int64)


def huffman_paths(counts, *, root_first: bool = False) -> TreePaths:
    """Every word's path in the Huffman tree of counts (V,), sorted descending (a Vocab's counts).

    Inner nodes are numbered as word2vec does (in the order they are made, the root last, V − 2), or with
    root_first from the root down (the root 0): then, as with word ids, the nodes on most paths have the smallest
    ids, which keeps the ids of the rows repeated most within a block small, as for words.
    """
    paths = paths_from_merges(*huffman_merges(counts))
    if not root_first:
        return paths
    points = np.where(paths.mask > 0, len(paths) - 2 - paths.points, 0).astype(np.int32)
    return TreePaths(points, paths.codes, paths.lengths)
