"""Style point 5: the math modules import no CLI, terminal or plotting library."""

import subprocess
import sys


def test_core_modules_import_no_typer_rich_or_matplotlib():
    code = ("import sys, w2vcli, w2vcli.core, w2vcli.batched, w2vcli.batches, w2vcli.gradcheck, w2vcli.checkpoint, "
            "w2vcli.vectors\n"
            "import importlib.util\n"
            "for name in ('train', 'corpus', 'vocab', 'sampling', 'evaluate', 'project', 'w2vformat', 'cs224n', 'parallel', 'processes', 'run'):\n"
            "    if importlib.util.find_spec('w2vcli.' + name):\n"
            "        __import__('w2vcli.' + name)\n"
            "print(sorted(m for m in ('typer', 'rich', 'matplotlib', 'click') if m in sys.modules))")
    # run.py (the training glue) may import threadpoolctl, nothing of the CLI
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
