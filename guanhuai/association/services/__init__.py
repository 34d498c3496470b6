"""Writes of the association app, split by sub-domain (members, cadres, bodies, training, care,
meetings…); each module's public names are re-exported here, so callers write `services.member_create(...)`.
Importing the package (as the app's `ready()` does) imports every module."""

from guanhuai.association.services.training import *  # noqa: F403  (training: its __all__)
