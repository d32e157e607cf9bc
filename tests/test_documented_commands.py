"""Every `symtd ...` command in the code blocks of README.md and docs/cli.md runs against the
files the repository ships, and prints what the page shows.

A page's commands run in order, in-process (``symtd.cli.main``), in one temporary folder
where ``examples/`` points at the repository's examples, so a command may read what an
earlier one wrote (``prove all --cert certs.json`` then ``check certs.json``). Console
blocks (``$ symtd ...`` lines) show output: it must match line by line, except that

* a line ``...`` (alone, indented or not) stands for any number of lines, and
* a duration with a decimal point (``0.67s``, ``in 2.4 s``) stands for any duration,
  whatever its width.

``$ echo $?`` shows the previous command's exit status; otherwise a shown ``symtd:
error:`` line means status 2, other shown output 0 or 1 (a refuted or failed check), and
a command shown without output (or in a ``bash`` block) must exit 0.

The fast test leaves out the commands in ``SLOW`` and those that read what they write;
the slow test runs every command of both pages.
"""

from __future__ import annotations

import contextlib
import glob
import io
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from symtd.cli import main

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "docs" / "cli.md"]
#: Commands too slow for the quick loop: the seven theorems' default sets (several seconds
#: on 2 busy cores) and sweeps (each starts a Dask LocalCluster).
SLOW = ("symtd prove all", "symtd sweep ")
SHELL_BLOCKS = ("", "console", "bash", "shell", "sh")


@dataclass
class Command:
    """One documented command: its text, the output the page shows (None: none shown) and
    the exit status the page states (None: not stated)."""

    text: str
    shown: list[str] | None
    status: int | None = None


def commands(page: Path) -> list[Command]:
    """The `symtd` commands of a page's shell and console code blocks, in order."""
    found: list[Command] = []
    text = page.read_text(encoding="utf-8")
    for language, body in re.findall(r"^```(\w*)\n(.*?)^```", text, re.M | re.S):
        if language not in SHELL_BLOCKS:
            continue
        lines = body.rstrip("\n").split("\n")
        if not any(line.startswith("$ ") for line in lines):  # a script: no output shown
            for line in lines:
                for part in " ".join(shlex.split(line, comments=True)).split("&&"):
                    if part.strip().startswith("symtd "):
                        found.append(Command(part.strip(), None))
            continue
        for line in lines:
            if line.startswith("$ echo $?"):
                found.append(Command("echo $?", []))
            elif line.startswith("$ "):
                assert line.startswith("$ symtd "), f"{page.name}: not a symtd command: {line}"
                found.append(Command(line[2:].strip(), []))
            else:
                found[-1].shown.append(line.rstrip())
    merged: list[Command] = []
    for command in found:  # `echo $?` states the status of the command before it
        if command.text == "echo $?":
            merged[-1].status = int(command.shown[0])
        else:
            merged.append(command)
    for command in merged:
        if command.shown == []:
            command.shown = None
    return merged


def pattern(shown: list[str]) -> re.Pattern:
    """The shown lines as a regular expression: "..." any lines, durations any duration."""
    parts = []
    for line in shown:
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
            continue
        pieces = re.split(r"\s*\b\d+\.\d+ ?s\b", line)
        parts.append(r"\s*\d+\.\d+ ?s".join(map(re.escape, pieces)) + "\n")
    return re.compile("".join(parts))


def run(command: Command) -> tuple[int, str]:
    """Run one command in-process in the current folder: (exit status, stdout + stderr)."""
    words = shlex.split(command.text)
    assert not {"|", ">", "<", ";"} & set(words), f"not a plain command: {command.text}"
    argv: list[str] = []
    for word in words[1:]:
        argv += (sorted(glob.glob(word)) or [word]) if glob.has_magic(word) else [word]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue() + err.getvalue()


def check(command: Command) -> str | None:
    """Run the command; None when its status and output are what the page shows, else why."""
    status, output = run(command)
    where = f"`{command.text}`"
    if command.shown is None:
        expected = {0} if command.status is None else {command.status}
    elif command.status is not None:
        expected = {command.status}
    else:
        expected = {2} if command.shown[0].startswith("symtd: error:") else {0, 1}
    if status not in expected:
        return f"{where} exited {status}:\n{output}"
    text = "".join(line.rstrip() + "\n" for line in output.splitlines())
    if command.shown is not None and not pattern(command.shown).fullmatch(text):
        return f"{where} printed\n{text}but the page shows\n" + "\n".join(command.shown)
    return None


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A temporary working folder in which examples/ is the repository's."""
    os.symlink(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_pages_show_commands():
    readme, cli = (commands(page) for page in PAGES)
    assert any(c.text.startswith("symtd separation") for c in readme)
    names = {c.text.split()[1] for c in cli}
    assert {"grid", "rank", "separation", "convert", "latex", "draw", "prove", "check"} <= names
    assert all(c.shown for c in cli if c.text.startswith("symtd grid"))


def test_the_pattern_elides_lines_and_durations():
    shown = ["T1  verified   0.67s  a", "   ...", "1 of 1 in 2.4 s"]
    assert pattern(shown).fullmatch("T1  verified  12.05s  a\nx\ny\n1 of 1 in 0.1 s\n")
    assert pattern(shown).fullmatch("T1  verified   0.67s  a\n1 of 1 in 9.9 s\n")
    assert not pattern(shown).fullmatch("T1  refuted    0.67s  a\n1 of 1 in 2.4 s\n")
    assert not pattern(["16"]).fullmatch("17\n")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_documented_commands_run_and_print_what_the_page_shows(page, folder):
    missing: set[str] = set()  # files a left-out command would have written
    failures = []
    for command in commands(page):
        words = set(shlex.split(command.text))
        if command.text.startswith(SLOW) or words & missing:
            missing |= {w for w in words if Path(w).suffix and not Path(w).exists()}
            continue
        failures.append(check(command))
    failures = [f for f in failures if f]
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


@pytest.mark.slow
def test_every_documented_command_including_the_slow_ones(folder):
    failures = [check(command) for page in PAGES for command in commands(page)]
    failures = [f for f in failures if f]
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
