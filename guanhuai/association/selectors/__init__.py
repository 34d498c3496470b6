"""Reads of the association app, split by sub-domain like services; every list goes through scoping."""

from guanhuai.association.selectors.training import *  # noqa: F403  (training: its __all__)
