"""``interviewer backends``: what each configured backend is and whether it answers."""

from __future__ import annotations

from interviewer.cli._common import console, with_settings
from interviewer.errors import EndpointUnreachable
from interviewer.settings import Settings


@with_settings
def command(settings: Settings) -> None:
    """Show each configured backend: what it is, does it answer, does it return logprobs."""
    from interviewer.cli.views import backends_table
    from interviewer.probe import probe_pool

    results = probe_pool(settings)
    failed = [r for r in results if r.error]
    if failed:
        first = failed[0]
        raise EndpointUnreachable(
            first.endpoint.base_url, f"{first.error} (roles: {', '.join(first.roles)})"
        )
    console.print(backends_table(results))
