"""A throw-away PostgreSQL cluster for the server-warehouse tests (Debian's package).

`cluster()` installs `postgresql` when it is missing (as root, `apt-get update` first; `make
test` does the same beforehand), creates a cluster in a temporary folder owned by the
`postgres` user (PostgreSQL refuses to run as root), starts it on a free port and yields an
SQLAlchemy URL; the cluster is stopped and removed afterwards.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


class Unavailable(RuntimeError):
    """PostgreSQL is missing and this user cannot install it."""


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def install_postgresql() -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env, capture_output=True,
                   timeout=900)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--", *cmd] if runuser else ["su", "postgres", "-c", " ".join(cmd)]


@contextlib.contextmanager
def cluster() -> Iterator[str]:
    bindir = pg_bin()
    if bindir is None:
        if os.geteuid() != 0:
            raise Unavailable("PostgreSQL is not installed and this user cannot install it "
                              "(make test installs it as root)")
        install_postgresql()
        bindir = pg_bin()
    assert bindir is not None, "apt-get install postgresql left no initdb"
    # Directly in the system's temp folder: pytest's own folders are private to this user, and the
    # server runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="watchfloor-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    port = free_port()

    def run(cmd: list[str]) -> None:
        done = subprocess.run(as_postgres(cmd), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{Path(cmd[0]).name} failed: {done.stderr.strip()[-500:]}"

    try:
        run([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
        run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "60",
             "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"])
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
