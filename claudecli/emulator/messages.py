"""`POST /v1/messages` (JSON or SSE), `POST /v1/messages/count_tokens`, and batch answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .compose import compose, directive_plan
from .directives import Plan, plan_from_item
from .errors import ApiError, bad_request, error_body, new_request_id
from .faults import build_stream
from .sse import message_events
from .tokens import total_input
from .validate import validate_count, validate_create
from .wire import Obj, Request, Result, json_response

if TYPE_CHECKING:
    from .app import App

__all__ = ["batch_outcome", "count_tokens", "create", "plan_error"]


def _directives(body: Obj) -> Plan:
    try:
        return plan_from_item(directive_plan(body))
    except ValueError as exc:
        raise bad_request(f"emulator directive: {exc}") from exc


def create(app: App, req: Request, _ids: tuple[str, ...]) -> Result:
    body = app.require_json(req)
    spec = validate_create(body, req.headers["anthropic-version"])
    plan = req.scripted
    if plan is None:
        plan = _directives(body)
        early = app.respond_plan(plan, req)
        if early is not None:
            return early
    composed = compose(body, plan, app.cache.account(body), spec)
    app.register_generated(composed.files)
    if body.get("stream") and plan.fault != "json_body":
        events = message_events(composed.message, ping_every=plan.ping_every)
        return build_stream(events, plan, req.request_id)
    return json_response(composed.message, headers=plan.headers)


def count_tokens(app: App, req: Request, _ids: tuple[str, ...]) -> Result:
    body = app.require_json(req)
    validate_count(body, req.headers["anthropic-version"])
    headers = req.scripted.headers if req.scripted else {}
    return json_response({"input_tokens": total_input(body)}, headers=headers)


def _forced(plan: Plan) -> Obj | None:
    if plan.batch_result in ("canceled", "expired"):
        return {"type": plan.batch_result}
    if plan.batch_result == "errored" or plan.status is not None:
        raise plan_error(plan, default_status=500)
    return None


def plan_error(plan: Plan, *, default_status: int) -> ApiError:
    """The `ApiError` a plan's `status`/`error_type`/`message`/retry keys describe."""
    headers = dict(plan.headers)
    if plan.retry_after is not None:
        headers["retry-after"] = f"{plan.retry_after:g}"
    if plan.retry_after_ms is not None:
        headers["retry-after-ms"] = str(plan.retry_after_ms)
    if plan.should_retry is not None:
        headers["x-should-retry"] = "true" if plan.should_retry else "false"
    details = {"error_code": plan.error_code} if plan.error_code else None
    status = plan.status or default_status
    return ApiError(
        status, plan.message, error_type=plan.error_type, details=details, headers=headers
    )


def batch_outcome(app: App, params: Any, version: str) -> Obj:
    """One batch request's `result` object: succeeded / errored / canceled / expired."""
    try:
        spec = validate_create(params, version)
        plan = _directives(params)
        forced = _forced(plan)
        if forced is not None:
            return forced
        composed = compose(params, plan, app.cache.account(params), spec, tier="batch")
        app.register_generated(composed.files)
        return {"type": "succeeded", "message": composed.message}
    except ApiError as err:
        return {"type": "errored", "error": error_body(err, new_request_id())}
