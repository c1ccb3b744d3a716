"""Building blocks of the Crossdock stack; each turns one kind of spec from `crossdock.core.names` into AWS resources."""
