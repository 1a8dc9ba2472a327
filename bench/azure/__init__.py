"""Azure discovery bench: our collector and the full run against the ARM stand-in."""
