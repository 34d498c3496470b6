"""Reads of the association app, split by sub-domain like services; every list goes through scoping."""
