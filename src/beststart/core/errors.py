"""Errors the parts raise and the views turn into responses."""

from __future__ import annotations

from django.http import Http404


class NotFoundOrNotAllowed(Http404):
    """A record that does not exist and one the actor may not open look the same: 404."""

    def __init__(self) -> None:
        super().__init__("Page not found")
