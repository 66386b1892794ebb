"""The errors a user can cause. Each message is the one line the CLI prints; the CLI turns them into exit codes.

exit_code follows the README's table: 1 for a problem with the data or the run (a file missing, unreadable or
malformed, an unknown word, divergence), 2 for a usage problem (an impossible option or combination of options,
an output that exists). Not for bugs: a bug raises whatever Python raises and shows its traceback.
"""


class W2VError(Exception):
    """Base class: str(error) is the user-facing line."""

    exit_code = 1


class ConfigError(W2VError):
    """An impossible option or combination of options."""

    exit_code = 2


class CorpusError(W2VError):
    """A corpus that is missing, binary, empty, or yields too small a vocabulary."""


class ModelFileError(W2VError):
    """A model or vectors file that is missing, truncated, corrupt, foreign or incompatible."""


class UnknownWordError(W2VError):
    """A word that is not in the vocabulary."""


class TrainingDiverged(W2VError):
    """The loss became NaN or infinite."""
