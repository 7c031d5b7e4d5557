"""Performance measurement for 職能基準小幫手 (`competency-bot bench`).

- `benchmarks.synth`  a synthetic corpus of N documents made from the five shipped ones
- `benchmarks.run`    index build (cold / warm), question latency per kind, peak RSS
- `benchmarks.e2e`    many simulated Telegram users against the fake Bot API server

Nothing here is imported by the product; every connection it makes goes to 127.0.0.1. The hashing embedders
(`fake`, `fake384`: benchmarks/fakes.py) are registered as soon as the package is imported.
"""

from bot.settings import Settings as _Settings

# Run as scripts (python -m benchmarks.x), the benchmarks start as the command line does: numpy's thread count set
# before numpy loads (bot/settings.py limit_math_threads says why: three times slower answers otherwise).
_Settings(BOT_DATA_DIR="/nonexistent").limit_math_threads()

from benchmarks import fakes as _fakes  # noqa: E402, F401 - registers the hashing embedders (loads numpy: after)
