"""vLLM: start ``vllm serve MODEL --enable-prefix-caching`` or attach to a running one."""

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
    """A vLLM server we own (subprocess) or one the user points us at (``base_url``)."""

    kind = "vllm"

    def __init__(
        self,
        model: str | None,
        base_url: str | None,
        settings: VLLMSettings,
        log_dir: Path,
        api_key: str = "EMPTY",
        role: str = "persona",
    ) -> None:
        self.model = model
        self.base_url = base_url
        self.settings = settings
        self.log_dir = log_dir
        self.api_key = api_key
        self.role = role
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> Endpoint:
        if self.base_url and not self.model:
            self.model = served_model(self.base_url, self.api_key, self.role)
        if not self.model:
            raise SettingsError(f"setting {self.role}.model: the vllm backend needs a model")
        url = self.base_url or self._spawn()
        if self.base_url and not is_healthy(url, timeout_s=10):
            raise BackendStartError(f"no healthy vLLM server at {url} (GET /health failed)")
        return Endpoint(
            base_url=url,
            model=self.model,
            identity=f"vllm:{self.model}",
            structured="structured_outputs",
            api_key=self.api_key,
            label=f"vLLM {'attached' if self.base_url else 'started'}, {self.model}",
        )

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            _signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

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

    def _spawn(self) -> str:
        port = self.settings.port or free_port(self.settings.host)
        url = f"http://{self.settings.host}:{port}/v1"
        writable_dir(self.log_dir, "cache_dir logs", CACHE_DIR_FIX)
        log_path = self.log_dir / f"vllm-{port}.log"
        self._log = log_path.open("wb")
        argv = self.command(port)
        log.info("starting %s (log: %s)", " ".join(argv), log_path)
        try:
            # A process group of its own, so stopping it also stops vLLM's workers.
            self._proc = subprocess.Popen(
                argv, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
            )
        except FileNotFoundError:
            self.stop()
            raise UserInputError(
                f"vllm.command {argv[0]!r} not found: install vLLM on a GPU machine "
                "(pip install 'interviewer[vllm]') or attach with base_url"
            ) from None
        self._wait_healthy(url, log_path)
        return url

    def _wait_healthy(self, url: str, log_path: Path) -> None:
        deadline = time.monotonic() + self.settings.startup_timeout_s
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                code = self._proc.returncode
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


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return f"see {path}"
    return f"{lines[-1][:200]} (log: {path})" if lines else f"no output (log: {path})"
