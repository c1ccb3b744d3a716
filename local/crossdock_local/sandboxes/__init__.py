"""Local servers that speak each external system's real wire protocol, with realistic data and faults."""
