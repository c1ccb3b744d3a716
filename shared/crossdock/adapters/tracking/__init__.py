"""Tracking sources (carriers and aggregators): one module per source behind `TrackingSource`."""
