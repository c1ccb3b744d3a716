"""Crossdock: the shared Lambda layer (domain rules, adapters, storage, alerts, config)."""
