"""Before a run: which options apply, and whether it can run at all — everything checked before work starts.

plan_training resolves the options (given over the checkpoint's, the preset's or the defaults), and refuses,
each as one line, in this order: a missing corpus, a checkpoint that is corrupt or already finished, an output
that exists (without --force) or cannot be written or has no room, a TMPDIR without room for the token store,
and a run whose memory would exceed what the machine has. Not here: the run itself (session.py).
"""

from __future__ import annotations

import dataclasses
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..data.corpus import corpus_files
from ..errors import ConfigError
from ..vectors.checkpoint import ModelFile, load_model
from .checks import check_memory, check_output_folder, check_token_space
from .config import MODEL_FIELDS, PHRASE_FIELDS, PRESETS, TrainConfig, procedure_of


@dataclass(frozen=True)
class Plan:
    corpus: Path
    config: TrainConfig
    checkpoint: ModelFile | None
    out: Path
    workers: int
    resume: Path | None = None
    init: tuple[Path, ModelFile] | None = None  # --init: the trained model to continue from (continued.py)


def resolve_config(given: dict, preset: str | None, resume: Path | None,
                   init: ModelFile | None = None) -> tuple[TrainConfig, ModelFile | None]:
    """Options the user gave, over the checkpoint's (when resuming), the --init model's, the preset's or the
    defaults."""
    if resume is not None:
        checkpoint = load_model(resume)
        saved = TrainConfig.from_json(checkpoint.config, resume)
        config = dataclasses.replace(saved, **given)
        changed = [f for f in MODEL_FIELDS + PHRASE_FIELDS if getattr(config, f) != getattr(saved, f)]
        if changed:
            raise ConfigError(f"cannot resume {resume} with different options: {', '.join(changed)} "
                              "(drop them to continue with the checkpoint's)")
        return config.validate(), checkpoint
    if init is not None:
        if preset or given.get("preset"):
            raise ConfigError("--init continues a model with its own options; it cannot take --preset")
        saved = TrainConfig.from_json(init.config, "the --init model")
        if saved.subwords or given.get("subwords"):
            raise ConfigError("--init does not continue subword models yet; train them with --resume only")
        if given.get("dim", saved.dim) != saved.dim:
            raise ConfigError(f"--dim {given['dim']} differs from the --init model's dimension {saved.dim}; "
                              "drop --dim to keep it")
        return dataclasses.replace(saved, **given).validate(), None
    base = PRESETS[preset] if preset else TrainConfig()
    return dataclasses.replace(base, **given).validate(), None


def check_output(out: Path, *, force: bool, resume: Path | None) -> None:
    if out.exists() and not force and (resume is None or out.resolve() != resume.resolve()):
        raise ConfigError(f"{out} already exists; use --force to overwrite it or --resume {out} to continue it")
    if out.exists() and out.is_dir():
        raise ConfigError(f"--out {out} is a folder")
    if not out.parent.exists():
        raise ConfigError(f"folder {out.parent} does not exist")


def check_rereadable(corpus: Path, files: list[Path]) -> None:
    """--phrases reads the corpus once per phrase pass and once more to store it: a stream cannot be read again."""
    if any(str(corpus) == "-" or stat.S_ISFIFO(os.stat(file).st_mode) for file in files):
        raise ConfigError(f"--phrases reads the corpus several times, and {corpus} is a stream that can be read only "
                          "once: save it to a file first, or write the phrased text with w2v phrases and pipe that")


def default_workers() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def plan_training(corpus: Path, given: dict, *, preset: str | None = None, resume: Path | None = None,
                  out: Path | None = None, force: bool = False, workers: int | None = None,
                  init: Path | None = None) -> Plan:
    """The run to make, or the one line saying why it cannot be made (W2VError)."""
    files = corpus_files(corpus)
    if init is not None and resume is not None:
        raise ConfigError("--init starts a new run from a model and --resume continues a stopped one: give one")
    init_model = load_model(init) if init is not None else None
    if init_model is not None and not procedure_of(init_model.config).continuable:
        raise ConfigError(f"{init} was trained with --preset {init_model.config['preset']}, which cannot be "
                          "continued")
    config, checkpoint = resolve_config(given, preset, resume, init_model)
    if config.phrases:
        check_rereadable(corpus, files)
    if checkpoint is not None and checkpoint.state.get("finished") is True:
        raise ConfigError(f"{resume} has finished training; there is nothing to resume (to train again, "
                          f"run without --resume, with --force to replace {resume})")
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers must be positive (got {workers})")
    workers = (workers or default_workers()) if procedure_of(config).parallel else 1
    out = out or resume or Path("model.npz")
    for file in files:  # never the corpus, however named (a link, another spelling), not even with --force
        if out.exists() and file.exists() and os.path.samefile(out, file):
            raise ConfigError(f"--out {out} is the corpus file {file}; choose another name for the model")
    check_output(out, force=force, resume=resume)
    start = checkpoint if checkpoint is not None else init_model
    vocab_at_least = len(start.words) if start is not None else 2  # the real size is checked later
    check_memory(config, vocab_at_least, workers)
    check_output_folder(out, vocab_at_least, config.dim)
    check_token_space(files)
    return Plan(corpus, config, checkpoint, out, workers, resume, None if init is None else (init, init_model))
