"""Building blocks of the Crossdock stack; each turns one kind of spec from `crossdock.constants` into AWS resources."""
