"""`w2v plot --out map.html`: the page's data against Python's own neighbours, its size and self-containment,
and the page itself in headless Chromium (points drawn; a search, by URL fragment and by typing into the box,
lists the neighbours with their cosines; hover, wheel zoom and drag). The browser tests skip where no Chromium is
found."""

import json
import os
import re
import select
import shutil
import subprocess
import time

import numpy as np
import pytest
from typer.testing import CliRunner

from w2vcli.cli import app
from w2vcli.cli.htmlmap import MAP_NEIGHBOURS, nearest_rows
from w2vcli.vectors.checkpoint import ModelFile, save_model
from w2vcli.vectors.embeddings import Embeddings

runner = CliRunner()
HOSTILE = "</script><b>bold</b>"  # a word that would end the page's script if it were pasted raw
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--window-size=1000,700"]
BROWSER_SECONDS = 90  # the longest a browser step may take before the test fails


def make_model(path, n, dim, seed=0):
    rng = np.random.default_rng(seed)
    words = ["king", "queen", HOSTILE, *(f"w{i}" for i in range(n - 3))]
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    vectors[1] = vectors[0] + 0.1 * vectors[1]  # queen beside king
    save_model(path, ModelFile(vectors, vectors, words, np.arange(n, 0, -1), {}, {}, np.array([1.0])))
    return path, Embeddings(words, vectors)


@pytest.fixture
def page(tmp_path):
    path, embeddings = make_model(tmp_path / "m.npz", 300, 16)
    out = tmp_path / "map.html"
    result = runner.invoke(app, ["plot", "-m", str(path), "--out", str(out)])
    assert result.exit_code == 0 and result.stdout == f"wrote {out}\n", result.output
    return out, embeddings


def page_data(path):
    match = re.search(r'<script id="data" type="application/json">(.*?)</script>', path.read_text(), re.S)
    return json.loads(match.group(1))


def expected_neighbours(embeddings, word):
    return [(near, f"{cosine:.3f}") for near, cosine in embeddings.nearest(word, MAP_NEIGHBOURS)]


def test_the_page_holds_every_word_and_python_s_neighbours(page):
    out, embeddings = page
    data = page_data(out)
    assert data["shown"] == 300 and data["words"][:3] == ["king", "queen", HOSTILE]
    assert HOSTILE not in out.read_text()  # escaped in the page; JSON gives it back whole
    for i in (0, 2, 150):
        word = data["words"][i]
        got = [(data["words"][j], f"{cosine:.3f}") for j, cosine in zip(data["neighbours"][i], data["cosines"][i])]
        assert got == expected_neighbours(embeddings, word)
    assert max(np.abs(data["x"]).max(), np.abs(data["y"]).max()) == 1.0


def test_nearest_rows_against_a_full_sort():
    unit = np.random.default_rng(1).standard_normal((600, 8))
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    rows = [0, 5, 599, 300]
    best, cosines = nearest_rows(unit, rows, 7)
    for line, row in enumerate(rows):
        scores = unit @ unit[row]
        scores[row] = -np.inf
        np.testing.assert_array_equal(best[line], np.argsort(-scores, kind="stable")[:7])
        np.testing.assert_allclose(cosines[line], scores[best[line]], atol=1e-12)


def test_two_thousand_words_of_dimension_100_stay_small_and_offline(tmp_path):
    path, _ = make_model(tmp_path / "big.npz", 5000, 100)
    out = tmp_path / "map.html"
    assert runner.invoke(app, ["plot", "-m", str(path), "--out", str(out)]).exit_code == 0
    text = out.read_text()
    assert page_data(out)["shown"] == 2000 and len(text.encode()) < 5_000_000
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//|url\(|@import|fetch\(|XMLHttpRequest""", text)


def test_plot_replaces_its_own_map_only(page, tmp_path):
    out, _ = page
    path, _ = make_model(tmp_path / "m2.npz", 10, 4)
    result = runner.invoke(app, ["plot", "-m", str(path), "--out", str(out)])
    assert result.exit_code == 0 and result.stdout == f"replaced {out}\n" and page_data(out)["shown"] == 10


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.skip("no Chromium found (Debian: apt-get install chromium)")


def test_a_fragment_search_in_chromium(page, tmp_path):
    out, embeddings = page
    command = [chromium(), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000",
               "--dump-dom", f"{out.as_uri()}#q=king"]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=BROWSER_SECONDS).stdout
    assert re.search(r'<body[^>]* data-drawn="300"', dom), dom[:2000]
    assert re.search(r'<body[^>]* data-selected="king"', dom)
    listed = re.findall(r'<span class="word">(.*?)</span><span class="cos">(.*?)</span>', dom)
    assert listed == expected_neighbours(embeddings, "king")


