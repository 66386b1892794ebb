"""`w2v info`: the story of a model file, and the one-line warning query commands give for an unfinished one.

A .npz model tells where it came from: corpus path and size, tokens trained, time and speed, finished or where it
stopped (epoch x of y, and the command that resumes it), final loss, the scores of evaluation during training
(and the epoch --keep-best kept), and the options that apply to its kind of model (no cs224n options on a
skip-gram model). A word2vec file tells its size only. Older model files lack some
state fields (train_seconds, corpus_tokens, corpus_bytes): what is there is shown. Not here: reading the files
(vectors/checkpoint.py, vectors/embeddings.py) or rendering (display.py).
"""

from __future__ import annotations

import shlex
from pathlib import Path

from .display import print_result_json, print_table, print_warning
from .options import DEFAULT_MODEL, JsonFlag, ModelPath
from ..vectors.checkpoint import load_metadata, load_model
from ..vectors.formats import format_of


# The TrainConfig fields each kind of run reads (training/trainer.py, training/cs224n.py, training/session.py).
_COMMON = ("model", "loss", "dim", "window", "lr", "min_count", "max_vocab", "seed", "lowercase")
_NEGATIVE_SAMPLING = ("negatives", "ns_exponent")
APPLIES = {
    "word2vec": _COMMON + ("epochs", "min_lr", "sample", "batch_size", "max_repeats", "sentence_ends"),
    "word2vec neg": _NEGATIVE_SAMPLING + ("shared_negatives",),
    "cs224n": ("preset",) + _COMMON,
    "cs224n neg": _NEGATIVE_SAMPLING,
    "subwords": ("subwords", "min_n", "max_n", "buckets"),  # shown when on (fastText's model)
    "phrases": ("phrases", "phrase_passes", "phrase_threshold", "phrase_min_count", "phrase_scoring"),  # when on
}


def info(model: ModelPath = DEFAULT_MODEL, as_json: JsonFlag = False) -> None:
    """The story of a model: corpus, tokens trained, time and speed, finished or where it stopped and how to
    resume, final loss, and the options of its kind of model; for a word2vec file, its size.

    Example: w2v info -m model.npz
    """
    story = model_story(model)
    if as_json:
        print_result_json("info", story)
    else:
        print_table(str(model), ("property", "value"), story_rows(story))


def applicable_options(config: dict) -> dict:
    """The options of config that its kind of run reads, in TrainConfig's order."""
    import dataclasses

    from ..training.config import TrainConfig

    kind = config.get("preset") if config.get("preset") in APPLIES else "word2vec"
    names = APPLIES[kind] + (APPLIES[f"{kind} neg"] if config.get("loss", "neg") == "neg" else ())
    names += APPLIES["subwords"] if config.get("subwords") else ()
    names += APPLIES["phrases"] if config.get("phrases") else ()
    order = [field.name for field in dataclasses.fields(TrainConfig)]
    return {name: config[name] for name in sorted(config, key=lambda n: order.index(n) if n in order else len(order))
            if name in names}


def model_story(path: Path) -> dict:
    """Everything `w2v info` shows, as JSON-ready values (None where the file does not say)."""
    fmt = format_of(path)
    if fmt is not None:
        from ..vectors.embeddings import load_vectors

        from ..vectors.fasttext import is_fasttext_bin

        embeddings = load_vectors(path)
        fmt = "fastText .bin" if fmt == "binary" and is_fasttext_bin(path) else f"word2vec {fmt}"
        return {"model": str(path), "format": fmt, "file_bytes": path.stat().st_size,
                "vocabulary": len(embeddings), "dimension": embeddings.dim, "lowercase": embeddings.lowercase,
                "training": None}
    if path.suffix.lower() != ".npz":
        from ..vectors.embeddings import load_vectors

        load_vectors(path)  # names an unknown format as the query commands do
    loaded = load_model(path)
    return {"model": str(path), "format": "w2vcli .npz", "file_bytes": path.stat().st_size,
            "vocabulary": len(loaded.words), "dimension": int(loaded.center_vectors.shape[1]),
            "lowercase": bool(loaded.config.get("lowercase", False)),
            "training": training_story(path, loaded.config, loaded.state, loaded.loss_history)}


def training_story(path: Path, config: dict, state: dict, loss_history) -> dict:
    from ..training.config import CS224N_SCHEDULE, procedure_of

    steps = procedure_of(config).unit == "steps"
    done = state.get("step") if steps else state.get("tokens_trained", state.get("words_done"))
    seconds = state.get("train_seconds")
    finished = state.get("finished")
    story = {"finished": finished, "unit": "steps" if steps else "tokens",
             "done": done, "total": CS224N_SCHEDULE.iterations if steps else None,
             "epoch": None, "epochs": None if steps else config.get("epochs"),
             "corpus": state.get("corpus"), "corpus_bytes": state.get("corpus_bytes"),
             "corpus_tokens": state.get("corpus_tokens"), "train_seconds": seconds,
             "per_second": done / seconds if done and seconds else None,
             "final_loss": float(loss_history[-1]) if len(loss_history) else state.get("smoothed_loss"),
             "continued_from": state.get("init") or None, "resume_command": None,
             "evaluations": evaluation_story(path, state), "best_epoch": state.get("best_epoch") or None,
             "options": applicable_options(config)}
    if not steps and "epoch" in state and story["epochs"]:
        story["epoch"] = story["epochs"] if finished else min(int(state["epoch"]) + 1, story["epochs"])
    if story["corpus_tokens"] and story["epochs"] and done is not None:
        story["total"] = story["corpus_tokens"] * story["epochs"]
    if finished is False:
        story["resume_command"] = resume_command(story["corpus"], path)
    return story


