"""The decorator any POST view wears to honour Idempotency-Key (PRODUCT.md section 5)."""

from __future__ import annotations

import functools

from flask import jsonify, request
from flask_smorest import Blueprint

from ..accounts.auth import current_user
from ..db import db
from ..errors import DomainError, domain_problem_body, problem_response
from .keys import Answer, Rebuild, claim, fingerprint, record_answer, release, valid_key

REPLAYED_HEADERS = ("ETag", "Location")
HEADER_DOC = {"in": "header", "name": "Idempotency-Key", "required": False,
              "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,200}$"},
              "description": "A retry with the same key and body answers as the first request "
                             "did and never acts twice; another body is 422 "
                             "idempotency_key_reused."}


def _replay(answer: Answer):
    if answer.status >= 400:
        return problem_response(answer.status, answer.body, answer.headers)
    response = jsonify(answer.body)
    response.status_code = answer.status
    response.headers.update(answer.headers)
    return response


def idempotent(view=None, *, rebuild: Rebuild | None = None):
    """Without the header the view runs as it is. With it, the key is claimed in the view's
    own transaction, so the use case that commits the work commits the claim with it; the
    answer (a refusal too) is then kept and replayed to every retry. `rebuild` (bookings)
    makes a booking's answer from its reservation when the process that made it died before
    keeping its answer: see `keys.claim`."""
    if view is None:
        return functools.partial(idempotent, rebuild=rebuild)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        valid_key(key)
        user_id = current_user().id
        request_hash = fingerprint(request.method, request.path, request.get_json(silent=True))
        session = db.session
        held = claim(session, user_id=user_id, key=key, request_hash=request_hash,
                     rebuild=rebuild)
        if isinstance(held, Answer):
            return _replay(held)
        try:
            response = view(*args, **kwargs)
        except DomainError as exc:
            session.rollback()
            answer = Answer(exc.status, domain_problem_body(exc), exc.extra.get("headers") or {})
            record_answer(session, held, answer)
            raise
        except Exception:
            session.rollback()  # validation or worse: nothing done, nothing kept
            raise
        finally:
            release(session)
        record_answer(session, held, Answer(response.status_code, response.get_json(), {
            name: response.headers[name] for name in REPLAYED_HEADERS
            if name in response.headers}))
        return response

    return Blueprint.doc(parameters=[HEADER_DOC])(wrapper)
