"""vLLM: start ``vllm serve MODEL --enable-prefix-caching`` (one server per device set)
or attach to running ones."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import IO

from interviewer.backends.base import Backend, Endpoint, free_port, is_healthy
from interviewer.backends.remote import served_model
from interviewer.errors import BackendStartError, SettingsError, UserInputError
from interviewer.paths import CACHE_DIR_FIX, writable_dir
from interviewer.settings import VLLMSettings

log = logging.getLogger(__name__)


class VLLMBackend(Backend):
    """vLLM servers we own (subprocesses, one per ``vllm.replicas`` device set) or ones
    the user points us at (``base_url``, one URL or several)."""

    kind = "vllm"

    def __init__(
        self,
        model: str | None,
        base_url: str | tuple[str, ...] | None,
        settings: VLLMSettings,
        log_dir: Path,
        api_key: str = "EMPTY",
        role: str = "persona",
    ) -> None:
        self.model = model
        self.urls = (base_url,) if isinstance(base_url, str) else base_url or ()
        self.settings = settings
        self.log_dir = log_dir
        self.api_key = api_key
        self.role = role
        self._procs: list[subprocess.Popen[bytes]] = []
        self._logs: list[IO[bytes]] = []

    def start(self) -> Endpoint:
        if self.urls and self.settings.replicas != 1:
            raise SettingsError(
                f"setting vllm.replicas starts servers, but {self.role}.base_url attaches "
                "to running ones; set one of them"
            )
        if self.urls and not self.model:
            self.model = served_model(self.urls[0], self.api_key, self.role)
        if not self.model:
            raise SettingsError(f"setting {self.role}.model: the vllm backend needs a model")
        urls = self.urls or self._spawn_all()
        for url in self.urls:
            if not is_healthy(url, timeout_s=10):
                raise BackendStartError(f"no healthy vLLM server at {url} (GET /health failed)")
        count = f"{len(urls)} servers" if len(urls) > 1 else ""
        verb = "attached" if self.urls else "started"
        return Endpoint(
            base_url=urls[0],
            model=self.model,
            identity=f"vllm:{self.model}",
            structured="structured_outputs",
            api_key=self.api_key,
            label=", ".join(w for w in (f"vLLM {verb}", count, self.model) if w),
            replicas=urls if len(urls) > 1 else (),
        )

    def stop(self) -> None:
        procs, self._procs = self._procs, []
        for proc in procs:
            if proc.poll() is None:
                _signal_group(proc, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait(timeout=10)
        logs, self._logs = self._logs, []
        for handle in logs:
            handle.close()

    def command(self, port: int) -> list[str]:
        assert self.model
        return [
            *self.settings.command,
            self.model,
            "--enable-prefix-caching",
            "--host",
            self.settings.host,
            "--port",
            str(port),
            *self.settings.extra_args,
        ]

    def _spawn_all(self) -> tuple[str, ...]:
        """Start one server per device set, then wait for all of them (vLLM loads the
        weights on each at once, so N servers take about as long as one)."""
        sets = device_sets(self.settings.replicas)
        ports = self._ports(len(sets))
        started = [self._spawn(port, devices) for port, devices in zip(ports, sets, strict=True)]
        for (url, log_path), proc in zip(started, self._procs, strict=True):
            self._wait_healthy(url, log_path, proc)
        return tuple(url for url, _ in started)

    def _ports(self, count: int) -> list[int]:
        if self.settings.port is not None:
            return [self.settings.port + i for i in range(count)]
        ports: list[int] = []
        while len(ports) < count:  # free_port can hand back a port it gave before
            port = free_port(self.settings.host)
            if port not in ports:
                ports.append(port)
        return ports

    def _spawn(self, port: int, devices: list[int] | None) -> tuple[str, Path]:
        url = f"http://{self.settings.host}:{port}/v1"
        writable_dir(self.log_dir, "cache_dir logs", CACHE_DIR_FIX)
        log_path = self.log_dir / f"vllm-{port}.log"
        handle = log_path.open("wb")
        self._logs.append(handle)
        argv = self.command(port)
        env = None
        if devices is not None:
            env = {**os.environ, "CUDA_VISIBLE_DEVICES": ",".join(map(str, devices))}
        shown = f"CUDA_VISIBLE_DEVICES={env['CUDA_VISIBLE_DEVICES']} " if env else ""
        log.info("starting %s%s (log: %s)", shown, " ".join(argv), log_path)
        try:
            # A process group of its own, so stopping it also stops vLLM's workers.
            proc = subprocess.Popen(
                argv, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True, env=env
            )
        except FileNotFoundError:
            self.stop()
            raise UserInputError(
                f"vllm.command {argv[0]!r} not found: install vLLM on a GPU machine "
                "(pip install 'interviewer[vllm]') or attach with base_url"
            ) from None
        self._procs.append(proc)
        return url, log_path

    def _wait_healthy(self, url: str, log_path: Path, proc: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + self.settings.startup_timeout_s
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                code = proc.returncode
                self.stop()
                raise BackendStartError(
                    f"vLLM exited with status {code} while starting: {_last_line(log_path)}"
                )
            if is_healthy(url, timeout_s=2):
                return
            time.sleep(0.5)
        self.stop()
        raise BackendStartError(
            f"vLLM not healthy after {self.settings.startup_timeout_s:.0f} s (log: {log_path})"
        )


def device_sets(replicas: int | list[list[int]]) -> list[list[int] | None]:
    """Each server's devices: the lists given, or the visible devices split evenly into
    ``replicas`` contiguous sets. One replica: None (the environment's devices as they are)."""
    if isinstance(replicas, list):
        return list(replicas)
    if replicas == 1:
        return [None]
    visible = visible_devices()
    if len(visible) % replicas:
        raise SettingsError(
            f"setting vllm.replicas: {replicas} servers cannot share {len(visible)} "
            f"device(s) {visible} evenly; give the device lists, e.g. [[0, 1], [2, 3]]"
        )
    size = len(visible) // replicas
    return [visible[i * size : (i + 1) * size] for i in range(replicas)]


def visible_devices() -> list[int]:
    """The GPUs this process may use: ``CUDA_VISIBLE_DEVICES``, else ``nvidia-smi -L``."""
    given = os.environ.get("CUDA_VISIBLE_DEVICES")
    if given is not None:
        try:
            return [int(part) for part in given.split(",") if part.strip()]
        except ValueError:
            raise SettingsError(
                f"CUDA_VISIBLE_DEVICES={given!r} names devices by UUID; give vllm.replicas "
                "as device lists instead of a count"
            ) from None
    try:
        listing = subprocess.run(
            ["nvidia-smi", "-L"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        raise SettingsError(
            "setting vllm.replicas: a count needs CUDA_VISIBLE_DEVICES or nvidia-smi to "
            "find the GPUs; give the device lists instead, e.g. [[0], [1]]"
        ) from None
    return [i for i, line in enumerate(listing.splitlines()) if line.startswith("GPU ")]


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return f"see {path}"
    return f"{lines[-1][:200]} (log: {path})" if lines else f"no output (log: {path})"
