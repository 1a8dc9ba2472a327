"""Typed event and job payloads, shared by the service that publishes and those that consume."""
