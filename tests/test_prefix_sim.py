"""The prefix-cache simulation of bench/prefix_reuse.py, on hand-worked sequences."""

from __future__ import annotations

from bench.prefix_reuse import BLOCK, PrefixCache, simulate, tokens


def test_prefill_counts_whole_cached_blocks_only() -> None:
    assert BLOCK == 16
    cache = PrefixCache()
    first = [f"t{i}" for i in range(40)]
    assert cache.prefill(first) == 40  # nothing cached yet
    cache.store(first)  # blocks 0-15 and 16-31; 32-39 is not a full block
    # Shares 35 tokens: blocks 1 and 2 match (32 tokens), the 3rd differs -> 50 - 32.
    second = first[:35] + [f"u{i}" for i in range(15)]
    assert cache.prefill(second) == 18
    # A change in the first block invalidates every later block (hashes chain).
    third = ["x", *first[1:]]
    assert cache.prefill(third) == 40


def test_replies_count_when_the_engine_caches_them() -> None:
    answer = " ".join(f"w{i}" for i in range(40))  # 79 tokens: words and spaces
    prompt = "Q: tell me. Me:"
    records = [
        {"prompt": prompt, "text": " " + answer},
        {"prompt": prompt + " " + answer + "\n\nCheck:", "text": "{}"},
    ]
    (tally,) = simulate([records])
    assert len(tokens(prompt)) == 10  # Q : _ tell _ me . _ Me :
    # Prompt cache: the 2nd prompt, 10 + 1 (space) + 79 + 1 ("\n\n") + 2 ("Check", ":")
    # = 93 tokens, shares only the first prompt, which filled no whole block -> 10 + 93.
    assert tally.prefill_prompts == 10 + 93
    # Reply blocks cached too: prompt + reply = 10 + 80 = 90 tokens, 5 whole blocks (80)
    # that the 2nd prompt repeats -> 93 - 80 = 13 to prefill.
    assert tally.prefill_with_replies == 10 + 13
    assert tally.sent == 10 + 93


def test_per_replica_caches_affinity_keeps_an_interview_warm_round_robin_does_not() -> None:
    # One interview of 3 calls, each prompt the last one plus 32 new tokens.
    base = [f"t{i}" for i in range(32)]
    prompts = [base, [*base, *(f"u{i}" for i in range(32))]]
    prompts.append([*prompts[1], *(f"v{i}" for i in range(32))])
    records = [{"prompt": " ".join(p), "text": ""} for p in prompts]
    assert [len(tokens(r["prompt"])) for r in records] == [63, 127, 191]  # words + spaces
    (one,) = simulate([records], replicas=1)
    (sticky,) = simulate([records], replicas=2, route="affinity")
    (spread,) = simulate([records], replicas=2, route="round_robin")
    # One cache, or one replica by affinity: call 2 reuses call 1's 3 whole blocks (48),
    # call 3 call 2's 7 (112): 63 + (127 - 48) + (191 - 112).
    assert one.prefill_prompts == sticky.prefill_prompts == 63 + 79 + 79
    # Round robin on 2: call 1 on A, call 2 on B (cold), call 3 on A (warm from call 1).
    assert spread.prefill_prompts == 63 + 127 + (191 - 48)
