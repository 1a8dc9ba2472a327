"""Daily utilisation of servers, published once per (server, UTC day) for metering."""
