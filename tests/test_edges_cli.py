"""The edges of ``symtd sweep``'s options, as classes: ``--scheduler`` and ``--out``.

Every case exits 2 with one escaped line on stderr, no traceback, and returns (the harness
fails a call that hangs). Schedulers that are not one are real sockets on 127.0.0.1, served
by threads that stop themselves: a listener that accepts and never answers, an HTTP
server, endpoints answering arbitrary bytes, a closed port.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import dask
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import FUZZ, HOSTILE_STRINGS, assert_refused, call

import symtd
from symtd.sweeps.sweep import scheduler_address

SWEEP = {
    "format": "symtd-sweep/1",
    "grid": {"architecture": ["deep"], "N": [4], "M": [2], "widths": [2], "operator": ["max"]},
    "partitions": ["odd-even"],
    "draws": 1,
    "weights": {"integers": [-9, 9]},
    "Z": [1],
    "seed": 0,
}
SERVE_AT_MOST = 120  # seconds a test server lives, whatever happens to the test


@pytest.fixture
def sweep_file(tmp_path: Path) -> Path:
    path = tmp_path / "sweep.json"
    path.write_text(json.dumps(SWEEP))
    return path


@pytest.fixture(autouse=True)
def short_connect_timeout() -> Iterator[None]:
    """Dask's connect timeout, which bounds every attempt to reach a scheduler, made short."""
    import distributed  # noqa: F401  (its configuration defaults)

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        yield


# == the address's form ===========================================================================
@pytest.mark.parametrize(
    "address,message",
    [
        ("not a url", "expected a Dask address"),
        ("ftp://host", "unsupported protocol 'ftp'"),
        ("ftp://host:21", "unsupported protocol 'ftp'"),
        ("inproc://nowhere", "inproc address lives inside one Python process"),
        ("tcp://127.0.0.1", "expected a port"),
        ("tcp://127.0.0.1:0", "expected a port"),
        ("tcp://127.0.0.1:70000", "expected a port"),
        ("", "expected a Dask address"),
        ("tcp://a b:1", "expected a Dask address"),
        ("tcp://host:1\n[0] ok", "expected a Dask address"),
    ],
)
def test_malformed_addresses_are_refused_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], address: str, message: str
) -> None:
    missing = tmp_path / "missing-sweep.json"  # the address is checked first
    argv = ["sweep", missing, "--out", tmp_path / "r.csv", "--scheduler", address]
    result = call(capsys, *argv)
    assert_refused(result, argv)
    assert message in result[2]
    assert not (tmp_path / "r.csv").exists()


@FUZZ
@given(
    st.one_of(
        HOSTILE_STRINGS,
        st.text(max_size=40),
        st.builds(lambda s, rest: f"{s}://{rest}", HOSTILE_STRINGS, HOSTILE_STRINGS),
    )
)
def test_any_address_is_a_dask_address_or_one_clear_line(text: str) -> None:
    try:
        address = scheduler_address(text)
    except symtd.SymtdError as exc:
        assert "\n" not in str(exc) and str(exc).isprintable()
        return
    scheme, _, rest = address.partition("://")
    assert scheme in ("tcp", "tls", "ws", "wss") and 1 <= int(rest.rpartition(":")[2]) <= 65535


