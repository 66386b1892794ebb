"""Hostile model and vectors files, built here: each is refused in seconds, within ~200 MB, with one line.

The worst ones are read in a fresh process that reports its own peak RSS (VmHWM of /proc/self/status, which starts
anew at exec, unlike getrusage's ru_maxrss that keeps the forking parent's) and the time from the call to the
refusal, so the bound is measured on the reader alone, not on pytest's memory.
"""

import bz2
import gzip
import json
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from w2vcli.errors import ModelFileError
from w2vcli.vectors.checkpoint import ModelFile, load_model, save_model
from w2vcli.vectors.embeddings import load_vectors
from w2vcli.vectors.formats import read_word2vec, write_word2vec

ROOT = Path(__file__).resolve().parents[1]
MB = 1 << 20
PEAK_LIMIT_MB = 200
TIME_LIMIT_S = 15  # "a few seconds" on an idle machine; generous for a loaded CI runner

MEASURE = """
import json, resource, sys, time
from w2vcli.errors import ModelFileError
from w2vcli.vectors.embeddings import load_vectors
start = time.perf_counter()
try:
    load_vectors(sys.argv[1])
    message = None
except ModelFileError as error:
    message = str(error)
seconds = time.perf_counter() - start
try:
    status = open("/proc/self/status").read()
    peak_kb = int(status.split("VmHWM:")[1].split()[0])
except (OSError, IndexError):
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"message": message, "seconds": seconds, "peak_mb": peak_kb / 1024}))
"""


def measured_refusal(path: Path) -> dict:
    """Read path with load_vectors in a fresh process: its message, seconds and peak RSS in MB."""
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)


def repeated(opener, path: Path, head: bytes, block: bytes, copies: int) -> None:
    """head, then block copies times: one compressed member per copy, compressed once (gzip and bzip2 both read
    concatenated members as one stream)."""
    member = opener.compress(block, 9)
    with open(path, "wb") as file:
        file.write(opener.compress(head, 9))
        file.write(member * copies)


def model_arrays(words=("a", "b"), vectors=None) -> dict:
    vectors = np.ones((len(words), 3), np.float32) if vectors is None else vectors
    return {"format_version": np.int64(1), "center_vectors": vectors, "outside_vectors": np.zeros_like(vectors),
            "words": np.array(words), "counts": np.arange(len(words), 0, -1), "config": np.str_("{}"),
            "state": np.str_(json.dumps({"finished": True})), "loss_history": np.zeros(0)}


def npz_with(path: Path, replaced: str, write_member) -> None:
    """A valid two-word model whose member `replaced` is written by write_member(archive, name) instead."""
    with zipfile.ZipFile(path, "w", compresslevel=1) as archive:
        for key, array in model_arrays().items():
            if key == replaced:
                write_member(archive, f"{key}.npy")
            else:
                with archive.open(f"{key}.npy", "w") as file:
                    np.lib.format.write_array(file, np.asanyarray(array))


