"""The embedded default: moto's server as AWS, sandboxes as the channels, a local runner."""
