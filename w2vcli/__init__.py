"""w2vcli: word2vec on the command line, the math made visible and verified.

The public API mirrors the CS224n handout: the losses and models of core.py, the gradient checker, and the
batched forms that training runs; then the pieces of a training run (Vocab, TrainConfig, train) and of its
results (the .npz model file, Embeddings). Importing it loads nothing more: each name loads its module, and
NumPy, on first use (so that the `w2v` console script, console.py, can choose NumPy's BLAS threads before NumPy
loads); never a CLI, terminal or plotting library.
"""

import importlib

_EXPORTS = {  # public name -> the module that defines it, imported on first use
    "Block": "math.batched", "block_gradient": "math.batched", "block_loss_and_gradient": "math.batched",
    "cbow": "math.core", "naive_softmax_loss_and_gradient": "math.core", "neg_sampling_loss_and_gradient": "math.core",
    "neg_sampling_with_sampler": "math.core", "sample_negatives": "math.core", "sigmoid": "math.core",
    "skipgram": "math.core", "softmax": "math.core",
    "ModelFile": "vectors.checkpoint", "load_model": "vectors.checkpoint", "save_model": "vectors.checkpoint",
    "W2VError": "errors", "GradcheckResult": "math.gradcheck", "gradcheck": "math.gradcheck",
    "CS224N": "training.config", "TrainConfig": "training.config", "TrainState": "training.config",
    "Embeddings": "vectors.embeddings", "load_vectors": "vectors.embeddings", "Vocab": "data.vocab",
}


def __getattr__(name: str):
    """The public API's names, each imported from its module on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__version__ = "0.1.0"

__all__ = [
    "CS224N", "Embeddings", "ModelFile", "TrainConfig", "TrainState", "Vocab", "load_model", "load_vectors",
    "save_model", "Block", "GradcheckResult", "W2VError", "__version__", "block_gradient", "block_loss_and_gradient", "cbow",
    "gradcheck", "naive_softmax_loss_and_gradient", "neg_sampling_loss_and_gradient", "neg_sampling_with_sampler",
    "sample_negatives", "sigmoid", "skipgram", "softmax",
]
