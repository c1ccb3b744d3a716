"""The CDK app that deploys Crossdock: every resource is built from `crossdock.core.names` specs."""
