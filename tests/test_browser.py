"""In a real browser (headless Chromium driven by Selenium): ``symtd explore`` served and used as
a person would (typing N, choosing the operator, pressing partition buttons), its ranks checked
against the library computed here; and the documentation opened offline from file://, its
formulas typeset by the bundled MathJax.

Chromium runs with a fresh profile and no background networking; the network is closed to it
(other hosts unresolvable, http(s) blocked except the explorer on 127.0.0.1). Every wait is
bounded (at most 60 s); the explorer's process is stopped with Ctrl-C and must exit 130.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import symtd

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
WAIT = 60  # seconds, the longest any wait may take
ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, "
        "/usr/bin/chromedriver); .ci/run installs them",
    ),
]

# every element of the page, shadow roots included (Panel draws its widgets in shadow DOM)
ALL_ELEMENTS = """
const all = (root, out) => {
  for (const e of root.querySelectorAll('*')) {
    out.push(e);
    if (e.shadowRoot) all(e.shadowRoot, out);
  }
  return out;
};
"""
TEXT_OF = (
    ALL_ELEMENTS
    + """
const host = all(document, []).find(e => e.classList && e.classList.contains(arguments[0]));
if (!host) return null;
const parts = [...(host.shadowRoot || host).children].filter(
  e => !['STYLE', 'LINK', 'SCRIPT'].includes(e.tagName));
return parts.map(e => e.innerText).join(' ').trim();
"""
)
HOST_OF = (
    ALL_ELEMENTS
    + """
return all(document, []).find(e => e.classList && e.classList.contains(arguments[0])) || null;
"""
)


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Chromium with a fresh profile, no background networking, other hosts
    unresolvable and http(s) blocked except for 127.0.0.1."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="symtd-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--window-size=1400,1800",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.set_page_load_timeout(WAIT)
        driver.set_script_timeout(WAIT)
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd(
            "Network.setBlockedURLs", {"urls": ["http://*", "https://*", "ws://*", "wss://*"]}
        )
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(condition: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(None, timeout, poll_frequency=0.25).until(lambda _: condition())
    except TimeoutException:
        pytest.fail(f"waited {timeout} s for {what}")


# -- the explorer ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def explorer_url() -> Iterator[str]:
    """``symtd explore --port P --no-browser`` running; its URL. Stopped with Ctrl-C (SIGINT),
    it must exit with status 130 and say so on one line."""
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "symtd", "explore", "--port", str(port), "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # printed before the server starts listening
        url = f"http://127.0.0.1:{port}/"
        assert first.strip() == f"symtd explore: serving on {url} (Ctrl-C to stop)", (
            first,
            process.stderr.read() if process.poll() is not None else "",
        )
        yield url
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=WAIT)
        assert process.returncode == 130 and err.strip().endswith("symtd: interrupted"), err
        assert "Traceback" not in out + err
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=WAIT)


def text(driver: Any, css: str) -> str:
    """The text of the output pane with CSS class ``css`` ("" before it exists)."""
    return driver.execute_script(TEXT_OF, css) or ""


def host(driver: Any, css: str) -> Any:
    """The element of the widget or pane with CSS class ``css``."""
    return wait_for(lambda: driver.execute_script(HOST_OF, css), css)


def inner(driver: Any, css: str, selector: str) -> list[Any]:
    """The elements matching ``selector`` inside the shadow root of the ``css`` widget."""
    from selenium.webdriver.common.by import By

    root = wait_for(lambda: host(driver, css).shadow_root, f"the shadow root of {css}")
    return wait_for(lambda: root.find_elements(By.CSS_SELECTOR, selector), f"{css} {selector}")


def rank_on_page(driver: Any, rows: tuple[int, ...]) -> int:
    """The rank shown once the page shows partition I = rows."""
    I = "I = {" + ", ".join(map(str, rows)) + "}"
    shown = wait_for(
        lambda: (t := text(driver, "symtd-rank")).startswith("rank: ") and I in t and t,
        f"the rank of {I}",
    )
    return int(shown.split()[1])


def type_into(driver: Any, css: str, value: str) -> None:
    """Replace the text of the input widget ``css`` by ``value`` and press Enter."""
    from selenium.webdriver.common.keys import Keys

    field = inner(driver, css, "input")[0]
    field.click()
    field.send_keys(Keys.END, *[Keys.BACKSPACE] * len(field.get_attribute("value") or ""))
    field.send_keys(value, Keys.ENTER)


def test_the_explorer_in_a_browser(browser, explorer_url, tmp_path):
    """Type N = 8, choose max, press positions 1, 3 and unpress 4, 6 (I = {0,1,2,3}): every rank
    shown is the library's at seed 0; the product ranks are the theory's (r^(N/2), then r);
    an oversize N shows the one-line refusal; nothing is fetched from another host."""
    from selenium.webdriver.support.ui import Select

    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["https://*"]})
    browser.get(explorer_url)
    assert rank_on_page(browser, (0, 2)) == 4  # deep, N = 4, r = 2, odd-even: r^(N/2)
    type_into(browser, "symtd-N", "8")
    assert rank_on_page(browser, (0, 2, 4, 6)) == 16
    Select(inner(browser, "symtd-operator", "select")[0]).select_by_visible_text("max")
    wait_for(lambda: "3 ≤ rank* ≤" in text(browser, "symtd-separation"), "the max bracket")
    point = symtd.deep(8, 2, 2, "max").at_random_point(0)
    assert rank_on_page(browser, (0, 2, 4, 6)) == symtd.matricization_rank(point, (0, 2, 4, 6))
    buttons = {b.text: b for b in inner(browser, "symtd-positions", "button")}
    assert sorted(buttons, key=int) == [str(j) for j in range(8)]
    for j, then in ((1, (0, 1, 2, 4, 6)), (3, (0, 1, 2, 3, 4, 6)), (4, (0, 1, 2, 3, 6))):
        buttons[str(j)].click()
        rank_on_page(browser, then)  # each press is computed before the next
    buttons["6"].click()
    assert rank_on_page(browser, (0, 1, 2, 3)) == symtd.matricization_rank(point, (0, 1, 2, 3))
    select = Select(inner(browser, "symtd-partition", "select")[0])
    assert select.first_selected_option.text == "positions"
    Select(inner(browser, "symtd-operator", "select")[0]).select_by_visible_text("product")
    wait_for(lambda: "certified" in text(browser, "symtd-separation"), "the product bracket")
    assert rank_on_page(browser, (0, 1, 2, 3)) == 2  # the cut at the root: r
    browser.save_screenshot(str(tmp_path / "explore.png"))
    type_into(browser, "symtd-N", str(2**20))
    line = "symtd: error: N = 1,048,576 is too large (at most 100,000)"
    wait_for(lambda: text(browser, "symtd-alert") == line, "the one-line refusal")
    assert text(browser, "symtd-rank") == "rank: —"
    page = browser.execute_script(
        ALL_ELEMENTS + "return all(document, []).map(e => "
        "(e.shadowRoot || e).textContent).join(' ');"
    )
    assert "Traceback" not in page
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    origin = explorer_url.rstrip("/")
    assert loaded and [a for a in loaded if not a.startswith(origin)] == []


# -- the documentation, offline -----------------------------------------------------------------
class MathNodes(HTMLParser):
    """Counts the math nodes Sphinx writes for MathJax: elements of class "math"."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if "math" in classes:
            self.count += 1


