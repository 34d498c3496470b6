"""The one router of /api/v1/projects…, shared by the modules that add endpoints to it."""

from ninja import Router

router = Router(tags=["协会项目"])
