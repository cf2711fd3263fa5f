"""Zotero's translation-server (the real Zotero translators) as a session fixture, and a client.

The kit lives in ``../shared/zotero-translation-server`` (see its KIT.md). The fixture copies and
installs it once into ``tests/.cache/zotero`` (the kit's ``setup``, under a file lock so that
xdist workers do not install at the same time; ``setup`` itself is a no-op when the copy is
current), starts it on a free loopback port with the kit's ``start``, waits for its
"Listening on" line and stops it (by PID) at the end of the session.

Usage: ``from zotero import zotero_server`` in a test module makes the ``zotero`` fixture available;
it yields a :class:`Zotero` client with ``web(url)`` and ``import_(text)``.
"""
from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from conftest import ROOT, free_port

KIT = ROOT.parent / "shared" / "zotero-translation-server"
CACHE = ROOT / "tests" / ".cache"
DEST = CACHE / "zotero"
SETUP_TIMEOUT = 150   # npm install, first run only (about 15 s here; the kit says ~1 min)
START_TIMEOUT = 30    # "Listening on" comes after a few seconds (742 translators loaded)
STOP_TIMEOUT = 10
REQUEST_TIMEOUT = 60  # one /web or /import request


class ZoteroError(AssertionError):
    pass


class Zotero:
    """A client for a running translation-server."""

    def __init__(self, base: str, log: list[str]):
        self.base = base.rstrip("/")
        self.log = log

    def _post(self, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
        request = urllib.request.Request(self.base + path, data=body, method="POST",
                                         headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read()

    def web(self, url: str) -> list[dict]:
        """The items Zotero saves from the page at ``url`` (every item when the page offers several,
        as for COinS: the 300 answer is posted back with all its ids selected). ``[]`` when no
        translator recognises the page (501)."""
        status, body = self._post("/web", url.encode("utf-8"), "text/plain")
        if status == 300:
            choice = json.loads(body)
            status, body = self._post("/web", json.dumps(choice).encode("utf-8"), "application/json")
        if status == 501:
            return []
        if status != 200:
            raise ZoteroError(f"/web {url}: HTTP {status}: {body[:500]!r}\n{self.tail()}")
        return json.loads(body)

    def import_(self, text: str) -> list[dict]:
        """The items Zotero imports from a BibTeX, RIS or CSL-JSON text (child notes included,
        with ``parentItem``)."""
        status, body = self._post("/import", text.encode("utf-8"), "text/plain")
        if status == 501:  # no import translator recognised the text
            return []
        if status != 200:
            raise ZoteroError(f"/import: HTTP {status}: {body[:500]!r}\n{self.tail()}")
        return json.loads(body)

    def tail(self, lines: int = 20) -> str:
        return "translation-server log (tail):\n" + "".join(self.log[-lines:])


def _setup() -> None:
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise ZoteroError(f"{tool} not found: the Zotero tests need node and npm "
                              "(Debian packages nodejs, npm; `bash .ci/run` installs them)")
    if not (KIT / "setup").is_file():
        raise ZoteroError(f"translation-server kit missing: {KIT} (see the README)")
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "zotero.lock", "w") as lock:
        # One xdist worker installs, the others wait (bounded) and then find it set up.
        deadline = time.monotonic() + SETUP_TIMEOUT + 30
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ZoteroError(f"waited over {SETUP_TIMEOUT + 30} s for {lock.name}") from None
                time.sleep(0.2)
        try:
            result = subprocess.run([str(KIT / "setup"), str(DEST)], capture_output=True, text=True,
                                    timeout=SETUP_TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as error:
            raise ZoteroError(f"translation-server setup took over {SETUP_TIMEOUT} s") from error
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    if result.returncode != 0:
        raise ZoteroError(f"translation-server setup failed ({result.returncode}):\n"
                          f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def _start() -> tuple[subprocess.Popen, int, list[str], threading.Thread]:
    """Start the server on a free port; retry on another port if it exits before listening (the
    port picked by free_port can be taken by another process before node binds it)."""
    failures = []
    for _attempt in range(3):
        port = free_port()
        proc = subprocess.Popen([str(KIT / "start"), str(DEST), str(port)], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                encoding="utf-8", errors="replace")
        log: list[str] = []
        ready = threading.Event()
        needle = f"Listening on 127.0.0.1:{port}"

        def pump(stream=proc.stdout, log=log, ready=ready, needle=needle):
            with stream:
                for line in stream:
                    log.append(line)
                    if needle in line:
                        ready.set()

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not ready.wait(0.1):
            if proc.poll() is not None or time.monotonic() > deadline:
                break
        if ready.is_set():
            return proc, port, log, reader
        _stop(proc, reader)
        failures.append(f"port {port}: " + ("timed out" if proc.returncode is None else
                                            f"exit {proc.returncode}") + "\n" + "".join(log[-15:]))
    raise ZoteroError("translation-server did not start:\n" + "\n".join(failures))


def _stop(proc: subprocess.Popen, reader: threading.Thread | None = None) -> None:
    if proc.poll() is None:
        proc.terminate()  # the start script execs node: proc.pid is node's PID
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(STOP_TIMEOUT)
    if reader is not None:
        reader.join(STOP_TIMEOUT)


@pytest.fixture(scope="session", name="zotero")
def zotero_server():
    """A running translation-server on 127.0.0.1 (one per xdist worker), as a :class:`Zotero`."""
    _setup()
    proc, port, log, reader = _start()
    try:
        yield Zotero(f"http://127.0.0.1:{port}", log)
    finally:
        _stop(proc, reader)
