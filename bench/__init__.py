"""Nephos benchmarks: ``python -m bench [discovery|upsert]`` prints figures next to goals.

Figures are printed, never asserted: a missed goal is a finding to report, not
a failing build. Every measured variant runs in a process of its own so that
its peak memory (RSS high-water mark) is its own.
"""
