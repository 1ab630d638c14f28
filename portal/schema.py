"""OpenAPI schema generation (drf-spectacular) tuned to our style of nested serializers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    """Name serializers by their qualified name: BroadcastCreateApi.Input becomes
    'BroadcastCreateApiInput', so every view may call its nested serializers Input/Output."""

    def get_serializer_name(self, serializer: Any, direction: str) -> str:
        return type(serializer).__qualname__.replace(".", "")
