"""Benchmarks run by `guanhuai bench <name>` (see README.md here). Each module defines HELP,
`add_arguments(parser)` and `run(options, write)`; `run` executes inside a scratch database."""
