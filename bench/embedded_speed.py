"""Benchmark: the embedded model (llama.cpp + Gemma-3-270M) on this machine's CPU.

Prints model start time, prompt-processing and generation speed for one stream, and
aggregate generation speed with several streams in flight.

    python bench/embedded_speed.py [--tokens 128] [--streams 1 2 4]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from interviewer.pool import ModelPool
from interviewer.settings import load_settings

PROMPT = (
    "Below is the transcript of an interview from the American Voices Project.\n\n"
    "Interviewer: Tell me the story of your life.\n\nMe:"
)
LONG_PROMPT = PROMPT.replace("Tell me", "Tell me, slowly and in detail, " * 40)


async def generate(pool: ModelPool, streams: int, tokens: int) -> tuple[float, int]:
    model = pool.model("persona")
    requests = [
        model.request(PROMPT, max_tokens=tokens, seed=1000 + i, stop=()) for i in range(streams)
    ]
    started = time.perf_counter()
    done = await asyncio.gather(*(model.complete(r) for r in requests))
    return time.perf_counter() - started, sum(c.completion_tokens for c in done)


async def prefill(pool: ModelPool) -> tuple[float, int]:
    model = pool.model("persona")
    started = time.perf_counter()
    done = await model.complete(model.request(LONG_PROMPT, max_tokens=1, seed=7))
    return time.perf_counter() - started, done.prompt_tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--streams", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    settings = load_settings(overrides={"cache": False})
    started = time.perf_counter()
    with ModelPool(settings, roles=("persona",)) as pool:
        print(
            f"model up in {time.perf_counter() - started:.2f} s "
            f"({settings.embedded.threads} threads, {settings.embedded.parallel} slots)"
        )
        pool.run(measure(pool, args.streams, args.tokens))


async def measure(pool: ModelPool, stream_counts: list[int], tokens: int) -> None:
    seconds, prompt_tokens = await prefill(pool)
    print(
        f"prompt processing: {prompt_tokens} tokens in {seconds:.2f} s = "
        f"{prompt_tokens / seconds:,.0f} tok/s"
    )
    for streams in stream_counts:
        seconds, generated = await generate(pool, streams, tokens)
        print(
            f"generation, {streams} stream(s): {generated} tokens in {seconds:.2f} s = "
            f"{generated / seconds:,.1f} tok/s"
        )


if __name__ == "__main__":
    main()
