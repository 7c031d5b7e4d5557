"""Performance measurement for 職能基準小幫手 (`competency-bot bench`).

- `benchmarks.synth`  a synthetic corpus of N documents made from the five shipped ones
- `benchmarks.run`    index build (cold / warm), question latency per kind, peak RSS
- `benchmarks.e2e`    many simulated Telegram users against the fake Bot API server

Nothing here is imported by the product; every connection it makes goes to 127.0.0.1.
"""
