"""Logging set-up: plain text for people, one JSON object per line for machines."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter


def init_app(app) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("benchshare")
    logger.handlers[:] = [handler]
    logger.setLevel(app.config["LOG_LEVEL"])
    logger.propagate = False
    service_logger = logging.getLogger("service")
    service_logger.handlers[:] = [handler]
    service_logger.setLevel(app.config["LOG_LEVEL"])
    service_logger.propagate = False
