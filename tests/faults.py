"""The machinery the fault tests break things with: a PostgreSQL server of the test's own (so restarting it never
touches the machine's shared cluster, which other test runs use), a small disk of the test's own (to fill, or to
turn read-only as the kernel does after a disk error), and waiting for a condition with a deadline.

Each needs something of the machine (PostgreSQL's server binaries; root, to mount a file system). Without it the
test fails and says what is missing: a fault test that quietly skips proves nothing.
"""

from __future__ import annotations

import errno
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")


def wait_for(condition: Callable[[], T], what: str, timeout: float = 30.0, every: float = 0.1) -> T:
    """`condition()`'s first true value, polled until `timeout` seconds have passed; then the test fails saying
    what did not happen."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Within {timeout:g} s: {what} did not happen.", pytrace=False)
        time.sleep(every)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _postgres_binaries() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        pytest.fail(
            "The restart test runs a PostgreSQL server of its own, and PostgreSQL's server programs (initdb, pg_ctl)"
            " are not under /usr/lib/postgresql/*/bin: install Debian's postgresql package.",
            pytrace=False,
        )
    return found[-1].parent


def _as_postgres_user() -> list[str]:
    """initdb and the server refuse to run as root; as root they are run as the `postgres` account."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail(
            "The restart test runs as root, and PostgreSQL refuses to: it needs the `postgres` account that Debian's "
            "postgresql package creates.",
            pytrace=False,
        )
    return ["runuser", "-u", "postgres", "--"]


def _run(args: list[str], what: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"{what} failed ({' '.join(args)}):\n{done.stdout}\n{done.stderr}", pytrace=False)


@dataclass
class PrivateServer:
    """A PostgreSQL server for one test, on a port of its own, in a folder of its own."""

    bin: Path
    data: Path
    port: int
    run_as: list[str]

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _ctl(self, *args: str) -> None:
        _run([*self.run_as, str(self.bin / "pg_ctl"), "-D", str(self.data), *args], f"pg_ctl {args[0]}")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.data} -c fsync=off"
        self._ctl("start", "-w", "-t", "60", "-l", str(self.data / "server.log"), "-o", options)

    def stop(self) -> None:
        """Stop as a service desk's restart does: open connections are cut, open transactions rolled back."""
        self._ctl("stop", "-w", "-t", "60", "-m", "fast")

    def restart(self) -> None:
        self.stop()
        self.start()

    def create_database(self, name: str) -> str:
        _run([*self.run_as, str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), name], "createdb")
        return self.url(name)


@contextmanager
def private_postgres() -> Iterator[PrivateServer]:
    """A freshly made PostgreSQL server of the test's own (initdb, pg_ctl), removed afterwards."""
    binaries, run_as = _postgres_binaries(), _as_postgres_user()
    # Not under pytest's tmp_path: that is readable by the test's own user only, and the server runs as postgres.
    data = Path(tempfile.mkdtemp(prefix="fsdash-private-pg-"))
    try:
        if run_as:
            shutil.chown(data, user="postgres", group="postgres")
        _run(
            [*run_as, str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--no-sync", "--no-instructions"],
            "initdb",
        )  # fmt: skip
        server = PrivateServer(binaries, data, _free_port(), run_as)
        server.start()
        try:
            yield server
        finally:
            with suppress(BaseException):
                server._ctl("stop", "-m", "immediate")
    finally:
        shutil.rmtree(data, ignore_errors=True)


@dataclass
class SmallDisk:
    """A file system of a few megabytes of its own (ext4 on a loop device), mounted at `path`."""

    path: Path
    device: str

    def fill(self) -> None:
        """Take every free block, as a log file or a backup left beside the database does."""
        with (self.path / "filler").open("ab", buffering=0) as filler:
            for size in (1 << 20, 1 << 12, 1 << 9, 1):
                while True:
                    try:
                        filler.write(b"\0" * size)
                    except OSError as exc:
                        if exc.errno != errno.ENOSPC:
                            raise
                        break
            with suppress(OSError):
                os.fsync(filler.fileno())

    def make_room(self) -> None:
        """What the service desk does about a full disk: remove what filled it."""
        (self.path / "filler").unlink()

    def fail(self) -> None:
        """A disk error: ext4 (mounted errors=remount-ro) makes itself read-only at once, as it does when a real
        disk fails a write; open files stay open, every write from then on is refused."""
        Path(f"/sys/fs/ext4/{Path(self.device).name}/trigger_fs_error").write_text("fsdash fault test: disk error\n")
        wait_for(lambda: self.read_only, "the disk turning read-only after its error", timeout=10)

    @property
    def read_only(self) -> bool:
        for line in Path("/proc/mounts").read_text().splitlines():
            fields = line.split()
            if fields[1] == str(self.path):
                return "ro" in fields[3].split(",") or "emergency_ro" in fields[3].split(",")
        return False


@contextmanager
def small_disk(megabytes: int = 24) -> Iterator[SmallDisk]:
    """A small ext4 file system on a loop device, mounted for the test and removed afterwards (needs root: CI and
    the project's machines run the suite as root)."""
    if os.geteuid() != 0:
        pytest.fail(
            "The disk-full and read-only-disk tests mount a small file system of their own, which needs root: run the "
            "suite as root (CI does).",
            pytrace=False,
        )
    folder = Path(tempfile.mkdtemp(prefix="fsdash-small-disk-"))
    image, mount_point = folder / "disk.img", folder / "mnt"
    mount_point.mkdir()
    try:
        with image.open("wb") as f:
            f.truncate(megabytes << 20)
        _run(["mkfs.ext4", "-q", "-F", "-m", "0", str(image)], "mkfs.ext4 (e2fsprogs)")
        _run(["mount", "-o", "loop,errors=remount-ro", str(image), str(mount_point)], "mounting the small disk")
        try:
            device = next(
                line.split()[0]
                for line in Path("/proc/mounts").read_text().splitlines()
                if line.split()[1] == str(mount_point)
            )
            yield SmallDisk(mount_point, device)
        finally:
            done = subprocess.run(["umount", str(mount_point)], capture_output=True, check=False)
            if done.returncode != 0:  # something still has a file open on it: detach it once that closes
                subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, check=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
