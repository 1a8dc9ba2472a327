"""Monitoring benches: ingest throughput and long-range series reads."""
