"""The simulated engine as a backend: a loopback server playing every role from a seed.

For tests, benchmarks and ``eval --dry-run`` only: its answers come from the
known-answer world (``interviewer.simulated``), not from a language model, and its
identity says so wherever a model's identity is recorded.
"""

from __future__ import annotations

from interviewer.backends.base import Backend, Endpoint
from interviewer.settings import SimulatedSettings
from interviewer.simulated import SIMULATED_PREFIX
from interviewer.simulated.engine import EngineConfig
from interviewer.simulated.server import MODEL_NAME, SimulatedServer


def engine_config(settings: SimulatedSettings) -> EngineConfig:
    return EngineConfig(
        seed=settings.seed,
        plant_rate=settings.plant_rate,
        followup_rate=settings.followup_rate,
        anthology_latents=tuple(settings.anthology_latents),
    )


class SimulatedBackend(Backend):
    kind = "simulated"

    def __init__(self, settings: SimulatedSettings) -> None:
        self.settings = settings
        self.server = SimulatedServer(engine_config(settings))

    def start(self) -> Endpoint:
        s = self.settings
        latents = ",".join(s.anthology_latents)
        return Endpoint(
            base_url=self.server.start(),
            model=MODEL_NAME,
            identity=f"{SIMULATED_PREFIX} engine, no model (world {s.seed}, plant "
            f"{s.plant_rate}, follow-up {s.followup_rate}, anthology {latents})",
            structured="json_schema",
            label="SIMULATED engine (dry run: no model answers)",
        )

    def stop(self) -> None:
        self.server.stop()
