"""The known-answer world and the simulated engine that plays every role in it."""

SIMULATED_PREFIX = "SIMULATED"
"""Every simulated engine identity starts with this: responses whose ``model`` does are
simulated, and every report built on them says so."""
SIMULATED_NOTE = (
    "SIMULATED: these answers come from the simulated engine (a dry run or the "
    "known-answer world), not from a language model; no number here is a real result"
)


def is_simulated(identity: str) -> bool:
    return identity.startswith(SIMULATED_PREFIX)
