"""``python -m nephos_devstack run``: infra, migrations and the four services, until Ctrl-C.

A service that cannot start (import error, failed migration, busy port, not
ready in time) is named with the reason and the end of its output, and the
whole stack stops with a non-zero exit instead of waiting forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import IO

from nephos_devstack.config import (
    ASSET,
    GATEWAY,
    HOST,
    METERING,
    MONITORING,
    DevstackSettings,
    ServiceDef,
)
from nephos_devstack.devsecrets import DevSecrets, load_or_create
from nephos_devstack.embedded import Infra, database_url, ensure_databases, migrate, start_infra
from nephos_devstack.process import ServiceFailed, ServiceProcess
from nephos_devstack.seeding import seed_directory

EXIT_INTERRUPTED = 130


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def service_env(svc: ServiceDef, infra: Infra, dev: DevSecrets) -> dict[str, str]:
    """The child's environment: ours, plus its ``NEPHOS_<SVC>_*`` settings."""
    env = dict(os.environ)
    p = svc.env_prefix
    env.update(
        {
            f"{p}ENVIRONMENT": "embedded",
            f"{p}HOST": HOST,
            f"{p}PORT": str(svc.port),
            f"{p}DATABASE_URL": database_url(infra.server_url, svc.database),
            f"{p}NATS_URL": infra.nats_url,
            f"{p}JWT_SECRET": dev.jwt_secret,
            f"{p}INTERNAL_SECRET": dev.internal_secret,
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.setdefault(f"{p}RUN_WORKERS", "true")
    if svc == ASSET:
        env[f"{p}SECRET_KEY"] = dev.asset_secret_key
    if svc == MONITORING:
        env[f"{p}SECRET_KEY"] = dev.monitoring_secret_key
    if svc == METERING:
        env[f"{p}SECRET_KEY"] = dev.metering_secret_key
    if svc in (METERING, MONITORING):
        env[f"{p}ASSET_URL"] = ASSET.base_url
    if svc == GATEWAY:
        env[f"{p}ASSET_URL"] = ASSET.base_url
        env[f"{p}METERING_URL"] = METERING.base_url
        env[f"{p}MONITORING_URL"] = MONITORING.base_url
    return env


class Stack:
    """Everything one ``run`` started, so that it can all be stopped in reverse order."""

    def __init__(
        self, settings: DevstackSettings, services: tuple[ServiceDef, ...], stop: asyncio.Event
    ) -> None:
        self.settings = settings
        self.services = services
        self.stop_requested = stop
        self.infra: Infra | None = None
        self.processes: list[ServiceProcess] = []
        self.extras = contextlib.ExitStack()  # e.g. the demo's moto server
        self.secrets = load_or_create(settings.data_dir)
        self._lock: IO[str] | None = None

    def _lock_data_dir(self) -> None:
        """One devstack per data folder: a second would fight the first over its servers."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = lock = (self.settings.data_dir / "devstack.lock").open("a+")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "?"
            raise RuntimeError(
                f"another devstack (pid {holder}) is running on {self.settings.data_dir}"
            ) from None
        lock.truncate(0)
        lock.write(f"{os.getpid()}\n")
        lock.flush()

    async def start(self) -> list[ServiceFailed]:
        """Start infra and services; return the services that failed (empty: all ready)."""
        s = self.settings
        self._lock_data_dir()
        say("Preparing PostgreSQL and NATS ...")
        self.infra = await asyncio.to_thread(
            start_infra,
            s.data_dir,
            postgres_port=s.postgres_port,
            nats_port=s.nats_port,
            database_url=s.database_url,
            nats_url=s.nats_url,
        )
        say(f"  {self.infra.description}")
        await ensure_databases(self.infra.server_url, [svc.database for svc in self.services])
        failures: list[ServiceFailed] = []
        startable: list[ServiceDef] = []
        for svc in self.services:
            if self.stop_requested.is_set():
                return failures
            say(f"Migrating {svc.database} ...")
            try:
                url = database_url(self.infra.server_url, svc.database)
                await migrate(svc.package, url)
                if svc == GATEWAY:
                    await seed_directory(url)
            except Exception as exc:
                reason = f"migrations failed: {type(exc).__name__}: {exc}"
                failures.append(ServiceFailed(svc.name, reason))
            else:
                startable.append(svc)
        return failures + await self._start_services(startable)

    async def _start_services(self, services: list[ServiceDef]) -> list[ServiceFailed]:
        assert self.infra is not None
        failures: list[ServiceFailed] = []
        for svc in services:
            env = service_env(svc, self.infra, self.secrets)
            proc = ServiceProcess(svc, env, self.settings.logs_dir / f"{svc.name}.log")
            try:
                await proc.start()
            except ServiceFailed as exc:
                failures.append(exc)
                continue
            self.processes.append(proc)
        say(f"Starting {', '.join(p.name for p in self.processes)}; waiting for /readyz ...")
        timeout = self.settings.ready_timeout_seconds
        results = await asyncio.gather(
            *(p.wait_ready(timeout, self.stop_requested) for p in self.processes),
            return_exceptions=True,
        )
        for proc, result in zip(self.processes, results, strict=True):
            if isinstance(result, ServiceFailed):
                failures.append(result)
            elif isinstance(result, BaseException):
                failures.append(ServiceFailed(proc.name, f"{type(result).__name__}: {result}"))
        return failures

    async def watch(self) -> int:
        """Wait for Ctrl-C/SIGTERM (exit 0) or for a service to die (exit 1)."""
        waits = {asyncio.create_task(p.wait_exit(), name=p.name): p for p in self.processes}
        stopper = asyncio.create_task(self.stop_requested.wait())
        try:
            done, _ = await asyncio.wait({stopper, *waits}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (stopper, *waits):
                task.cancel()
        dead = [waits[task] for task in done if task in waits]
        if not dead:
            return 0
        for proc in dead:
            code = proc.process.returncode if proc.process else None
            report_failures(
                [ServiceFailed(proc.name, f"exited with code {code}", proc.output_tail())]
            )
        return 1

    async def shutdown(self) -> None:
        results = await asyncio.gather(*(p.stop() for p in self.processes), return_exceptions=True)
        for proc, killed in zip(self.processes, results, strict=True):
            if killed is True:
                say(f"  {proc.name} did not stop within 10 s of SIGTERM: killed")
        self.extras.close()
        if self.infra is not None:
            await asyncio.to_thread(self.infra.stop)
        if self._lock is not None:
            self._lock.close()  # releases the flock


def report_failures(failures: list[ServiceFailed]) -> None:
    for failure in failures:
        say(f"FAILED {failure.service}: {failure.reason}")
        for line in failure.output.rstrip().splitlines()[-15:]:
            say(f"    | {line}")


def print_banner(stack: Stack) -> None:
    assert stack.infra is not None
    say()
    say(f"Nephos is running ({stack.infra.description}).")
    for svc in sorted(stack.services, key=lambda svc: svc.port):
        path = "/graphql" if svc == GATEWAY else "/docs"
        say(f"  {svc.name:<11} {svc.base_url + path:<32} {svc.summary}")
    say(f"Logs: {stack.settings.logs_dir}/<service>.log")
    say("A token (tenant demo, role admin): make token  (or: python -m nephos_devstack token)")
    say(f'  curl -H "Authorization: Bearer $(make -s token)" {ASSET.base_url}/accounts')
    say("Press Ctrl-C to stop.")


async def _until_stopped(stop: asyncio.Event, work: Awaitable[None]) -> bool:
    """Run ``work`` unless a stop comes first; True when the work finished."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    stopper.cancel()
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return False
    task.result()
    return True


async def run_stack(
    services: tuple[ServiceDef, ...],
    after_ready: Callable[[Stack], Awaitable[None]] | None = None,
) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    stack = Stack(DevstackSettings(), services, stop)
    try:
        try:
            failures = await stack.start()
        except Exception as exc:
            say(f"FAILED to start: {type(exc).__name__}: {exc}")
            return 1
        if stop.is_set():
            return EXIT_INTERRUPTED
        if failures:
            failed = {f.service for f in failures}
            ready = [p.name for p in stack.processes if p.name not in failed]
            if ready:
                say(f"Ready: {', '.join(ready)}")
            report_failures(failures)
            return 1
        print_banner(stack)
        if after_ready is not None:
            try:
                if not await _until_stopped(stop, after_ready(stack)):
                    return 0
            except Exception as exc:
                say(f"FAILED: {type(exc).__name__}: {exc}")
                return 1
        return await stack.watch()
    finally:
        say("Stopping ...")
        await stack.shutdown()
        say("Stopped.")
