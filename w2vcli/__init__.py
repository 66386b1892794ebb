"""w2vcli: word2vec on the command line, the math made visible and verified.

The public API mirrors the CS224n handout: the losses and models of core.py, the gradient checker, and the
batched forms that training runs; then the pieces of a training run (Vocab, TrainConfig, train) and of its
results (the .npz model file, Embeddings). Importing it loads NumPy only: no CLI, terminal or plotting library.
"""

from .math.batched import Block, block_gradient, block_loss_and_gradient
from .math.core import (cbow, naive_softmax_loss_and_gradient, neg_sampling_loss_and_gradient,
                   neg_sampling_with_sampler, sample_negatives, sigmoid, skipgram, softmax)
from .vectors.checkpoint import ModelFile, load_model, save_model
from .errors import W2VError
from .math.gradcheck import GradcheckResult, gradcheck
from .training.config import CS224N, TrainConfig, TrainState
from .vectors.embeddings import Embeddings, load_vectors
from .data.vocab import Vocab

__version__ = "0.1.0"

__all__ = [
    "CS224N", "Embeddings", "ModelFile", "TrainConfig", "TrainState", "Vocab", "load_model", "load_vectors",
    "save_model", "Block", "GradcheckResult", "W2VError", "__version__", "block_gradient", "block_loss_and_gradient", "cbow",
    "gradcheck", "naive_softmax_loss_and_gradient", "neg_sampling_loss_and_gradient", "neg_sampling_with_sampler",
    "sample_negatives", "sigmoid", "skipgram", "softmax",
]