def math_nodes(html: str) -> int:
    parser = MathNodes()
    parser.feed(html)
    parser.close()
    return parser.count


def test_the_math_node_count_is_read_from_the_html():
    page = (
        '<p><span class="math notranslate nohighlight">\\(x\\)</span> and '
        '<div class="math notranslate nohighlight">\\[y\\]</div><span class="mathx">z</span></p>'
    )
    assert math_nodes(page) == 2


def test_the_theory_page_typesets_offline(browser, site):
    """theory.html from file:// with every http(s) address blocked: the bundled MathJax turns
    each math node of the page's source into an mjx-container, and no raw \\( or \\[ is left
    in the visible text."""
    build, html = site
    page = html / "theory.html"
    assert page.is_file(), build.stderr[-4000:]
    expected = math_nodes(page.read_text(encoding="utf-8"))
    assert expected > 20
    browser.get(page.as_uri())
    count = "return document.querySelectorAll('mjx-container').length"
    wait_for(lambda: browser.execute_script(count) >= expected, f"{expected} typeset formulas")
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "(window.MathJax && MathJax.startup ? MathJax.startup.promise : Promise.resolve())"
        ".then(() => done(true), () => done(false));"
    )
    assert browser.execute_script(count) == expected
    visible = browser.execute_script("return document.body.innerText")
    assert not re.search(r"\\\(|\\\[", visible), re.findall(r".{20}\\[(\[].{20}", visible)[:3]
    loaded = browser.execute_script(  # what the page asked for (file:// has no resource timing)
        "return [...document.scripts].map(s => s.src).concat("
        "[...document.querySelectorAll('link[href]')].map(l => l.href)).filter(a => a)"
    )
    assert [a for a in loaded if not a.startswith("file://")] == []
    mathjax = [a for a in loaded if "mathjax" in a.lower()]
    assert mathjax and browser.execute_script("return window.MathJax.version")
