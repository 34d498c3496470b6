"""Reads of the programmes app, split by sub-domain like services; every list goes through scoping."""
