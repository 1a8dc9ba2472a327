"""Shared test fixtures: real infrastructure (PostgreSQL, NATS) and emulated clouds."""

pytest_plugins = [
    "tests.fixtures.infra",
    "tests.fixtures.aws",
    "tests.fixtures.azure",
    "tests.fixtures.asset",
    "tests.fixtures.metering",
    "tests.fixtures.metering_jobs",
    "tests.fixtures.monitoring",
]
