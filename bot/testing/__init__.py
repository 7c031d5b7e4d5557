"""Test doubles the tests and the benchmarks share (never imported by the bot itself)."""
