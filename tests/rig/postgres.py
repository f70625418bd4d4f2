"""A throw-away PostgreSQL server for the tests: initdb into a temp dir, pg_ctl on a free port.

The server runs once per test session. Each test that wants PostgreSQL gets a fresh database
copied from a template already migrated to Alembic head (CREATE DATABASE … TEMPLATE is a file
copy: tens of milliseconds), dropped afterwards.

initdb and postgres refuse to run as root. When the tests run as root (CI containers), the
server runs as the unprivileged `postgres` user that Debian's package creates (or `nobody`
when there is none) through `setpriv`; the data directory is created with `tempfile.mkdtemp`
outside pytest's root-only temp folder and handed to that user.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

TEMPLATE_DB = "dean06_template"
_BINARIES = ("initdb", "pg_ctl", "postgres")


def find_bindir() -> Path | None:
    """Where initdb/pg_ctl/postgres live: PATH first, then Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
    )
    for candidate in reversed(versions):
        if all((Path(candidate) / b).exists() for b in _BINARIES):
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _unprivileged_user() -> pwd.struct_passwd | None:
    """None when we are not root; else the account the server runs as."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' user exists")


@dataclass
class PgServer:
    """One running server; `url(db)` gives the SQLAlchemy URL of one of its databases."""

    bindir: Path
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="dean06-pg-")))
    port: int = field(default_factory=_free_port)
    user: pwd.struct_passwd | None = field(default_factory=_unprivileged_user)
    _names: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def sockdir(self) -> Path:
        return self.root / "sock"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if self.user is not None:
            cmd = [
                "setpriv",
                f"--reuid={self.user.pw_uid}",
                f"--regid={self.user.pw_gid}",
                "--clear-groups",
                *cmd,
            ]
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def start(self) -> PgServer:
        self.sockdir.mkdir(parents=True)
        if self.user is not None:
            for path in (self.root, self.sockdir):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -k {self.sockdir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200 -c shared_buffers=32MB"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "start",
            "-D",
            str(self.datadir),
            "-w",
            "-t",
            "60",
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
        )
        return self

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            self._run(str(self.bindir / "pg_ctl"), "stop", "-D", str(self.datadir), "-m", "fast")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str, driver: str = "postgresql+asyncpg") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def new_name(self, prefix: str = "t") -> str:
        return f"{prefix}_{os.getpid()}_{next(self._names)}"

    # -- administration through asyncpg (no psql needed) -----------------------------------

    async def execute(self, sql: str, database: str = "postgres") -> None:
        import asyncpg

        conn = await asyncpg.connect(
            host="127.0.0.1", port=self.port, user="postgres", database=database
        )
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def create_template(self) -> None:
        """The template every test database is copied from: migrated to Alembic head."""
        from store.db import Database

        await self.execute(f"CREATE DATABASE {TEMPLATE_DB}")
        db = Database(self.url(TEMPLATE_DB))
        try:
            await db.migrate()
        finally:
            await db.close()

    async def create_database(self, *, migrated: bool = True, prefix: str = "t") -> str:
        name = self.new_name(prefix)
        template = f" TEMPLATE {TEMPLATE_DB}" if migrated else ""
        await self.execute(f"CREATE DATABASE {name}{template}")
        return name

    async def drop_database(self, name: str) -> None:
        await self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
