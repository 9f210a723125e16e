"""A throw-away Spark Connect server for the server-warehouse tests (PyPI's pyspark, Debian's Java).

`server()` installs Debian's Java runtime when it is missing (as root, `apt-get update` first;
`make test` does the same beforehand), starts pyspark's own Spark Connect server (`local[2]`,
sessions in UTC) on a free port, and yields its `sc://` URL; the server is stopped at the end.
`load_warehouse` puts a DuckDB warehouse's tables there, as Parquet tables of the same names.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


class Unavailable(RuntimeError):
    """Java or pyspark is missing and this user cannot install it."""


JAVA_PACKAGE = "openjdk-17-jre-headless"


def install_java() -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "-qq", JAVA_PACKAGE], check=True, env=env, capture_output=True,
                   timeout=900)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def server(startup_seconds: float = 300) -> Iterator[str]:
    try:
        import pyspark
    except ImportError:
        raise Unavailable("pyspark is not installed (make install-test installs it)") from None
    if shutil.which("java") is None:
        if os.geteuid() != 0:
            raise Unavailable(f"Java is not installed and this user cannot install it (make test installs {JAVA_PACKAGE})")
        install_java()
    home = Path(pyspark.__file__).parent
    folder = Path(tempfile.mkdtemp(prefix="watchfloor-spark-"))
    port = _free_port()
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_LOG_DIR": str(folder)}
    cmd = [str(home / "bin" / "spark-submit"), "--master", "local[2]", "--name", "watchfloor-tests",
           "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
           "--conf", f"spark.connect.grpc.binding.port={port}",
           "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
           "--conf", "spark.sql.session.timeZone=UTC",
           "--conf", f"spark.sql.warehouse.dir={folder / 'warehouse'}",
           "--conf", "spark.sql.shuffle.partitions=4",
           "--conf", "spark.ui.enabled=false",
           "--conf", "spark.driver.memory=2g",
           "--conf", f"spark.driver.extraJavaOptions=-Djava.io.tmpdir={folder} -Duser.timezone=UTC",
           "spark-internal"]
    log = open(folder / "server.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    try:
        deadline = time.monotonic() + startup_seconds
        while not _listening(port):
            if proc.poll() is not None:
                raise AssertionError(f"the Spark Connect server stopped at start: {_tail(folder / 'server.log')}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the Spark Connect server did not listen within {startup_seconds:g} s: "
                                     f"{_tail(folder / 'server.log')}")
            time.sleep(0.5)
        yield f"sc://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _tail(path: Path) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-5:])[-800:]
    except OSError:
        return "(no log)"


def load_warehouse(duck: str | Path, url: str, folder: Path) -> dict[str, int]:
    """Every contract table (and watchfloor_meta, and the summary tables it holds) of a DuckDB
    warehouse as a Parquet table of the same name on the Spark server; returns the rows per table."""
    import duckdb

    from watchfloor.engines import spark_session
    from watchfloor.schema import CONTRACT_TABLES, SUMMARY_TABLES
    from watchfloor.warehouse import existing_tables

    spark = spark_session(url)
    counts = {}
    con = duckdb.connect(str(duck), read_only=True)
    try:
        held = existing_tables(con)
        for table in ("watchfloor_meta", *CONTRACT_TABLES, *(t for t in SUMMARY_TABLES if t in held)):
            path = folder / f"{table}.parquet"
            con.execute(f"COPY {table} TO '{path}' (FORMAT parquet)").fetchall()
            counts[table] = con.sql(f"SELECT count(*) FROM {table}").fetchall()[0][0]
            spark.sql(f"DROP TABLE IF EXISTS {table}").collect()
            spark.sql(f"CREATE TABLE {table} USING parquet LOCATION '{path}'").collect()
    finally:
        con.close()
    return counts