class DevTools:
    """Chromium driven over --remote-debugging-pipe: JSON messages ended by NUL, ours on fd 3, its on fd 4."""

    def __init__(self, profile):
        wrapper = 'exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>/dev/null'
        self.process = subprocess.Popen(["sh", "-c", wrapper, chromium(), *FLAGS, f"--user-data-dir={profile}",
                                         "--remote-debugging-pipe", "about:blank"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.next_id, self.buffer, self.events = 0, b"", []

    def send(self, method, session=None, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.process.stdin.write(json.dumps(message).encode() + b"\0")
        self.process.stdin.flush()
        reply = self.wait(lambda message: message.get("id") == self.next_id)
        assert "error" not in reply, reply
        return reply["result"]

    def wait(self, wanted):
        """The first message (reply or event) for which wanted is true, reading as they arrive."""
        deadline = time.monotonic() + BROWSER_SECONDS
        while True:
            for message in self.events:
                if wanted(message):
                    self.events.remove(message)
                    return message
            ready, _, _ = select.select([self.process.stdout], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, "Chromium did not answer in time"
            chunk = os.read(self.process.stdout.fileno(), 65536)
            assert chunk, "Chromium closed the pipe"
            *messages, self.buffer = (self.buffer + chunk).split(b"\0")
            self.events += [json.loads(message) for message in messages]

    def evaluate(self, session, expression):
        result = self.send("Runtime.evaluate", session, expression=expression, returnByValue=True)
        return result["result"].get("value")

    def close(self):
        try:
            self.send("Browser.close")
        finally:
            self.process.wait(timeout=BROWSER_SECONDS)


def open_page(browser, url):
    """A new tab showing url, loaded; returns its session id."""
    target = browser.send("Target.createTarget", url="about:blank")["targetId"]
    session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    browser.send("Page.enable", session)
    browser.send("Page.navigate", session, url=url)
    browser.wait(lambda message: message.get("method") == "Page.loadEventFired")
    return session


def test_typing_in_the_search_box_in_chromium(page, tmp_path):
    out, embeddings = page
    browser = DevTools(tmp_path / "profile")
    try:
        session = open_page(browser, out.as_uri())
        assert browser.evaluate(session, "document.body.dataset.drawn") == "300"
        browser.evaluate(session, "document.getElementById('search').focus()")
        browser.send("Input.insertText", session, text=HOSTILE)
        listed = browser.evaluate(session, "[...document.querySelectorAll('#neighbours li')].map("
                                           "item => [item.children[0].textContent, item.children[1].textContent])")
        assert [tuple(pair) for pair in listed] == expected_neighbours(embeddings, HOSTILE)
        assert browser.evaluate(session, "document.body.dataset.selected") == HOSTILE
        assert browser.evaluate(session, "document.querySelectorAll('b').length") == 0  # the word stayed text
    finally:
        browser.close()


LONER = """data.words[[...Array(n).keys()].map(i => [Math.min(...[...Array(n).keys()].filter(j => j !== i).map(
    j => (data.x[i] - data.x[j]) ** 2 + (data.y[i] - data.y[j]) ** 2)), i]).sort((a, b) => b[0] - a[0])[0][1]]"""


def test_hover_zoom_and_pan_in_chromium(page, tmp_path):
    out, _ = page
    browser = DevTools(tmp_path / "profile")
    try:
        session = open_page(browser, out.as_uri())
        mouse = lambda kind, x, y, **more: browser.send("Input.dispatchMouseEvent", session, type=kind, x=x, y=y,
                                                         **more)
        loner = browser.evaluate(session, LONER)  # the word whose point lies farthest from any other
        where = f"toScreen(indexOf.get({json.dumps(loner)}))"
        point = np.array(browser.evaluate(session, where))
        x, y = np.round(point)  # a mouse event lands on whole pixels
        mouse("mouseMoved", x, y)
        assert browser.evaluate(session, "document.getElementById('tip').textContent") == loner
        mouse("mouseWheel", x, y, deltaX=0, deltaY=-1500)  # zoom in e^2.25 = 9.5 times around the cursor
        point = [x, y] + (point - [x, y]) * np.exp(1500 * 0.0015)
        assert browser.evaluate(session, where) == pytest.approx(point, abs=0.01)
        zoomed = int(browser.evaluate(session, "document.body.dataset.drawn"))
        assert 0 < zoomed < 300
        mouse("mousePressed", x, y, button="left", clickCount=1)
        mouse("mouseMoved", x + 120, y + 40, button="left", buttons=1)
        mouse("mouseReleased", x + 120, y + 40, button="left", clickCount=1)
        assert browser.evaluate(session, where) == pytest.approx(point + [120, 40], abs=0.01)
        browser.evaluate(session, "document.getElementById('reset').click()")
        assert browser.evaluate(session, "document.body.dataset.drawn") == "300"
    finally:
        browser.close()
