"""What the bench's parent and its Azure children share, without importing the Azure SDK."""

from __future__ import annotations

# verify() and regions() run before any unit, outside the per-unit call counters a run sums.
SUBSCRIPTION_CALLS = {"subscriptions.get": 1, "subscriptions.listLocations": 1}


def found_key(region: str, native_type: str) -> str:
    """``found`` maps "<location> <native type>" to a count (JSON keys are strings)."""
    return f"{region} {native_type}"