def npy_header(shape, descr="<f4") -> bytes:
    from io import BytesIO

    buffer = BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def zip_bomb(archive: zipfile.ZipFile, name: str) -> None:
    """512 MiB of float32 zeros, shape (32768, 4096), deflated to about 2 MB."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as file:
        file.write(npy_header((32768, 4096)))
        zeros = bytes(16 * MB)
        for _ in range(32):
            file.write(zeros)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """The worst files, built once: see each name."""
    folder = tmp_path_factory.mktemp("hostile")
    for count in (10**8, 10**9):  # 72-byte binary files whose header claims 10^8 or 10^9 words
        head = f"{count} 300\n".encode()
        (folder / f"claims{count}.bin").write_bytes(head + b"a " + bytes(70 - len(head)))
    # 1 MB of gzip that inflates to 1 GiB of spaces: with a header, without one, and as blank lines
    repeated(gzip, folder / "spaces.txt.gz", b"2 3\n", b" " * (16 * MB), 64)
    repeated(gzip, folder / "headless.txt.gz", b"", b" " * (16 * MB), 64)
    repeated(gzip, folder / "newlines.txt.gz", b"2 3\na 1 2 3\n", b"\n" * (16 * MB), 64)
    repeated(bz2, folder / "spaces.txt.bz2", b"2 3\n", b" " * (16 * MB), 64)
    # rows that look right forever, in 1 MB of gzip: a header claiming 10^6 words of dimension 300, then zeros
    row = b"w " + b"0 " * 299 + b"0\n"
    repeated(gzip, folder / "zeros.txt.gz", b"1000000 300\n", row * (16 * MB // len(row)), 16)
    repeated(gzip, folder / "zeros.bin.gz", b"2 300\n", b"\0" * (16 * MB), 64)
    npz_with(folder / "bomb.npz", "center_vectors", zip_bomb)
    npz_with(folder / "claims.npz", "center_vectors",
             lambda archive, name: archive.writestr(name, npy_header((10**6, 5000)) + bytes(24)))
    npz_with(folder / "notnpy.npz", "words", lambda archive, name: archive.writestr(name, b"hello, not an array"))
    return folder


HOSTILE = [
    ("claims100000000.bin", "is truncated: the header says 100,000,000 words of dimension 300"),
    ("claims1000000000.bin", "is truncated: the header says 1,000,000,000 words of dimension 300"),
    ("spaces.txt.gz", "inflates to more than 1.1 MB from 1.0 MB (more than its header's rows can hold)"),
    ("headless.txt.gz", "the first line is longer than 1.0 MB: not a word2vec file"),
    ("newlines.txt.gz", "inflates to more than"),
    ("spaces.txt.bz2", "inflates to more than 1.1 MB from 2.9 KB (over 10:1)"),
    ("zeros.txt.gz", "inflates to more than 16.8 MB from 9"),
    ("zeros.bin.gz", "inflates to more than"),
    ("bomb.npz", "member 'center_vectors' would inflate from"),
    ("claims.npz", "member 'center_vectors' claims shape (1000000, 5000) float32 (20.0 GB) but holds 24 bytes"),
    ("notnpy.npz", "member 'words' is not a .npy array"),
]


@pytest.mark.slow
@pytest.mark.parametrize("name, message", HOSTILE)
def test_hostile_files_are_refused_fast_in_bounded_memory(hostile, name, message):
    result = measured_refusal(hostile / name)
    assert result["message"] is not None and message in result["message"], result
    assert "\n" not in result["message"]
    assert result["seconds"] < TIME_LIMIT_S, result
    assert result["peak_mb"] < PEAK_LIMIT_MB, result
    print(f"{name}: {result['seconds']:.2f} s, peak {result['peak_mb']:.0f} MB: {result['message']}")


def test_a_long_line_is_refused_while_it_is_read(tmp_path):
    (tmp_path / "long.txt").write_bytes(b"1000 300\nword " + b"1" * (2 * MB))
    with pytest.raises(ModelFileError, match=r"long.txt: row 1 is longer than 1.0 MB: not a vectors file$"):
        read_word2vec(tmp_path / "long.txt", binary=False)


def test_a_big_honest_file_is_still_read(tmp_path):
    """The bounds refuse only the implausible: 20,000 x 300 text in gzip (about 2.4:1) reads back exactly."""
    rng = np.random.default_rng(0)
    words, vectors = [f"w{i}" for i in range(20_000)], rng.standard_normal((20_000, 300)).astype(np.float32)
    write_word2vec(tmp_path / "v.txt", words, vectors, binary=False)
    with open(tmp_path / "v.txt", "rb") as source, gzip.open(tmp_path / "v.txt.gz", "wb", compresslevel=1) as out:
        out.write(source.read())
    read_words, read_vectors = read_word2vec(tmp_path / "v.txt.gz", binary=False)
    assert read_words == words
    np.testing.assert_array_equal(read_vectors, vectors)


@pytest.mark.parametrize("name, content, message", [
    ("nan.txt", b"3 2\na 1 2\nb nan 4\nc 1 inf\n", "row 2 (word 'b') holds NaN or infinity"),
    ("inf.txt", b"a 1 2\nb 3 4\nc -inf 4\n", "row 3 (word 'c') holds NaN or infinity"),
    ("dup.txt", b"3 2\na 1 2\nb 3 4\na 5 6\n", "word 'a' appears twice (rows 1 and 3)"),
    ("nan.bin", b"2 1\na " + np.float32(1).tobytes() + b"\nb " + np.float32(np.nan).tobytes() + b"\n",
     "row 2 (word 'b') holds NaN or infinity"),
    ("esc.txt", b"2 1\n\x1b]0;x\x07 1\n\x1b]0;x\x07 2\n", r"word '\x1b]0;x\x07' appears twice"),
])
def test_non_finite_rows_and_duplicate_words_are_refused(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ModelFileError) as caught:
        load_vectors(tmp_path / name)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_diverged_model_is_refused_for_queries(tmp_path):
    vectors = np.ones((3, 2), np.float32)
    vectors[1, 0] = np.nan
    save_model(tmp_path / "m.npz", ModelFile(vectors, np.ones((3, 2)), ["a", "b", "c"], np.array([3, 2, 1])))
    with pytest.raises(ModelFileError, match=r"m.npz: model has non-finite vectors \(row 2, word 'b'\): it "
                                             r"diverged; retrain with a lower --lr$"):
        load_vectors(tmp_path / "m.npz")
    assert load_vectors(tmp_path / "m.npz", "outside").words == ["a", "b", "c"]  # that matrix is fine
    assert np.isnan(load_model(tmp_path / "m.npz").center_vectors[1, 0])  # training code decides for itself


def test_gensim_and_fasttext_files_are_named_with_the_way_out(tmp_path):
    (tmp_path / "vectors.kv").write_bytes(pickle.dumps({"not": "loaded"}, protocol=4))
    with pytest.raises(ModelFileError, match=r"looks like a gensim model .*save_word2vec_format"):
        load_vectors(tmp_path / "vectors.kv")
    (tmp_path / "pickle.npz").write_bytes(pickle.dumps([1], protocol=2))
    with pytest.raises(ModelFileError, match="looks like a gensim model"):
        load_vectors(tmp_path / "pickle.npz")
    (tmp_path / "cc.bin").write_bytes((793712314).to_bytes(4, "little") + (12).to_bytes(4, "little") + bytes(64))
    with pytest.raises(ModelFileError, match=r"cc.bin is a fastText .bin model, not a word2vec binary file"):
        read_word2vec(tmp_path / "cc.bin", binary=True)


def test_a_real_gensim_model_file_is_recognised(tmp_path):
    gensim_models = pytest.importorskip("gensim.models")
    model = gensim_models.Word2Vec([["a", "b", "c"]] * 5, vector_size=4, min_count=1, epochs=1, workers=1)
    model.save(str(tmp_path / "w2v.model"))
    with pytest.raises(ModelFileError, match=r"w2v.model looks like a gensim model"):
        load_vectors(tmp_path / "w2v.model")


def test_a_missing_model_says_how_to_make_one(tmp_path):
    with pytest.raises(ModelFileError, match=r"^model file not found: .*model.npz \(train one with: w2v train "
                                             r"CORPUS\)$"):
        load_vectors(tmp_path / "model.npz")


def test_a_deflated_model_is_read_and_its_crc_checked(tmp_path):
    """np.savez_compressed output (a ratio ~1:1 on vectors) reads; a flipped byte in it is caught."""
    rng = np.random.default_rng(1)
    arrays = model_arrays(("a", "b", "c"), rng.standard_normal((3, 64)).astype(np.float32))
    np.savez_compressed(tmp_path / "z.npz", **arrays)
    np.testing.assert_array_equal(load_model(tmp_path / "z.npz").center_vectors, arrays["center_vectors"])
    with zipfile.ZipFile(tmp_path / "z.npz") as archive:
        info = archive.getinfo("center_vectors.npy")
    data = bytearray((tmp_path / "z.npz").read_bytes())
    start = info.header_offset + 30 + int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
    start += int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    data[start + info.compress_size // 2] ^= 0xFF
    (tmp_path / "z.npz").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="z.npz is not a readable .npz file"):
        load_model(tmp_path / "z.npz")
