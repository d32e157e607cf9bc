"""Hostile input, files: unreadable or odd network files and file names, and duplicate
keys, for every command that reads a network file (the contract: see tests/support.py).
"""

from __future__ import annotations

import os

import pytest
from support import (
    BAD_FILES,
    NETWORK_COMMANDS,
    V1,
    V2,
    argv_for,
    assert_refused,
    call,
    dumps_with_duplicate,
    run,
)

# ==================================================================================================
# Unreadable files, for every command that reads a network file
# ==================================================================================================


@pytest.mark.parametrize("command", list(NETWORK_COMMANDS))
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_unreadable_network_file(capsys, tmp_path, command, case):
    path = tmp_path / "net.json"
    path.write_bytes(BAD_FILES[case])
    argv = argv_for(command, path, tmp_path)
    assert_refused(call(capsys, *argv), argv)


@pytest.mark.parametrize("command", list(NETWORK_COMMANDS))
@pytest.mark.parametrize(
    "case",
    ["missing file", "a directory", "newline in the file name", "ANSI escape in the file name"],
)
def test_missing_directory_and_odd_file_names(capsys, tmp_path, command, case):
    if case == "missing file":
        path = tmp_path / "no-such-file.json"
    elif case == "a directory":
        path = tmp_path / "dir.json"
        path.mkdir()
    elif case == "newline in the file name":
        path = tmp_path / "bad\n[0] T4 {}: ok\nname.json"
        path.write_text("{not json")
    else:
        path = tmp_path / "bad\x1b[2J\x1b[31mname.json"
        path.write_text("[]")
    argv = argv_for(command, path, tmp_path)
    result = call(capsys, *argv)
    assert_refused(result, argv)


@pytest.mark.slow
def test_file_name_with_undecodable_bytes_subprocess(tmp_path):
    """A file name that is not UTF-8 (argv decoded with surrogateescape): escaped, not raw."""
    name = os.fsencode(str(tmp_path)) + b"/bad\xff\n[0] T4: ok.json"
    with open(name, "wb") as handle:
        handle.write(b"{oops")
    assert_refused(run("grid", os.fsdecode(name)), "grid <bytes name>")
    assert_refused(run("check", os.fsdecode(name)), "check <bytes name>")


@pytest.mark.parametrize("name", ["\ud800.json", "a\udfffb.json", "x\ud800\n.json"])
def test_file_name_with_lone_surrogate_in_process(capsys, name):
    """symtd.cli.main called with a lone surrogate in a file name (possible from Python): the
    file cannot exist; one clear line, not an exception."""
    for command in ("grid", "convert", "check"):
        assert_refused(call(capsys, command, name), [command, name])


# ==================================================================================================
# Duplicate keys anywhere: refused, never "last one wins"
# ==================================================================================================
@pytest.mark.parametrize(
    "doc,target,key,value",
    [
        (V1, (), "operator", "product"),
        (V1, (), "operator", "max"),  # even the same value twice
        (V1, (), "N", 4),
        (V1, ("weights",), "output", [5, 5]),
        (V2, (), "operator", "sum"),
        (V2, ("nodes", 0), "width", 3),
        (V2, ("weights",), "A", [["9", "9"], ["9", "9"], ["9", "9"]]),
    ],
)
@pytest.mark.parametrize("command", ["grid", "convert", "separation"])
def test_duplicate_keys_in_network_refused(capsys, tmp_path, doc, target, key, value, command):
    path = tmp_path / "dup.json"
    path.write_text(dumps_with_duplicate(doc, target, key, value))
    argv = argv_for(command, path, tmp_path)
    assert_refused(call(capsys, *argv), argv)
