"""Referral pages (being written)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


queue = new_referral = dashboard = routing_rules = new_rule = remove_rule = _todo
referral = match = take_step = _todo
