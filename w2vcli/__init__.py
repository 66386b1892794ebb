"""w2vcli: word2vec on the command line, the math made visible and verified.

The public API mirrors the CS224n handout: the losses and models of core.py, the gradient checker, and the
batched forms that training runs.
"""

from .batched import Block, block_gradient, block_loss_and_gradient
from .core import (cbow, naive_softmax_loss_and_gradient, neg_sampling_loss_and_gradient,
                   neg_sampling_with_sampler, sample_negatives, sigmoid, skipgram, softmax)
from .errors import W2VError
from .gradcheck import GradcheckResult, gradcheck

__version__ = "0.1.0"

__all__ = [
    "Block", "GradcheckResult", "W2VError", "__version__", "block_gradient", "block_loss_and_gradient", "cbow",
    "gradcheck", "naive_softmax_loss_and_gradient", "neg_sampling_loss_and_gradient", "neg_sampling_with_sampler",
    "sample_negatives", "sigmoid", "skipgram", "softmax",
]
