"""The lessons are in the site: every notebook of demos/ is listed on the Lessons page (in the
order of the class), the class plan names each one, and the Sphinx configuration copies them
into the source tree and executes them, and the built pages show the lessons' figures (the
site built once per session: the ``site`` fixture of conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(p.stem for p in (ROOT / "demos").glob("*.ipynb"))
INDEX = (ROOT / "docs" / "lessons" / "index.md").read_text(encoding="utf-8")
TEACH = (ROOT / "docs" / "teach.md").read_text(encoding="utf-8")


def test_every_lesson_is_on_the_lessons_page():
    toctree = re.search(r"```\{toctree\}\n(.*?)```", INDEX, re.S)
    assert toctree is not None
    listed = [line for line in toctree.group(1).splitlines() if line and not line.startswith(":")]
    assert sorted(listed) == LESSONS
    assert sorted(re.findall(r"\]\((\w+)\.ipynb\)", INDEX)) == LESSONS


def test_the_class_plan_uses_every_lesson_and_the_explorer():
    assert sorted(set(re.findall(r"\(lessons/(\w+)\.ipynb\)", TEACH))) == LESSONS
    assert "symtd explore --port 5006" in TEACH
    assert "90-minute" in TEACH and "**offline**" in TEACH


def test_the_site_copies_and_executes_the_lessons():
    conf = (ROOT / "docs" / "conf.py").read_text(encoding="utf-8")
    assert '"myst_nb"' in conf and '"myst_parser"' not in conf
    assert re.search(r'^nb_execution_mode = "(force|cache)"', conf, re.M)
    assert re.search(r"^nb_execution_raise_on_error = True", conf, re.M)
    assert re.search(r"^copy_lessons\(\)", conf, re.M)
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert "lessons/index" in index and "\nteach\n" in index


@pytest.mark.slow
def test_the_lesson_pages_show_their_figures(site):
    """Each lesson is a page of the site, executed at build: its figures are PNG images in the
    page (files of the build, not empty), its solutions are folded, and it is reachable from
    the Lessons page; the class plan is a page too."""
    build, html = site
    assert build.returncode == 0, build.stderr[-4000:]
    index = (html / "lessons" / "index.html").read_text(encoding="utf-8")
    for lesson in LESSONS:
        assert f'href="{lesson}.html"' in index, lesson
        page = (html / "lessons" / f"{lesson}.html").read_text(encoding="utf-8")
        images = re.findall(r'<img [^>]*src="\.\./_images/([^"]+\.png)"', page)
        assert images, f"{lesson}: no figure"
        assert all((html / "_images" / name).stat().st_size > 5_000 for name in images), lesson
        assert page.count("tag_hide-cell") >= 2, f"{lesson}: solutions not folded"
        assert "Traceback" not in page and "output stderr" not in page, lesson
    assert (html / "teach.html").is_file()
