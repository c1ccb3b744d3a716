"""Helpers shared by tests (each one imported by at least one test module)."""