# == endpoints that are not a Dask scheduler =====================================================
@contextmanager
def serving(handle: Callable[[socket.socket], None]) -> Iterator[int]:
    """A TCP listener on 127.0.0.1 calling handle(connection) in a thread per connection;
    it stops when the block ends or after SERVE_AT_MOST seconds, closing what it accepted."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.1)
    stop = threading.Event()
    accepted: list[socket.socket] = []

    def loop() -> None:
        deadline = time.monotonic() + SERVE_AT_MOST
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            accepted.append(connection)
            threading.Thread(target=handle, args=(connection,), daemon=True).start()
        for connection in accepted:
            connection.close()
        server.close()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)


def silent(connection: socket.socket) -> None:
    """Accept, then never answer (the connection is held until the server stops)."""


def answering(payload: bytes) -> Callable[[socket.socket], None]:
    def handle(connection: socket.socket) -> None:
        try:
            connection.sendall(payload)
            connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    return handle


def refused_sweep(
    capsys: pytest.CaptureFixture[str], sweep_file: Path, address: str
) -> tuple[int, str, str]:
    out = sweep_file.parent / "r.csv"
    argv = ["sweep", sweep_file, "--out", out, "--scheduler", address, "--quiet"]
    result = call(capsys, *argv)
    assert_refused(result, argv)
    assert not out.exists()  # nothing written when no scheduler was reached
    return result


def test_a_closed_port_is_one_line(capsys: pytest.CaptureFixture[str], sweep_file: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for address in (f"tcp://127.0.0.1:{port}", "tcp://127.0.0.1:1", f"127.0.0.1:{port}"):
        result = refused_sweep(capsys, sweep_file, address)
        assert "cannot reach a Dask scheduler" in result[2]


@pytest.mark.slow
def test_a_listener_that_accepts_and_never_answers_times_out(
    capsys: pytest.CaptureFixture[str], sweep_file: Path
) -> None:
    with serving(silent) as port:
        result = refused_sweep(capsys, sweep_file, f"tcp://127.0.0.1:{port}")
    assert "within 2 s" in result[2]


@pytest.mark.slow
def test_an_http_server_is_not_a_scheduler(
    capsys: pytest.CaptureFixture[str], sweep_file: Path
) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>hello</html>")

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.timeout = 0.1
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    try:
        refused_sweep(capsys, sweep_file, f"tcp://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
@FUZZ
@given(
    st.one_of(
        st.sampled_from(
            [
                b"out of memory\n",
                b"HTTP/1.1 400 Bad Request\r\n\r\n",
                b"\xff" * 8,
                b"\x00" * 8,
                b"\x10\x00\x00\x00\x00\x00\x00\x00" + b"x" * 16,
                b"\x08\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00",
            ]
        ),
        st.binary(max_size=64),
    )
)
def test_an_endpoint_answering_anything_else_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory, payload: bytes
) -> None:
    folder = tmp_path_factory.mktemp("garbage")
    sweep_file = folder / "sweep.json"
    sweep_file.write_text(json.dumps(SWEEP))
    with serving(answering(payload)) as port:
        result = refused_sweep(capsys, sweep_file, f"tcp://127.0.0.1:{port}")
    assert "out of memory" not in result[2] or "answered" in result[2]


# == --out =========================================================================================
def unwritable_paths(tmp_path: Path) -> dict[str, Path]:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    (tmp_path / "folder.csv").mkdir()
    paths = {
        "in a missing folder": tmp_path / "missing" / "deeper" / "r.csv",
        "a directory": tmp_path / "folder.csv",
        "under a file": a_file / "r.parquet",
        "in /proc": Path("/proc/r.csv"),
        "in /proc's own folder": Path("/proc/self/r.parquet"),
    }
    if os.geteuid() != 0:  # root writes anywhere chmod forbids
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        paths["in a read-only folder"] = locked / "r.csv"
    return paths


@pytest.mark.parametrize(
    "case",
    ["in a missing folder", "a directory", "under a file", "in /proc", "in /proc's own folder"],
)
@pytest.mark.parametrize("resume", [False, True])
def test_out_paths_that_cannot_be_written_are_one_line_before_any_cluster(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    sweep_file: Path,
    case: str,
    resume: bool,
) -> None:
    out = unwritable_paths(tmp_path)[case]
    argv = ["sweep", sweep_file, "--out", out, "--quiet"] + (["--resume"] if resume else [])
    result = call(capsys, *argv)
    assert_refused(result, argv)


def test_out_in_a_read_only_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sweep_file: Path
) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes in any folder whatever its mode")
    out = unwritable_paths(tmp_path)["in a read-only folder"]
    argv = ["sweep", sweep_file, "--out", out, "--quiet"]
    assert_refused(call(capsys, *argv), argv)


@FUZZ
@given(st.lists(HOSTILE_STRINGS.filter(lambda s: s not in ("", ".", "..")), min_size=1))
def test_out_in_any_missing_folder_is_one_escaped_line(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    parts: list[str],
) -> None:
    folder = tmp_path_factory.mktemp("out")
    sweep_file = folder / "sweep.json"
    sweep_file.write_text(json.dumps(SWEEP))
    names = [p.replace("/", "_").replace("\x00", "_") or "_" for p in parts]
    out = folder.joinpath("never-made", *names, "r.csv")
    argv = ["sweep", sweep_file, "--out", out, "--quiet"]
    assert_refused(call(capsys, *argv), argv)
