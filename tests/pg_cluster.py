"""Run a command against a throwaway PostgreSQL cluster, then remove the cluster.

    python tests/pg_cluster.py -- python -m pytest

Starts a cluster from the machine's PostgreSQL binaries (as the `postgres` user
when run as root, since initdb refuses root) on a Unix socket in a temporary
folder, exports TEST_DATABASE_URL for the command, and cleans up whatever happens.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def find_bindir() -> Path:
    for candidate in [os.environ.get("PG_BINDIR", ""), *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    sys.exit("PostgreSQL binaries not found (install postgresql, or set PG_BINDIR)")


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        sys.exit(__doc__)
    bindir = find_bindir()
    as_root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="bw-pg-"))
    data, sock = base / "data", base / "sock"
    data.mkdir()
    sock.mkdir()
    prefix: list[str] = []
    if as_root:
        shutil.chown(base, "postgres")
        for path in (data, sock):
            shutil.chown(path, "postgres")
        base.chmod(0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    run = lambda *cmd, **kw: subprocess.run([*prefix, *cmd], check=True, **kw)  # noqa: E731
    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-locale",
            stdout=subprocess.DEVNULL,
        )
        settings = [
            "listen_addresses=''",
            "fsync=off",
            "synchronous_commit=off",
            "full_page_writes=off",
            "max_connections=200",
        ]
        options = f"-k {sock} " + " ".join(f"-c {setting}" for setting in settings)
        run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(base / "log"),
            "-w",
            "start",
            stdout=subprocess.DEVNULL,
        )
        for _ in range(50):
            if subprocess.run([str(bindir / "pg_isready"), "-h", str(sock)], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        run(str(bindir / "createdb"), "-h", str(sock), "-U", "postgres", "buytenwegh_test")
        env = dict(os.environ)
        env["TEST_DATABASE_URL"] = f"postgresql+psycopg://postgres@/buytenwegh_test?host={sock}"
        print(f"PostgreSQL test cluster at {sock}", flush=True)
        return subprocess.run(argv, env=env).returncode
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
