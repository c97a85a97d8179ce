"""GET /metrics: Prometheus text for whoever holds METRICS_TOKEN; outside the API document."""

from __future__ import annotations

import hmac
import os

from flask import Blueprint, Response, abort, current_app, request

from ..db import db
from ..errors import problem
from ..i18n import lazy_gettext

blp = Blueprint("metrics", __name__)
_BEARER = "bearer "


@blp.get("/metrics")
def scrape():
    """Every family: this instance's processes summed (multiprocess mode), then the ones read
    now (outbox, leader, replica)."""
    token = current_app.config["METRICS_TOKEN"]
    if not token:
        abort(404)  # disabled: as if there were no such page
    if not _holds(token):
        return problem(401, "not_authenticated", lazy_gettext("Unauthorized"),
                       # For the operator's scraper, not for people: not translated.
                       "Send 'Authorization: Bearer <METRICS_TOKEN>'.",
                       headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    from prometheus_client import REGISTRY, CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    from .collectors import ScrapeCollector

    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # every process's files in the directory
    else:
        registry.register(_Registered(REGISTRY))  # this process is the whole instance
    registry.register(ScrapeCollector(db.session))
    # The format the scraper asks for (Prometheus' Accept: OpenMetrics), else text 0.0.4.
    encode, content_type = _encoder(request.headers.get("Accept", ""))
    return Response(encode(registry), mimetype=None,
                    headers={"Content-Type": content_type, "Cache-Control": "no-store"})


def _encoder(accept: str):
    """The client library's choice for `accept`; text 0.0.4 for a version it cannot read
    (`version=abc` raised a TypeError inside it: a 500)."""
    from prometheus_client.exposition import (
        CONTENT_TYPE_PLAIN_0_0_4,
        choose_encoder,
        generate_latest,
    )

    try:
        return choose_encoder(accept)
    except (TypeError, ValueError):
        return generate_latest, CONTENT_TYPE_PLAIN_0_0_4


def _holds(token: str) -> bool:
    header = request.headers.get("Authorization", "")
    given = header[len(_BEARER):].strip() if header.lower().startswith(_BEARER) else ""
    # Constant time: how long a refusal takes must not tell how much of the token was right.
    return hmac.compare_digest(given.encode(), token.encode())


class _Registered:
    """The families of a registry, re-read at each scrape."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        yield from self.registry.collect()