def evaluation_story(path: Path, state: dict) -> list[dict]:
    """The scores of evaluation during training (--eval-analogies, --eval-pairs), one per epoch end or stop,
    each checked as it is read (training/evaluation.py)."""
    from ..errors import ModelFileError
    from ..training.evaluation import EpochScore

    entries = state.get("evaluations") or []
    if not isinstance(entries, list):
        raise ModelFileError(f"corrupt checkpoint {path}: state evaluations must be a list")
    per_epoch = state.get("corpus_tokens")
    story = []
    for score in (EpochScore.from_json(entry, path) for entry in entries):
        at_end = not isinstance(per_epoch, int) or score.words_done == score.epoch * per_epoch
        story.append({"epoch": score.epoch if at_end else score.epoch + 1, "stopped": not at_end,
                      "tokens": score.words_done, "analogies": score.analogies, "pairs": score.pairs})
    return story


def resume_command(corpus, path: Path) -> str:
    return f"w2v train {shlex.quote(corpus) if corpus else 'CORPUS'} --resume {shlex.quote(str(path))}"


def progress_text(training: dict) -> str:
    """'epoch 2 of 5 (31%)', 'step 12,000 of 40,000', or what the file says of it."""
    if training["unit"] == "steps":
        where = f"step {training['done']:,}" if training["done"] is not None else "step unknown"
        return where + (f" of {training['total']:,}" if training["total"] else "")
    where = f"epoch {training['epoch']} of {training['epochs']}" if training["epoch"] else "epoch unknown"
    if training["total"] and not training["finished"]:
        where += f" ({100 * training['done'] / training['total']:.0f}% of the tokens)"
    return where


def story_rows(story: dict) -> list[tuple[str, str]]:
    rows = [("file", story["model"]), ("format", story["format"]), ("file size", human_bytes(story["file_bytes"])),
            ("vocabulary", f"{story['vocabulary']:,}"), ("dimension", str(story["dimension"]))]
    training = story["training"]
    if training is None:
        return rows + [("lowercase", str(story["lowercase"]).lower())]
    return rows + _training_rows(training) + [(f"--{name.replace('_', '-')}", _option(value))
                                              for name, value in training["options"].items()]


def _training_rows(training: dict) -> list[tuple[str, str]]:
    rows = []
    if training["corpus"]:
        sizes = [human_bytes(training["corpus_bytes"]) if training["corpus_bytes"] is not None else None,
                 f"{training['corpus_tokens']:,} tokens" if training["corpus_tokens"] is not None else None]
        sizes = [size for size in sizes if size]
        rows.append(("corpus", training["corpus"] + (f" ({', '.join(sizes)})" if sizes else "")))
    if training["continued_from"]:
        rows.append(("continued from", training["continued_from"]))
    if training["finished"] is not None:
        rows.append(("status", ("finished, " if training["finished"] else "unfinished: stopped in ")
                     + progress_text(training)))
    if training["resume_command"]:
        rows.append(("resume with", training["resume_command"]))
    label = "SGD steps" if training["unit"] == "steps" else "tokens trained"
    rows.append((label, "unknown" if training["done"] is None else f"{int(training['done']):,}"))
    if training["train_seconds"] is not None:
        speed = f" ({rate_text(training['per_second'], training['unit'])})" if training["per_second"] else ""
        rows.append(("training time", f"{training['train_seconds']:,.1f} s{speed}"))
    loss = training["final_loss"]
    rows.append(("final loss", "none recorded" if loss is None or loss != loss else f"{loss:.4f}"))
    return rows + _evaluation_rows(training)


def _evaluation_rows(training: dict) -> list[tuple[str, str]]:
    """One row per evaluation during training ('scores, epoch 2': 'analogies 50.26% · pairs 0.8286'), the
    epoch --keep-best kept marked, and which epoch that was."""
    rows = []
    for score in training["evaluations"]:
        parts = ([f"analogies {100 * score['analogies']:.2f}%"] if score["analogies"] is not None else []) + \
                ([f"pairs {score['pairs']:.4f}"] if score["pairs"] is not None else [])
        kept = " (kept)" if score["epoch"] == training["best_epoch"] and not score["stopped"] else ""
        where = f"stopped in epoch {score['epoch']}" if score["stopped"] else f"epoch {score['epoch']}"
        rows.append((f"scores, {where}", " · ".join(parts or ["none computable"]) + kept))
    if training["best_epoch"]:
        rows.append(("kept by --keep-best", f"epoch {training['best_epoch']}"))
    return rows


def _option(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def rate_text(rate: float, unit: str) -> str:
    return f"{rate / 1000:,.0f}K {unit}/s" if rate >= 10_000 else f"{rate:,.0f} {unit}/s"


def human_bytes(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000


def warn_if_unfinished(path: Path, embeddings) -> None:
    """One stderr line when the vectors come from a checkpoint whose training has not finished."""
    if format_of(path) is not None:
        return
    state = getattr(embeddings, "state", None)  # vectors/embeddings.py's Embeddings.state, where present
    config, state = load_metadata(path) if state is None else (None, state)
    if not isinstance(state, dict) or state.get("finished") is not False:
        return
    config = config if config is not None else load_metadata(path)[0]
    training = training_story(path, config, state, ())
    print_warning(f"{path} is an unfinished checkpoint, stopped in {progress_text(training)}; its vectors are not "
                  f"final. Resume with: {training['resume_command']}")

