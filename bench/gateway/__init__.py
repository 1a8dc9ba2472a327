"""The gateway load bench: the portal home query at a fixed rate, against the same REST calls."""
