"""Time `w2v evaluate`'s analogy scoring: all of questions-words.txt against a 30K-word vocabulary.

The vocabulary holds every word of the questions (so all 19,544 are answered) at random ranks among random
filler words, with random vectors: the timing depends on the shapes, not on the vectors' quality. With
--gensim, times gensim's evaluate_word_analogies on the same vectors and checks that the counts agree.

    python benchmarks/bench_evaluate.py [--vocab 30000] [--dim 100] [--gensim]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from w2vcli import evalfiles, evaluate
from w2vcli.vectors.embeddings import Embeddings

QUESTIONS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "eval" / "questions-words.txt"


def vocabulary(questions: Path, size: int, dim: int, rng: np.random.Generator) -> Embeddings:
    found = evalfiles.read_analogies(questions)
    question_words = sorted({word.lower() for s in found.sections for q in s.questions for word in q})
    filler = [f"filler{i}" for i in range(size - len(question_words))]
    words = [(question_words + filler)[i] for i in rng.permutation(size)]
    return Embeddings(words, rng.normal(size=(size, dim)).astype(np.float32))


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--vocab", type=int, default=30_000, help="vocabulary size V")
    parser.add_argument("--dim", type=int, default=100, help="vector dimension d")
    parser.add_argument("--gensim", action="store_true", help="also time gensim (slow) and compare counts")
    args = parser.parse_args()
    if not args.questions.is_file():
        raise SystemExit(f"{args.questions} is absent; see ../shared/data/README.md")
    embeddings = vocabulary(args.questions, args.vocab, args.dim, np.random.default_rng(0))
    _, warm = timed(lambda: embeddings.unit_vectors)
    print(f"{args.questions.name} against V={args.vocab} words, d={args.dim} (normalising: {warm:.2f} s)")
    for method in evaluate.METHODS:
        result, seconds = timed(lambda: evaluate.evaluate_analogies(embeddings, args.questions, method=method))
        total = result.total
        print(f"  w2vcli {method:6}  {seconds:6.2f} s  {total.answered} answered, {total.skipped} skipped, "
              f"accuracy {total.accuracy:.4%}")
    if args.gensim:
        from gensim.models import KeyedVectors

        kv = KeyedVectors(args.dim)
        kv.add_vectors(embeddings.words, embeddings.vectors)
        (score, _), seconds = timed(lambda: kv.evaluate_word_analogies(str(args.questions)))
        add = evaluate.evaluate_analogies(embeddings, args.questions).total.accuracy
        print(f"  gensim add     {seconds:6.2f} s  accuracy {score:.4%} ({'equal' if score == add else 'DIFFERENT'})")


if __name__ == "__main__":
    main()
