"""Continued training (`w2v train MORE --init MODEL`): a trained model as the start of a new run over more text.

The vocabulary is the union, as gensim's build_vocab(update=True) makes it: every word of the model, its count
increased by its count in the new corpus, and every new word the new corpus holds at least --min-count times
(--max-vocab never drops a word of the model). Words are sorted again by the merged counts, so ids stay frequency
ranks (the samplers and the Huffman tree rely on it). Each word of the model keeps its vectors; new words start as
in a fresh run (center uniform in [−0.5, 0.5)/d, outside zero). With --loss hs (or a model trained with it) the
outside rows are the inner nodes of a tree that the new counts change, so they start from zero again. The run is
an ordinary one with a fresh learning-rate schedule over the new corpus; its state records `init`, and a stopped
run resumes like any other (resume_vocab checks that it is given the same corpus).
Not here: the run itself (session.py), option handling (plan.py).
"""

from __future__ import annotations

import numpy as np

from ..data.corpus import TokenStore
from ..data.vocab import Vocab
from ..errors import ConfigError
from ..vectors.checkpoint import ModelFile
from .config import TrainConfig
from .trainer import init_params


def continued_vocab(init: ModelFile, store: TokenStore, config: TrainConfig) -> Vocab:
    """The model's words with merged counts, plus the new corpus's words seen at least min_count times."""
    new_counts = dict(zip(store.words, store.counts.tolist()))
    merged = {word: int(count) + new_counts.get(word, 0) for word, count in zip(init.words, init.counts)}
    for word, count in new_counts.items():
        if word not in merged and count >= config.min_count:
            merged[word] = count
    return Vocab.from_counts(list(merged), list(merged.values()), min_count=1)


def continued_params(init: ModelFile, vocab: Vocab, config: TrainConfig, rng: np.random.Generator):
    """(center, outside) (V, d) float32: the model's rows for its words, a fresh start for the new ones."""
    if init.center_vectors.shape[1] != config.dim:
        raise ConfigError(f"--dim {config.dim} differs from the --init model's dimension "
                          f"{init.center_vectors.shape[1]}; drop --dim to keep it")
    center, outside = init_params(len(vocab), config.dim, rng)
    old_rows = {word: row for row, word in enumerate(init.words)}
    rows = np.array([old_rows.get(word, -1) for word in vocab.words], dtype=np.int64)  # (V,)
    kept = rows >= 0
    center[kept] = init.center_vectors[rows[kept]]
    if config.loss != "hs" and init.config.get("loss") != "hs":
        outside[kept] = init.outside_vectors[rows[kept]]
    return center, outside


def resume_vocab(checkpoint: ModelFile, store: TokenStore, config: TrainConfig, corpus) -> Vocab:
    """The vocabulary of a stopped continued run: the checkpoint's, once the corpus is shown to be the one it
    continued over (its tokens are counted in the vocabulary, and every word it has min_count times is in it)."""
    vocab = Vocab(list(checkpoint.words), np.asarray(checkpoint.counts, dtype=np.int64))
    ids = vocab.remap(store.words)  # (corpus words,)
    known = ids >= 0
    in_vocab = np.bincount(ids[known], weights=store.counts[known], minlength=len(vocab))  # (V,)
    missing = np.any(~known & (store.counts >= config.min_count))
    if missing or np.any(in_vocab > vocab.counts) or checkpoint.state.get("corpus_tokens") != store.n_tokens:
        raise ConfigError(f"{corpus} is not the corpus this continued run was trained on "
                          "(its words or token count differ)")
    return vocab
