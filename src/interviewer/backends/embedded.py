"""The default backend: llama.cpp's server (xllamacpp) in-process, on loopback."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from interviewer.backends.base import Backend, Endpoint
from interviewer.backends.model_file import gguf_identity, packaged_gemma
from interviewer.errors import BackendStartError
from interviewer.settings import EmbeddedSettings

log = logging.getLogger(__name__)
MODEL_NAME = "gemma-3-270m"


class EmbeddedBackend(Backend):
    """Gemma-3-270M base (or ``embedded.model_path``) served by xllamacpp on 127.0.0.1."""

    kind = "embedded"

    def __init__(self, settings: EmbeddedSettings, cache_dir: Path) -> None:
        self.settings = settings
        self.cache_dir = cache_dir
        self._server: Any = None
        self._endpoint: Endpoint | None = None

    def start(self) -> Endpoint:
        if self._endpoint is not None:
            return self._endpoint
        path, identity = self._model()
        self._server = self._launch(path)
        address = str(self._server.listening_address).rstrip("/")
        self._endpoint = Endpoint(
            base_url=f"{address}/v1",
            model=MODEL_NAME if self.settings.model_path is None else path.stem,
            identity=identity,
            structured="json_schema",
            label=f"embedded llama.cpp, {path.name}",
        )
        log.info("embedded model %s listening on %s", path.name, address)
        return self._endpoint

    def stop(self) -> None:
        # xllamacpp's Server joins its threads in its destructor.
        self._server = None
        self._endpoint = None

    def _model(self) -> tuple[Path, str]:
        if self.settings.model_path is not None:
            return self.settings.model_path, gguf_identity(self.settings.model_path)
        path, sha = packaged_gemma(self.cache_dir)
        return path, f"gguf:{sha}"

    def _launch(self, path: Path) -> Any:
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.hostnames = ["127.0.0.1"]
        params.port = 0  # the OS picks a free port; no race with other runs
        params.cpuparams.n_threads = self.settings.threads
        params.cpuparams_batch.n_threads = self.settings.threads
        params.n_parallel = self.settings.parallel
        params.n_ctx = self.settings.ctx_per_slot * self.settings.parallel
        params.cache_ram_mib = self.settings.prompt_cache_mib
        params.verbosity = -1  # llama.cpp logs to fd 2 and would tear rich progress bars
        try:
            return xllamacpp.Server(params)
        except Exception as exc:  # the C++ side raises plain RuntimeErrors
            raise BackendStartError(f"embedded llama.cpp server failed to start: {exc}") from None
