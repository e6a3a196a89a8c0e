"""A throwaway Redis server for the job tests: on a free port of its own, without persistence, in a temp dir.

    python tests/redis_server.py -- python -m pytest tests/test_jobs_queue.py

Each test pass starts its own (the SQLite and PostgreSQL passes run side by side), from Debian's
/usr/bin/redis-server (`make install` installs it). The conftest fixture `redis_url` starts one lazily,
the first time a test asks for it; run as a script, it exports TEST_REDIS_URL for the command.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CANDIDATES = ("/usr/bin/redis-server", "/usr/local/bin/redis-server")


def find_binary() -> str | None:
    for candidate in (os.environ.get("REDIS_SERVER", ""), *CANDIDATES):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serves(port: int, pid: int) -> bool:
    """Whether our own server (not another one that took the port first) answers on `port`."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"INFO server\r\n")
            reply = b""
            while b"process_id:" not in reply or not reply.endswith(b"\r\n"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                reply += chunk
            return f"process_id:{pid}\r\n".encode() in reply
    except OSError:
        return False


def _die_with_parent() -> None:
    """In the child: end when the test run ends, even when it is killed (Linux's parent-death signal)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class RedisServer:
    """`start()` it, read `.url`, `stop()` it (which also removes its folder)."""

    def __init__(self, binary: str | None = None):
        self.binary = binary or find_binary()
        if self.binary is None:
            raise FileNotFoundError("redis-server is not installed (Debian: apt-get install redis-server)")
        self.folder = Path(tempfile.mkdtemp(prefix="bw-redis-"))
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, attempts: int = 5) -> RedisServer:
        for _ in range(attempts):  # another process may take the port between probing and binding: try another
            self.port = _free_port()
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "--port", str(self.port),
                    "--bind", "127.0.0.1",
                    "--dir", str(self.folder),
                    "--save", "",
                    "--appendonly", "no",
                    "--daemonize", "no",
                    "--protected-mode", "yes",
                    "--loglevel", "warning",
                    "--logfile", str(self.folder / "redis.log"),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )  # fmt: skip
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.process.poll() is None:
                if _serves(self.port, self.process.pid):
                    return self
                time.sleep(0.05)
            self._end_process()
        log = (
            (self.folder / "redis.log").read_text(errors="replace")[-2000:]
            if (self.folder / "redis.log").exists()
            else ""
        )
        self.stop()
        raise RuntimeError(f"redis-server did not start: {log}")

    def _end_process(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def stop(self) -> None:
        self._end_process()
        shutil.rmtree(self.folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        sys.exit(__doc__)
    server = RedisServer().start()
    try:
        return subprocess.call(argv, env={**os.environ, "TEST_REDIS_URL": server.url})
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
