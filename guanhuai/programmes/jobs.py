"""Job kinds of the programmes app; each handler is thin and calls a service."""
