"""`crossdock`: the operators' command (shops, manual pulls, status) and the local demo."""
