"""OTLP/HTTP metrics push (``POST /v1/metrics``) for hybrid and on-premise machines."""
