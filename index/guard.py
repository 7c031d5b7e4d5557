"""Documents read so that no file can stop the others (issue 23 #5).

`parse_document` is the one way a folder's or an upload's file becomes a document. Whatever goes wrong
with one file (a budget of index/odt.py or index/pdf.py exceeded, a RecursionError, a bug of ours on odd
input) becomes that file's ParseError, with the line where one is known, and the other files load.

PDFs, ODTs and large text files are read in a child process with a time and a memory limit: they are the
formats where a few kilobytes can unpack or draw into gigabytes or minutes, and the budgets may not foresee
every way. The child is started on the first such file of a load (python -m index.guard, ~0.2 s),
reused for the others and stopped at the end of the load; a file over a limit costs only the child, which
is started again for the next file. Text files up to TEXT_IN_PROCESS bytes (the shipped corpus, a
3,000-document catalogue) are parsed in the process itself: their parsing is linear in their size.
"""

from __future__ import annotations

import logging
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO

from index.model import Document
from index.parse import ParseError, parse_file
from prompts import t

log = logging.getLogger(__name__)

CHILD_SUFFIXES = (".pdf", ".odt")
TEXT_IN_PROCESS = 1_000_000  # bytes: a larger text file is read in the child too (the shipped ones: 6-26 KB)
SECONDS = 60.0  # for one file in the child (a 500-page PDF, the page budget, takes ~15 s)
STARTUP_SECONDS = 30.0  # for the child to start and import the readers (~0.2 s), not counted in SECONDS
MEMORY = 1536 * 2**20  # the child's address space (it needs ~300 MB for a 60-page PDF)
_HEADER = struct.Struct("!Q")


def parse_document(path: Path) -> Document:
    """The file's document; any failure is a ParseError naming the file."""
    if needs_child(path):
        with sandbox() as box:
            return box.parse(path)
    return parse_here(path)


def needs_child(path: Path) -> bool:
    try:
        size = path.stat().st_size
    except OSError:
        return False  # parse_file says why it cannot be read
    return path.suffix.lower() in CHILD_SUFFIXES or size > TEXT_IN_PROCESS


def parse_here(path: Path) -> Document:
    """parse_file in this process, any exception turned into the file's ParseError."""
    try:
        return parse_file(path)
    except ParseError:
        raise
    except RecursionError:
        raise ParseError(path.name, t("documents.too_deep_to_read")) from None
    except MemoryError:
        raise ParseError(path.name, t("documents.too_costly"), transient=True) from None
    except Exception as e:  # noqa: BLE001 - a bug of ours on odd input still stops only this file
        log.warning("unexpected error reading %s", path.name, exc_info=True)
        raise ParseError(path.name, t("documents.unexpected", kind=type(e).__name__)) from None


# ---------------------------------------------------------------- the child process


class Sandbox:
    """One child process that parses files one at a time, with a time limit per file and a memory limit."""

    def __init__(self, seconds: float = SECONDS, memory: int = MEMORY) -> None:
        self.seconds, self.memory = seconds, memory
        self._child: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def parse(self, path: Path) -> Document:
        with self._lock:
            return self._parse(path)

    def _parse(self, path: Path) -> Document:
        try:
            child = self._start()
            _send(child.stdin, str(path.resolve()))  # type: ignore[arg-type]
            outcome, value = _receive(child.stdout, time.monotonic() + self.seconds)  # type: ignore[arg-type]
        except TimeoutError:
            self.close(busy=True)
            raise ParseError(path.name, t("documents.too_slow", seconds=f"{self.seconds:g}"), transient=True) from None
        except (EOFError, OSError, pickle.UnpicklingError):
            self.close()  # the child died: out of memory, or pdfium gave up on the bytes
            raise ParseError(path.name, t("documents.too_costly"), transient=True) from None
        if outcome == "document":
            return value  # type: ignore[no-any-return]
        raise value

    def _start(self) -> subprocess.Popen[bytes]:
        if self._child is None or self._child.poll() is not None:
            root = str(Path(__file__).resolve().parents[1])
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
            self._child = subprocess.Popen(
                [sys.executable, "-m", "index.guard", str(self.memory), str(max(2, int(self.seconds * 4)))],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=root)
            _receive(self._child.stdout, time.monotonic() + STARTUP_SECONDS)  # type: ignore[arg-type] - "ready"
        return self._child

    def close(self, busy: bool = False) -> None:
        """Stops the child: asked to end (its input closed), or killed at once when it is busy with a file."""
        child, self._child = self._child, None
        if child is None:
            return
        if busy:
            child.kill()
        with suppress(OSError):
            child.stdin.close()  # type: ignore[union-attr]
        try:
            child.wait(timeout=2)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        with suppress(OSError):
            child.stdout.close()  # type: ignore[union-attr]

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_shared: Sandbox | None = None
_users = 0
_shared_lock = threading.Lock()


@contextmanager
def sandbox() -> Iterator[Sandbox]:
    """The child shared by everything reading documents now (a load of a folder): started on first use,
    stopped when the outermost reader is done."""
    global _shared, _users
    with _shared_lock:
        if _shared is None:
            _shared = Sandbox()
        _users += 1
        box = _shared
    try:
        yield box
    finally:
        with _shared_lock:
            _users -= 1
            if _users == 0 and _shared is box:
                _shared = None
                box.close()


def _send(stream: BinaryIO, value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: BinaryIO, deadline: float) -> Any:
    size = _HEADER.unpack(_read_exactly(stream, _HEADER.size, deadline))[0]
    return pickle.loads(_read_exactly(stream, size, deadline))


def _read_exactly(stream: BinaryIO, size: int, deadline: float) -> bytes:
    data = bytearray()
    fd = stream.fileno()
    poller = select.poll()  # not select(): a server may hold more than 1,024 descriptors
    poller.register(fd, select.POLLIN)
    while len(data) < size:
        remaining = None if deadline == float("inf") else deadline - time.monotonic()
        if remaining is not None and (remaining <= 0 or not poller.poll(remaining * 1000)):
            raise TimeoutError
        part = os.read(fd, min(size - len(data), 1 << 20))
        if not part:
            raise EOFError
        data += part
    return bytes(data)


def _serve(memory: int, cpu_seconds: int) -> None:
    """The child: limits set on itself, then one file path in, one ("document" | "error", value) out, until EOF."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed may mix into the replies
    import index.odt
    import index.pdf  # noqa: F401 - imported before the clock of the first file starts
    _send(replies, "ready")
    while True:
        try:
            path = _receive(requests, float("inf"))
        except EOFError:
            return
        try:
            reply: tuple[str, Any] = ("document", parse_here(Path(path)))
        except ParseError as e:
            reply = ("error", e)
        _send(replies, reply)


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]))
