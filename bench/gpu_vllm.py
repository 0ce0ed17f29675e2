"""Benchmark 5 (needs a GPU and vLLM): the interview pipeline's generated tokens per
second against vLLM's own serving benchmark on the same prompts.

1. Starts ``vllm serve MODEL --enable-prefix-caching`` through the project's vllm
   backend (weights from a local path: nothing is downloaded) and runs N interviews at
   the given concurrency, recording every request the pipeline sent.
2. Writes those prompts as a ``custom`` dataset and runs ``vllm bench serve`` against
   the same server with the same concurrency and the mean reply length.
3. Prints both output-token throughputs and their ratio (target: at least 0.9).

    python -m bench.gpu_vllm --model /models/Qwen2.5-0.5B [--n 256] [--concurrency 256]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from interviewer.interview.context import InterviewContext
from interviewer.interview.runner import RunPlan, run_interviews
from interviewer.model import Completion, Model, Request
from interviewer.pool import ModelPool
from interviewer.settings import ROLES, RoleName, Settings

INTERVIEW_ROLES: tuple[RoleName, ...] = ("interviewer", "persona", "critic")


def settings_for(args: argparse.Namespace) -> Settings:
    role = {"backend": "vllm", "model": args.model, "concurrency": args.concurrency}
    return Settings.model_validate(
        {
            **{name: dict(role) for name in ROLES},
            "cache": False,  # every call must reach the engine
            "vllm": {"extra_args": ["--max-model-len", str(args.max_model_len)]},
            "interview": {"target_words": args.target_words},
        }
    )


def record(model: Model, sink: list[dict[str, Any]]) -> None:
    """Keep each request ``model`` completes (prompt, reply length) in ``sink``."""
    complete: Callable[[Request], Awaitable[Completion]] = model.complete

    async def recording(request: Request) -> Completion:
        completion = await complete(request)
        sink.append({"prompt": request.prompt, "output_tokens": completion.completion_tokens})
        return completion

    model.complete = recording  # type: ignore[method-assign]


def pipeline(args: argparse.Namespace, out: Path) -> tuple[float, float]:
    """(the pipeline's tok/s, vllm bench serve's tok/s on the prompts it sent)."""
    settings = settings_for(args)
    sent: list[dict[str, Any]] = []
    with ModelPool(settings, roles=INTERVIEW_ROLES) as pool:
        for role in INTERVIEW_ROLES:
            record(pool.model(role), sent)
        ctx = InterviewContext.from_pool(pool, settings)
        plan = RunPlan(out=out, n=args.n, concurrency=args.concurrency)
        started = time.perf_counter()
        pool.run(run_interviews(plan, ctx, {}))
        seconds = time.perf_counter() - started
        tokens = sum(r["output_tokens"] for r in sent)
        print(
            f"pipeline: {args.n} interviews, {len(sent):,} calls, {tokens:,} generated tokens "
            f"in {seconds:.1f} s = {tokens / seconds:,.0f} tok/s"
        )
        base_url = pool.endpoints["persona"].base_url
        return tokens / seconds, engine_benchmark(args, sent, base_url, out)


def engine_benchmark(
    args: argparse.Namespace, sent: list[dict[str, Any]], base_url: str, out: Path
) -> float:
    """``vllm bench serve`` on the recorded prompts; its output tokens per second."""
    dataset = out / "prompts.jsonl"
    dataset.write_text("".join(json.dumps({"prompt": r["prompt"]}) + "\n" for r in sent))
    mean_out = max(1, round(sum(r["output_tokens"] for r in sent) / len(sent)))
    result = out / "vllm_bench.json"
    argv = [
        "vllm",
        "bench",
        "serve",
        "--backend",
        "vllm",
        "--base-url",
        base_url.removesuffix("/v1"),
        "--endpoint",
        "/v1/completions",
        "--model",
        args.model,
        "--dataset-name",
        "custom",
        "--dataset-path",
        str(dataset),
        "--custom-output-len",
        str(mean_out),
        "--skip-chat-template",
        "--num-prompts",
        str(len(sent)),
        "--max-concurrency",
        str(args.concurrency),
        "--ignore-eos",
        "--save-result",
        "--result-filename",
        str(result),
    ]
    subprocess.run(argv, check=True)
    figures = json.loads(result.read_text())
    throughput = float(figures["output_throughput"])
    print(
        f"vllm bench serve: {len(sent):,} prompts, {mean_out} tokens each: {throughput:,.0f} tok/s"
    )
    return throughput


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True, help="local path (or name) vLLM serves")
    parser.add_argument("--n", type=int, default=256, help="interviews")
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--target-words", type=int, default=2500)
    parser.add_argument("--max-model-len", type=int, default=16384)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ours, engine = pipeline(args, Path(tmp))
    print(f"ratio pipeline / vllm bench serve: {ours / engine:.2f} (target ≥ 0.9)")


if __name__ == "__main__":
    main()
