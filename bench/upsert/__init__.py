"""Upsert bench: ``sync_unit`` writing synthetic inventories into PostgreSQL."""
