"""A fake Meta WhatsApp Cloud API (Graph v23.0) for the test suite and the benchmarks.

A real HTTP server (aiohttp, one event loop) on 127.0.0.1 that speaks the documented contract:
requests are validated against Meta's official OpenAPI spec (with the spec's known defects
patched, see LENIENCIES), answers carry realistic wamids, signed status webhooks are posted back in
batches, and faults are injected on demand. tests/fakes/README.md is the manual.

    python -m tests.fakes.whatsapp_server --port 0 --token T --app-secret S \
        --phone-number-id 100000000000002 --waba-id 100000000000001 [--webhook-url URL] [--mps 0]

prints ``READY <port>`` once it listens. From Python:

    with FakeWhatsApp().start(webhook_url=recorder.url, mps=80) as wa:
        wa.inject("throttle", count=3)
        ...
        wa.requests(), wa.rejected(), wa.stats()
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import contextlib
import copy
import hashlib
import heapq
import hmac
import itertools
import json
import logging
import os
import random
import re
import secrets
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

log = logging.getLogger("fake_whatsapp")

API_VERSION = "v23.0"
DEFAULT_TOKEN = "fake-whatsapp-access-token"
DEFAULT_APP_SECRET = "fake_app_secret_for_tests"  # the secret /work/shared samples are signed with
DEFAULT_PHONE_NUMBER_ID = "100000000000002"
DEFAULT_WABA_ID = "100000000000001"
DEFAULT_DISPLAY_PHONE_NUMBER = "919000000000"
REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_FILE = "business-messaging-api_v23.0.yaml"
ERROR_CODES_URL = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
TO_PATTERN = re.compile(r"\+?[0-9]{6,15}")
# A business-scoped user id (USERNAMES.md §1): country code, a dot, optionally ENT. (a parent
# BSUID), then 1-128 alphanumerics. The shared doc's validation pattern, used as written.
BSUID_PATTERN = re.compile(r"[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}")
QUALITY_RATINGS = ("GREEN", "YELLOW", "RED", "NA")  # the spec's PhoneNumberInfo.quality_rating
# phone_number_quality_update events that move a number's quality rating (Meta's reference)
QUALITY_EVENT_RATING = {"FLAGGED": "RED", "UNFLAGGED": "GREEN"}
UPGRADED_MPS = 1000  # THROUGHPUT_UPGRADE: 80 -> 1,000 messages/s (LIMITS-2026.md)
PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")

# code -> (HTTP status, title, details). HTTP statuses follow Meta's Cloud API error-code table;
# clients must classify by `code` (README), the status is what Meta happens to send with it.
ERRORS: dict[int, tuple[int, str, str]] = {
    1: (400, "API Unknown", "Invalid request or possible server error."),
    2: (503, "API Service", "Temporary due to downtime or due to being overloaded."),
    4: (400, "API Too Many Calls", "The app has reached its API call rate limit."),
    100: (400, "Invalid parameter", "Invalid parameter"),
    190: (401, "Access token has expired", "Session has expired."),
    368: (
        403,
        "Temporarily blocked for policies violations",
        "The WhatsApp Business Account has been restricted for violating a platform policy.",
    ),
    80007: (400, "Rate limit issues", "The WhatsApp Business Account has reached its rate limit."),
    130429: (
        400,
        "Rate limit hit",
        "Message failed to send because there were too many messages sent from this phone number "
        "in a short period of time.",
    ),
    131000: (500, "Something went wrong", "Message failed to send due to an unknown error."),
    131005: (403, "Access denied", "Permission is either not granted or has been removed."),
    131008: (400, "Required parameter is missing", "The request is missing a required parameter."),
    131009: (400, "Parameter value is not valid", "One or more parameter values are invalid."),
    131016: (500, "Service unavailable", "A service is temporarily unavailable."),
    131021: (400, "Recipient cannot be sender", "Sender and recipient phone number is the same."),
    131026: (
        400,
        "Message undeliverable",
        "Unable to deliver message. The recipient may not be a WhatsApp user or may not have "
        "accepted the latest Terms of Service.",
    ),
    131031: (400, "Account has been locked", "The business account was locked."),
    131042: (400, "Business eligibility payment issue", "Payment method error."),
    131047: (
        400,
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last "
        "replied to this number.",
    ),
    131048: (
        400,
        "Spam rate limit hit",
        "Message failed to send because there are restrictions on how many messages can be sent "
        "from this phone number.",
    ),
    131049: (
        400,
        "This message was not delivered to maintain healthy ecosystem engagement.",
        "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    ),
    131050: (
        400,
        "Unable to deliver the message. This recipient has chosen to stop receiving marketing "
        "messages on WhatsApp from your business.",
        "Unable to deliver the message. This recipient has chosen to stop receiving marketing "
        "messages on WhatsApp from your business.",
    ),
    131051: (400, "Unsupported message type", "Unsupported message type."),
    131052: (400, "Media download error", "Unable to download the media sent by the user."),
    131053: (400, "Media upload error", "Unable to upload the media used in the message."),
    131062: (
        400,
        "BSUID recipients are not supported for this message",
        "Business-scoped user id recipients are not supported for this message (one-tap, "
        "zero-tap and copy-code authentication templates).",
    ),
    131056: (
        400,
        "(Business Account, Consumer Account) pair rate limit hit",
        "Message failed to send because there were too many messages sent from this phone number "
        "to the same phone number in a short period of time.",
    ),
    131057: (503, "Account in maintenance mode", "Business account is in maintenance mode."),
    132000: (
        400,
        "Number of parameters does not match the expected number of params",
        "The number of variable parameter values does not match the template.",
    ),
    132001: (
        404,
        "Template name does not exist in the translation",
        "The template does not exist in the specified language or is not approved.",
    ),
    132005: (400, "Translated text too long", "Translated text is too long."),
    132007: (400, "Format character policy violated", "Template content violates a policy."),
    132012: (400, "Parameter format mismatch", "Variable parameter values formatted wrongly."),
    132015: (400, "Template is paused", "Template is paused due to low quality."),
    132016: (400, "Template is disabled", "Template has been paused too many times."),
    133010: (400, "Phone number not registered", "The phone number is not registered."),
    135000: (400, "Generic user error", "Message failed to send because of an unknown error."),
}

SEND_FAULTS = ("5xx", "throttle", "pair_limit", "error")
FAULTS = (*SEND_FAULTS, "slow", "drop", "drop_before", "webhook_down")
TEMPLATE_STATUSES = ("APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "IN_APPEAL")

DEFAULT_OPTIONS: dict[str, Any] = {
    "webhook_url": None,  # where status / inbound webhooks go; None = post nothing
    "mps": 0,  # messages per second per phone number; 0 = unlimited
    "pair_window_s": 6.0,  # same recipient again within this -> 131056; 0 disables
    "throttle_status": 400,  # HTTP status sent with 130429 (Meta's table: 400; 429 also seen)
    "status_delay_ms": 50,  # between accept -> sent -> delivered -> read
    "deliver_rate": 1.0,
    "read_rate": 0.5,  # of the delivered ones
    "skip_delivered_rate": 0.0,  # of the read ones: post read without delivered
    "duplicate_rate": 0.0,  # post a status twice
    "reorder": False,  # post each message's statuses newest first (read before delivered)
    "webhook_batch": 50,  # statuses per POST at most
    "webhook_linger_ms": 20,  # wait this long for more statuses before posting a batch
    "webhook_retries": 5,  # retries of a failed POST (non-2xx / connection error)
    "webhook_retry_base_ms": 200,  # backoff: base * 2**(attempt-1), capped at 30 s
    "webhook_concurrency": 4,  # POSTs in flight
    "webhook_timeout_s": 10.0,
    "webhook_escape": True,  # encode like Meta: ASCII only (\\uXXXX) and "\\/"
    "fail_recipients": {},  # number -> code: accept, then post a `failed` status
    "reject_recipients": {},  # number -> code: answer the send with that error
    "template_status": {},  # "name" or "name/lang" -> APPROVED|PENDING|REJECTED|PAUSED|...
    "enforce_service_window": True,  # free text outside 24 h of an inbound message -> 131047
    "service_window_s": 86400.0,
    "honour_user_preferences": True,  # marketing template to a "stop"ped user -> 131050
    "display_phone_number": DEFAULT_DISPLAY_PHONE_NUMBER,
    "seed": None,  # random seed for the rates above
    "throttle_retry_after_s": None,  # send a Retry-After header (seconds) with every 130429
    "early_status_rate": 0.0,  # chance a message's statuses are posted before its send answer
    "wamid_only_rate": 0.0,  # chance a message's statuses carry no biz_opaque_callback_data
    "malformed_rate": 0.0,  # chance a status POST also carries an unreadable change
    # 2026 (shared/whatsapp/USERNAMES.md, LIMITS-2026.md):
    "marketing_cap_per_day": 0,  # MARKETING templates per recipient per fake day; over -> 131049
    "day_length_s": 86400.0,  # length of a fake day (advance_day() also moves to the next one)
    "quality_rating": "GREEN",  # of the main phone number (GET /{version}/{phone_number_id})
    "phone_numbers": {},  # more ids: {id: {display_phone_number, mps, quality_rating, ...}}
    "user_ids": {},  # phone -> BSUID pairs Meta knows: statuses of phone sends carry both
    "user_profiles": {},  # phone or BSUID -> {name, username}: contacts[].profile on statuses
}
NULLABLE_OPTIONS = {"webhook_url", "seed", "throttle_retry_after_s"}
PHONE_NUMBER_KEYS = ("display_phone_number", "mps", "quality_rating", "verified_name")


# --------------------------------------------------------------------------------------------
# The contract: Meta's OpenAPI spec, patched where it is known to be wrong, $refs inlined.
# --------------------------------------------------------------------------------------------

LENIENCIES = (
    "LanguageObject: `policy` not required (README: Meta's own examples omit it).",
    "BaseMessageProperties: `recipient_type` not required (this operation's own examples and the "
    "README's template request omit it; Meta defaults it to `individual`).",
    "BaseMessageProperties: `biz_opaque_callback_data` (string, max 512) declared: a documented "
    "send parameter the bundled spec only declares for calls.",
    "`additionalProperties: false` inside an allOf member (TextMessage and other message types) "
    "becomes `unevaluatedProperties: false` on the message: as written it rejects every message, "
    "because it cannot see `to`/`messaging_product` declared in the sibling allOf member.",
    "Template button `index` pattern `^[2-6, 11-14]$` (a malformed character class) becomes "
    "`^[0-9]$`, as its description says (0-9).",
    "OpenAPI discriminators are honoured (jsonschema ignores them): the `type` property picks the "
    "one schema to validate against (message type, template component, parameter type).",
    "Webhooks: `Change.field` also allows `user_preferences`, and a `user_preferences` change "
    "value is accepted (README defect; shape from samples/user_preferences_stop.json).",
    "Webhooks: inbound messages validate against the inbound schemas (TextMessage_2, ..., base "
    "BaseMessageProperties_1) that the bundled schema-name collision replaced (README defect).",
    "Webhooks, 2026 (USERNAMES.md): business-scoped user ids. A status names its recipient by "
    "`recipient_id` or `recipient_user_id` (either suffices; `recipient_parent_user_id` and its "
    "old name `parent_recipient_user_id` allowed) and may carry `contacts`; an inbound message "
    "names its sender by `from` or `from_user_id`; a contact has `user_id`, `parent_user_id` and "
    "`profile.username` beside the optional `wa_id`; `user_preferences[]` has `wa_id` or "
    "`user_id`.",
    "Webhooks, 2026: the account-level fields `user_id_update` (samples/user_id_update.json), "
    "`message_template_status_update` (samples/template_status_paused.json; Meta's reference of "
    "13 Apr 2026) and `phone_number_quality_update` (Meta's reference of 21 May 2026), which the "
    "bundled spec does not list, are accepted with their documented shapes.",
    "Sends, 2026 (USERNAMES.md §5): `to` is not required, and a `recipient` (string, a BSUID or "
    "parent BSUID) is declared. The handler wants `to` or `recipient` (`to` wins when both "
    "are sent, as documented) and checks their formats.",
    "Webhooks: system messages validate against the inbound base (BaseMessageProperties_1, the "
    "schema-name collision again), and 2026 adds `system.type` user_changed_user_id with "
    "`system.user_id`, `previous_user_id`, `previous_parent_user_id` (USERNAMES.md §4).",
)

REF_PREFIX = "#/components/schemas/"
ANNOTATIONS = {
    "description",
    "example",
    "examples",
    "title",
    "summary",
    "discriminator",
    "deprecated",
    "readOnly",
    "writeOnly",
    "externalDocs",
    "xml",
}
SCHEMA_MAPS = {"properties", "patternProperties", "dependentSchemas", "$defs", "definitions"}
SCHEMA_ONE = {
    "items",
    "not",
    "if",
    "then",
    "else",
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "propertyNames",
}
SCHEMA_LIST = {"allOf", "anyOf", "oneOf", "prefixItems"}


def default_spec_path() -> Path:
    """The spec shipped in shared/ beside the repository (or WHATSAPP_SPEC_PATH)."""
    env = os.environ.get("WHATSAPP_SPEC_PATH")
    if env:
        return Path(env)
    return REPO_ROOT.parent / "shared" / "whatsapp" / "spec" / SPEC_FILE


def _ref_name(ref: str) -> str:
    if not ref.startswith(REF_PREFIX):
        raise ValueError(f"unsupported $ref {ref!r}")
    return ref[len(REF_PREFIX) :]


def _honour_discriminator(schemas: dict[str, Any], name: str) -> None:
    """Replace `discriminator` (+ oneOf) by `x-discriminator`: a keyword of our validator that
    validates against the one schema the discriminating property names (see `validator`)."""
    schema = schemas[name]
    disc = schema.pop("discriminator")
    schema.pop("oneOf", None)
    prop, mapping = disc["propertyName"], disc["mapping"]
    base = f"{name}__base"
    schemas[base] = schema
    for ref in set(mapping.values()):  # children extend the parent: point them at its base
        for part in schemas[_ref_name(ref)].get("allOf", []):
            if part.get("$ref") == REF_PREFIX + name:
                part["$ref"] = REF_PREFIX + base
    schemas[name] = {
        "allOf": [{"$ref": REF_PREFIX + base}],
        "type": "object",
        "required": [prop],
        "properties": {prop: {"enum": list(mapping)}},
        "x-discriminator": {
            "propertyName": prop,
            "mapping": {key: {"$ref": ref} for key, ref in mapping.items()},
        },
    }


def _inline(schemas: dict[str, Any], root: str) -> dict[str, Any]:
    """`root` with every $ref replaced by its target and annotations dropped (a plain tree)."""

    def walk(node: Any, stack: tuple[str, ...]) -> Any:
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        if "$ref" in node:
            target = _ref_name(node["$ref"])
            if target in stack:
                raise ValueError(f"$ref cycle: {' -> '.join((*stack, target))}")
            resolved = walk(schemas[target], (*stack, target))
            siblings = {k: v for k, v in node.items() if k != "$ref" and k not in ANNOTATIONS}
            if not siblings:
                return resolved
            out["allOf"] = [resolved]
            node = siblings
        for key, value in node.items():
            if key in ANNOTATIONS:
                continue
            if key in SCHEMA_MAPS and isinstance(value, dict):
                out[key] = {k: walk(v, stack) for k, v in value.items()}
            elif key in SCHEMA_ONE:
                out[key] = walk(value, stack)
            elif key == "x-discriminator":
                mapping = {k: walk(v, stack) for k, v in value["mapping"].items()}
                out[key] = {**value, "mapping": mapping}
            elif key in SCHEMA_LIST and isinstance(value, list):
                out[key] = out.get(key, []) + [walk(v, stack) for v in value]
            else:
                out[key] = value
        return out

    return walk(schemas[root], (root,))


# Keywords whose meaning depends on sibling keywords: a schema holding one is never merged.
INTERACTING = {
    "additionalProperties",
    "patternProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "if",
    "then",
    "else",
    "prefixItems",
    "contains",
    "x-discriminator",
}
APPLICATORS = {"allOf", "anyOf", "oneOf", "$ref", "dependentSchemas", "if", "x-discriminator"}


def _merge_into(target: dict[str, Any], part: dict[str, Any]) -> bool:
    """Merge schema `part` into `target` (their conjunction) if that is exact; else False."""
    if INTERACTING & (part.keys() | target.keys()) - {"x-discriminator"}:
        return False
    if "x-discriminator" in part and "x-discriminator" in target:
        return False
    for key, value in part.items():
        if key in ("properties", "required", "allOf") or key not in target:
            continue
        if target[key] != value:
            return False
    for key, value in part.items():
        if key == "properties":
            props = target.setdefault("properties", {})
            for name, sub in value.items():
                props[name] = _flatten({"allOf": [props[name], sub]}) if name in props else sub
        elif key == "required":
            target["required"] = list(dict.fromkeys([*target.get("required", []), *value]))
        elif key == "allOf":
            target.setdefault("allOf", []).extend(value)
        else:
            target[key] = value
    return True


def _flatten(node: Any) -> Any:
    """Fold allOf members into their parent where that keeps the meaning (fewer schema nodes to
    walk: jsonschema's cost is per node), then turn `unevaluatedProperties: false` into
    `additionalProperties: false` where no applicator is left to evaluate properties."""
    if isinstance(node, list):
        return [_flatten(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {
        k: (
            {n: _flatten(s) for n, s in v.items()}
            if k in SCHEMA_MAPS and isinstance(v, dict)
            else {**v, "mapping": {n: _flatten(s) for n, s in v["mapping"].items()}}
            if k == "x-discriminator"
            else _flatten(v)
            if k in SCHEMA_ONE or k in SCHEMA_LIST
            else v
        )
        for k, v in node.items()
    }
    unevaluated = node.pop("unevaluatedProperties", None)
    pending = node.pop("allOf", [])
    rest: list[Any] = []
    while pending:
        part = pending.pop(0)
        before = len(node.get("allOf", []))
        if isinstance(part, dict) and _merge_into(node, part):
            pending = node.pop("allOf", [])[before:] + pending if "allOf" in node else pending
        else:
            rest.append(part)
    if rest:
        node["allOf"] = rest
    if unevaluated is False and not APPLICATORS & node.keys():
        node["additionalProperties"] = False
    elif unevaluated is not None:
        node["unevaluatedProperties"] = unevaluated
    return node


def build_contract(spec: dict[str, Any]) -> dict[str, Any]:
    """The validation schemas the fake uses, derived from the spec document (see LENIENCIES)."""
    s = copy.deepcopy(spec["components"]["schemas"])
    lang = s["LanguageObject"]
    lang["required"] = [r for r in lang.get("required", []) if r != "policy"]
    base = s["BaseMessageProperties"]
    base["required"] = [r for r in base.get("required", []) if r != "recipient_type"]
    base["properties"]["biz_opaque_callback_data"] = {"type": "string", "maxLength": 512}
    # 2026: a BSUID recipient goes in `recipient` instead of `to` (USERNAMES.md §5); the send
    # handler requires one of the two and checks each one's format.
    base["required"] = [r for r in base["required"] if r != "to"]
    base["properties"]["recipient"] = {"type": "string"}
    for schema in s.values():
        for part in schema.get("allOf", []) if isinstance(schema, dict) else []:
            if isinstance(part, dict) and part.get("additionalProperties") is False:
                del part["additionalProperties"]
                schema["unevaluatedProperties"] = False
    for name in ("TemplateComponent", "ButtonComponent"):
        holders = [s[name], *s[name].get("allOf", [])]
        for holder in holders:
            index = holder.get("properties", {}).get("index") if isinstance(holder, dict) else None
            if index and "pattern" in index:
                index["pattern"] = "^[0-9]$"
    # Webhook side.
    change = s["Change"]
    change["properties"]["field"]["enum"].append("user_preferences")
    s["UserPreferencesValue__fake"] = {
        "type": "object",
        "required": ["messaging_product", "metadata", "user_preferences"],
        "properties": {
            "messaging_product": {"type": "string"},
            "metadata": {"$ref": REF_PREFIX + "Metadata"},
            "contacts": {"type": "array", "items": {"$ref": REF_PREFIX + "ContactProfile"}},
            "user_preferences": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["wa_id", "category", "value", "timestamp"],
                    "properties": {
                        "wa_id": {"type": "string"},
                        "detail": {"type": "string"},
                        "category": {"type": "string"},
                        "value": {"enum": ["stop", "resume"]},
                        "timestamp": {"type": "integer"},
                    },
                },
            },
        },
    }
    user_preferences_value = {"$ref": REF_PREFIX + "UserPreferencesValue__fake"}
    change["properties"]["value"]["oneOf"].append(user_preferences_value)
    _patch_user_ids(s)
    _add_account_fields(s, change)
    _patch_system_messages(s)
    mapping = s["IncomingMessage"]["discriminator"]["mapping"]
    inbound_base = REF_PREFIX + "BaseMessageProperties_1"
    for key, ref in list(mapping.items()):
        name = _ref_name(ref)
        for candidate in (f"{name}_2", f"{name}_1", name):
            first = (s.get(candidate) or {}).get("allOf", [{}])[0]
            if first.get("$ref") in (REF_PREFIX + "BaseMessageProperties", inbound_base):
                mapping[key] = REF_PREFIX + candidate
                first["$ref"] = inbound_base
                break
    for name in [n for n, v in s.items() if isinstance(v, dict) and "discriminator" in v]:
        if "mapping" in s[name]["discriminator"]:
            _honour_discriminator(s, name)
    return {
        "send": _flatten(_inline(s, "Message")),
        "send_response": _flatten(_inline(s, "MessageResponsePayload")),
        "webhook": _flatten(_inline(s, "WebhookPayload")),
        "phone_number": _flatten(_inline(s, "PhoneNumberInfo")),
    }


def _either(*names: str) -> dict[str, Any]:
    return {"anyOf": [{"required": [name]} for name in names]}


def _patch_user_ids(s: dict[str, Any]) -> None:
    """Business-scoped user ids (2026) beside or instead of phone numbers (LENIENCIES)."""
    text = {"type": "string"}
    statuses = s["Statuses"]
    statuses["required"] = [r for r in statuses["required"] if r != "recipient_id"]
    statuses.setdefault("allOf", []).append(_either("recipient_id", "recipient_user_id"))
    for name in ("recipient_user_id", "recipient_parent_user_id", "parent_recipient_user_id"):
        statuses["properties"][name] = text
    contact = s["ContactProfile"]
    for name in ("user_id", "parent_user_id"):
        contact["properties"][name] = text
    contact["properties"]["profile"]["properties"]["username"] = text
    s["StatusMessageValue"]["properties"]["contacts"] = {
        "type": "array",
        "items": {"$ref": REF_PREFIX + "ContactProfile"},
    }
    inbound = s["BaseMessageProperties_1"]
    inbound["required"] = [r for r in inbound["required"] if r != "from"]
    inbound.setdefault("allOf", []).append(_either("from", "from_user_id"))
    for name in ("from_user_id", "from_parent_user_id"):
        inbound["properties"][name] = text
    preference = s["UserPreferencesValue__fake"]["properties"]["user_preferences"]["items"]
    preference["required"] = [r for r in preference["required"] if r != "wa_id"]
    preference["allOf"] = [_either("wa_id", "user_id")]
    preference["properties"]["user_id"] = text


def _patch_system_messages(s: dict[str, Any]) -> None:
    """System messages (IncomingMessageValueSystem): inbound, so on the inbound base that the
    schema-name collision displaced; 2026 adds type user_changed_user_id and the ids
    user_id, previous_user_id, previous_parent_user_id (USERNAMES.md §4, 11 Aug 2026)."""
    text = {"type": "string"}
    message = s["SystemMessage"]
    for part in message["allOf"]:
        if part.get("$ref") == REF_PREFIX + "BaseMessageProperties":
            part["$ref"] = REF_PREFIX + "BaseMessageProperties_1"
        system = part.get("properties", {}).get("system")
        if system:
            system["properties"]["type"]["enum"].append("user_changed_user_id")
            for name in ("user_id", "previous_user_id", "previous_parent_user_id"):
                system["properties"][name] = text


def _add_account_fields(s: dict[str, Any], change: dict[str, Any]) -> None:
    """user_id_update, message_template_status_update, phone_number_quality_update."""
    text = {"type": "string"}
    previous_current = {
        "type": "object",
        "required": ["previous", "current"],
        "properties": {"previous": text, "current": text},
    }
    s["UserIdUpdateValue__fake"] = {
        "type": "object",
        "required": ["messaging_product", "metadata", "user_id_update"],
        "properties": {
            "messaging_product": text,
            "metadata": {"$ref": REF_PREFIX + "Metadata"},
            "contacts": {"type": "array", "items": {"$ref": REF_PREFIX + "ContactProfile"}},
            "user_id_update": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["user_id", "timestamp"],
                    "properties": {
                        "wa_id": text,
                        "detail": text,
                        "user_id": previous_current,
                        "parent_user_id": previous_current,
                        "timestamp": text,
                    },
                },
            },
        },
    }
    s["TemplateStatusValue__fake"] = {
        "type": "object",
        "required": [
            "event",
            "message_template_id",
            "message_template_name",
            "message_template_language",
        ],
        "properties": {
            "event": text,
            "message_template_id": {"type": "integer"},
            "message_template_name": text,
            "message_template_language": text,
            "reason": {"type": ["string", "null"]},
            "message_template_category": text,
            "other_info": {
                "type": "object",
                "properties": {"title": text, "description": text},
            },
        },
        "not": {"required": ["messaging_product"]},
    }
    s["QualityUpdateValue__fake"] = {
        "type": "object",
        "required": ["display_phone_number", "event"],
        "properties": {
            "display_phone_number": text,
            "event": text,
            "old_limit": text,
            "current_limit": text,
            "max_daily_conversations_per_business": text,
        },
        "not": {"required": ["messaging_product"]},
    }
    change["properties"]["field"]["enum"].extend(
        ["user_id_update", "message_template_status_update", "phone_number_quality_update"]
    )
    for name in (
        "UserIdUpdateValue__fake",
        "TemplateStatusValue__fake",
        "QualityUpdateValue__fake",
    ):
        change["properties"]["value"]["oneOf"].append({"$ref": REF_PREFIX + name})


def load_contract(spec_path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Parse the YAML once and build the contract; cached in the temp dir by content hash."""
    path = Path(spec_path) if spec_path else default_spec_path()
    raw = path.read_bytes()
    key = hashlib.sha256(raw + Path(__file__).read_bytes()).hexdigest()[:20]
    cache = Path(tempfile.gettempdir()) / f"thana-fake-whatsapp-contract-{key}.json"
    with contextlib.suppress(OSError, ValueError):
        return json.loads(cache.read_text())  # type: ignore[no-any-return]
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    contract = build_contract(yaml.load(raw, Loader=loader))  # noqa: S506 - a safe loader
    contract["spec_sha256"] = hashlib.sha256(raw).hexdigest()
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    with contextlib.suppress(OSError):
        tmp.write_text(json.dumps(contract))
        os.replace(tmp, cache)
    return contract


def _x_discriminator(validator: Any, spec: Any, instance: Any, schema: Any) -> Any:
    """OpenAPI `discriminator`: validate against the schema the property's value names."""
    if validator.is_type(instance, "object"):
        value = instance.get(spec["propertyName"])
        chosen = spec["mapping"].get(value) if isinstance(value, str) else None
        if isinstance(chosen, dict):
            yield from validator.descend(instance, chosen)


def validator(contract: dict[str, Any], which: str) -> Any:
    """A Draft 2020-12 validator (plus `x-discriminator`) for 'send', 'send_response' or
    'webhook' (a webhook payload as Meta posts it)."""
    from jsonschema import Draft202012Validator, validators

    cls = validators.extend(Draft202012Validator, {"x-discriminator": _x_discriminator})
    return cls(contract[which])


VALUE_KEYWORDS = {"enum", "const", "pattern"}
UNSUPPORTED_BY_MEMO = {"uniqueItems", "dependentSchemas", "$ref", "$dynamicRef"}
IN_PLACE = {"allOf", "anyOf", "oneOf", "not", "if", "then", "else"}


class MemoValidator:
    """A validator that remembers the *shapes* of bodies it found valid (the portal sends the same
    few shapes 50,000 times). A shape keeps everything the schema can look at: keys, array
    lengths, numbers, booleans, the exact value of every string under a key that some enum /
    const / pattern / discriminator constrains, and for other strings only which minLength /
    maxLength thresholds of the schema their length crosses. Two bodies with one shape therefore
    get the same verdict; where the analysis cannot show that (a constraint it cannot tie to a
    key), the memo switches itself off. Invalid bodies are always validated afresh."""

    def __init__(self, schema: dict[str, Any], checker: Any, size: int = 4096) -> None:
        self.checker = checker
        self.size = size
        self.value_keys: set[str] = set()
        self.thresholds: list[int] = []
        self.sound = True
        self._analyse(schema, None)
        self.thresholds = sorted(set(self.thresholds))
        self.memo: dict[Any, bool] = {}

    def _analyse(self, node: Any, key: str | None) -> None:
        if isinstance(node, list):
            for item in node:
                self._analyse(item, key)
            return
        if not isinstance(node, dict):
            return
        if UNSUPPORTED_BY_MEMO & node.keys():
            self.sound = False
        if VALUE_KEYWORDS & node.keys():
            if key is None:
                self.sound = False
            else:
                self.value_keys.add(key)
        for bound in ("minLength", "maxLength"):
            if bound in node:
                self.thresholds.append(int(node[bound]) + (1 if bound == "maxLength" else 0))
        for name, value in node.items():
            if name == "properties":
                for prop, sub in value.items():
                    self._analyse(sub, prop)
            elif name == "x-discriminator":
                self.value_keys.add(value["propertyName"])
                self._analyse(list(value["mapping"].values()), key)
            elif name in IN_PLACE:
                self._analyse(value, key)
            elif name in ("items", "prefixItems", "contains"):
                self._analyse(value, f"{key}[]")
            elif name in ("additionalProperties", "patternProperties", "unevaluatedProperties"):
                if isinstance(value, dict):
                    subs = value.values() if name == "patternProperties" else [value]
                    for sub in subs:
                        self._analyse(sub, None)
            elif name in ("propertyNames", "unevaluatedItems", "dependentRequired"):
                if isinstance(value, dict) and value:
                    self.sound = False

    def shape(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, str):
            if key in self.value_keys:
                return ("s", value)
            length = len(value)
            return ("n", sum(1 for bound in self.thresholds if length >= bound))
        if isinstance(value, dict):
            return tuple((k, self.shape(v, k)) for k, v in value.items())
        if isinstance(value, list):
            inner = f"{key}[]"
            return ("l", *(self.shape(v, inner) for v in value))
        return (type(value).__name__, value)

    def errors(self, body: Any) -> list[Any]:
        """Schema errors, most relevant first (empty when valid)."""
        key = self.shape(body) if self.sound else None
        if key is not None and key in self.memo:
            return []
        errors = sorted(self.checker.iter_errors(body), key=_relevance)
        if not errors and key is not None:
            if len(self.memo) >= self.size:
                self.memo.clear()
            self.memo[key] = True
        return errors


def describe_error(error: Any) -> tuple[str, str]:
    """(Meta-style message, details) for a jsonschema ValidationError."""
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    path = path.lstrip(".")
    if error.validator == "required":
        found = re.match(r"'([^']+)' is a required property", error.message)
        missing = found.group(1) if found else "?"
        name = f"{path}.{missing}" if path else missing
        return f"(#100) The parameter {name} is required.", f"{name}: {error.message}"
    return "(#100) Invalid parameter", f"{path or '(body)'}: {error.message}"


# --------------------------------------------------------------------------------------------
# Templates, ids, signatures.
# --------------------------------------------------------------------------------------------

_DEFAULT_TEMPLATE_TEXT = {
    ("community_group_invite", "MARKETING"): {
        "en": "Namaste {{1}}! {{2}} invites you to its community WhatsApp group "
        '"{{3}}". Join here: {{4}}',
        "hi": 'नमस्ते {{1}}! {{2}} आपको अपने सामुदायिक व्हाट्सऐप समूह "{{3}}" में आमंत्रित करता है। '
        "यहाँ जुड़ें: {{4}}",
        "bn": 'নমস্কার {{1}}! {{2}} আপনাকে তাদের কমিউনিটি হোয়াটসঅ্যাপ গ্রুপ "{{3}}"-এ আমন্ত্রণ '
        "জানাচ্ছে। এখানে যোগ দিন: {{4}}",
    },
    ("cyber_fraud_awareness", "MARKETING"): {
        "en": "Cyber safety alert from {{1}}: bank, army or police staff never ask for an OTP or "
        "money on a call. Report fraud on 1930.",
        "hi": "{{1}} की साइबर सुरक्षा चेतावनी: बैंक, सेना या पुलिस कभी फ़ोन पर OTP या पैसे नहीं "
        "माँगते। धोखाधड़ी की शिकायत 1930 पर करें।",
        "bn": "{{1}}-এর সাইবার নিরাপত্তা সতর্কতা: ব্যাংক, সেনা বা পুলিশ কখনও ফোনে OTP বা টাকা "
        "চায় না। প্রতারণার অভিযোগ 1930-এ জানান।",
    },
    ("complaint_acknowledgement", "UTILITY"): {
        "en": "Your complaint {{1}} has been received by {{2}}. Quote this number when you "
        "follow up.",
        "hi": "आपकी शिकायत {{1}} {{2}} को प्राप्त हो गई है। आगे की जानकारी के लिए यह संख्या बताएँ।",
        "bn": "আপনার অভিযোগ {{1}} {{2}} গ্রহণ করেছে। পরবর্তী যোগাযোগে এই নম্বরটি বলুন।",
    },
}


def _template_id(name: str, language: str) -> str:
    return str(10**14 + int(hashlib.sha256(f"{name}/{language}".encode()).hexdigest()[:12], 16))


def normalise_template(raw: dict[str, Any]) -> dict[str, Any]:
    """A template in Meta's listing format; accepts the short form {name, language, body}."""
    if not raw.get("name") or not raw.get("language"):
        raise ValueError(f"a template needs name and language: {raw!r}")
    components = copy.deepcopy(raw.get("components") or [])
    if not components:
        body = raw.get("body", "")
        components = [{"type": "BODY", "text": body}]
    for comp in components:
        comp["type"] = str(comp.get("type", "BODY")).upper()
        count = len(set(PLACEHOLDER.findall(comp.get("text", ""))))
        if comp["type"] == "BODY" and count and "example" not in comp:
            comp["example"] = {"body_text": [[f"example {i + 1}" for i in range(count)]]}
    status = str(raw.get("status", "APPROVED")).upper()
    if status not in TEMPLATE_STATUSES:
        raise ValueError(f"template status must be one of {TEMPLATE_STATUSES}: {status!r}")
    return {
        "name": raw["name"],
        "parameter_format": "POSITIONAL",
        "components": components,
        "language": raw["language"],
        "status": status,
        "category": str(raw.get("category", "MARKETING")).upper(),
        "id": str(raw.get("id") or _template_id(raw["name"], raw["language"])),
    }


def default_templates() -> list[dict[str, Any]]:
    """community_group_invite (4 params), cyber_fraud_awareness (1), complaint_acknowledgement
    (2), each in en, hi and bn, APPROVED."""
    out = []
    for (name, category), texts in _DEFAULT_TEMPLATE_TEXT.items():
        for language, text in texts.items():
            out.append(
                normalise_template(
                    {"name": name, "language": language, "category": category, "body": text}
                )
            )
    return out


def expected_params(template: dict[str, Any]) -> dict[str, int]:
    """Placeholders per component type ('header', 'body') of a template."""
    counts = {"header": 0, "body": 0}
    for comp in template["components"]:
        kind = comp["type"].lower()
        if kind in counts:
            counts[kind] = len(set(PLACEHOLDER.findall(comp.get("text", ""))))
    return counts


def sign(app_secret: str, body: bytes) -> str:
    """The X-Hub-Signature-256 value for `body`: "sha256=" + hex HMAC-SHA256."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    return bool(header) and hmac.compare_digest(sign(app_secret, body), header or "")


def encode_webhook(payload: Any, escape: bool = True) -> bytes:
    """Compact JSON; with `escape`, like Meta: non-ASCII as \\uXXXX and "/" as "\\/"."""
    if escape:
        return json.dumps(payload, separators=(",", ":")).replace("/", "\\/").encode()
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


class WamidFactory:
    """Unique wamids shaped like Meta's: "wamid." + base64 of a small binary record holding the
    recipient's wa_id and an 18-character hex id (random per process + counter)."""

    def __init__(self) -> None:
        self._nonce = secrets.token_hex(4).upper()
        self._counter = itertools.count(1)

    def new(self, wa_id: str, inbound: bool = False) -> str:
        key = f"{self._nonce}{next(self._counter):010X}".encode()
        digits = wa_id.encode()[:255]
        raw = (
            b"\x1c\x18"
            + bytes([len(digits)])
            + digits
            + b"\x15\x02\x00"
            + (b"\x12" if inbound else b"\x11")
            + b"\x18"
            + bytes([len(key)])
            + key
            + b"\x00"
        )
        return "wamid." + base64.b64encode(raw).decode()


def fbtrace_id() -> str:
    return "A" + secrets.token_urlsafe(16)[:22]


# --------------------------------------------------------------------------------------------
# The server.
# --------------------------------------------------------------------------------------------


@dataclass
class Fault:
    id: int
    fault: str
    remaining: int | None
    params: dict[str, Any]
    until: float | None = None  # monotonic deadline (webhook_down with ms=...)
    passed: int = 0  # matching requests let through so far (the `after` parameter)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "fault": self.fault,
            "remaining": self.remaining,
            "passed": self.passed,
            **self.params,
        }


@dataclass
class Job:
    """One webhook POST (its exact bytes are kept for retries)."""

    body: bytes
    kind: str  # statuses | inbound | user_preferences
    statuses: int
    epoch: int
    attempt: int = 1
    holds_slot: bool = False


@dataclass
class State:
    accepted: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    counters: collections.Counter[str] = field(default_factory=collections.Counter)
    rejected_by_code: collections.Counter[int] = field(default_factory=collections.Counter)
    per_recipient: collections.Counter[str] = field(default_factory=collections.Counter)
    windows: dict[str, collections.deque[float]] = field(
        default_factory=lambda: collections.defaultdict(collections.deque)
    )  # phone number id -> accept times within the last second (mps)
    last_accept: dict[tuple[str, str], float] = field(default_factory=dict)  # (number, recipient)
    last_inbound: dict[str, float] = field(default_factory=dict)
    stopped_marketing: set[str] = field(default_factory=set)
    marketing_today: collections.Counter[tuple[str, int]] = field(
        default_factory=collections.Counter
    )  # (recipient, fake day) -> marketing templates counted towards the 131049 cap
    day_anchor: float = field(default_factory=time.monotonic)
    day_offset: int = 0  # days added by advance_day()


class FakeCloudApi:
    def __init__(
        self,
        *,
        token: str,
        app_secret: str,
        phone_number_id: str,
        waba_id: str,
        options: dict[str, Any],
        templates: list[dict[str, Any]] | None,
        contract: dict[str, Any],
    ) -> None:
        self.token = token
        self.app_secret = app_secret
        self.phone_number_id = phone_number_id
        self.waba_id = waba_id
        self.send_validator = MemoValidator(contract["send"], validator(contract, "send"))
        self.wamids = WamidFactory()
        self._initial_options = self._checked_options(options, dict(DEFAULT_OPTIONS))
        self._initial_templates = [normalise_template(t) for t in (templates or [])] or (
            default_templates()
        )
        self.epoch = 0
        self.posting = 0  # webhook POSTs on the wire, any epoch
        self._fault_ids = itertools.count(1)
        self._seq = itertools.count()
        self._reset_state()

    # ---- state -------------------------------------------------------------------------

    def _reset_state(self) -> None:
        self.options = copy.deepcopy(self._initial_options)
        self.templates = {(t["name"], t["language"]): t for t in self._initial_templates}
        self.state = State()
        self.faults: list[Fault] = []
        self.rng = random.Random(self.options["seed"])
        self.heap: list[tuple[float, int, dict[str, Any]]] = []
        self.ready: list[dict[str, Any]] = []  # due, waiting to fill a batch
        self.ready_since: float | None = None
        self.epoch += 1
        self.inflight_statuses = 0
        self.inflight_jobs = 0
        self.pairs_changed()

    @staticmethod
    def _checked_options(new: dict[str, Any], into: dict[str, Any]) -> dict[str, Any]:
        for key, value in new.items():
            if key not in DEFAULT_OPTIONS:
                raise ValueError(f"unknown option {key!r}; known: {sorted(DEFAULT_OPTIONS)}")
            default = DEFAULT_OPTIONS[key]
            if value is None and key in NULLABLE_OPTIONS:
                into[key] = None
            elif key == "throttle_retry_after_s":
                into[key] = float(value)
            elif key in ("fail_recipients", "reject_recipients"):
                into[key] = {str(k).lstrip("+"): int(v) for k, v in dict(value).items()}
            elif key == "quality_rating":
                into[key] = _quality_rating(value)
            elif key == "phone_numbers":
                into[key] = _checked_numbers(value)
            elif key == "user_ids":
                into[key] = {str(k).lstrip("+"): _bsuid(v) for k, v in dict(value).items()}
            elif key == "user_profiles":
                into[key] = {
                    str(k).lstrip("+"): {str(n): str(x) for n, x in dict(v).items()}
                    for k, v in dict(value).items()
                }
            elif key == "template_status":
                into[key] = {str(k): str(v).upper() for k, v in dict(value).items()}
                bad = set(into[key].values()) - set(TEMPLATE_STATUSES)
                if bad:
                    raise ValueError(f"template statuses must be in {TEMPLATE_STATUSES}: {bad}")
            elif isinstance(default, bool):
                into[key] = bool(value)
            elif isinstance(default, int):
                into[key] = int(value)
            elif isinstance(default, float):
                into[key] = float(value)
            else:
                into[key] = value if value is None else str(value)
        return into

    def configure(self, new: dict[str, Any]) -> dict[str, Any]:
        new = dict(new)
        templates = new.pop("templates", None)
        if templates is not None:
            normalised = [normalise_template(t) for t in templates]
            self.templates = {(t["name"], t["language"]): t for t in normalised}
        self._checked_options(new, self.options)
        if "user_ids" in new:
            self.pairs_changed()
        if "seed" in new:
            self.rng = random.Random(self.options["seed"])
        self._wake_scheduler()
        self._ensure_workers()
        return self.options

    def add_fault(self, spec: dict[str, Any]) -> Fault:
        spec = dict(spec)
        name = spec.pop("fault", None)
        if name not in FAULTS:
            raise ValueError(f"unknown fault {name!r}; known: {list(FAULTS)}")
        count = spec.pop("count", None)
        if count is not None and int(count) < 1:
            raise ValueError("count must be >= 1 or None (until clear_faults)")
        if name == "error" and "code" not in spec:
            raise ValueError("the 'error' fault needs code=...")
        if name == "slow" and "ms" not in spec:
            raise ValueError("the 'slow' fault needs ms=...")
        fault = Fault(next(self._fault_ids), name, None if count is None else int(count), spec)
        if name == "webhook_down" and "ms" in spec:
            fault.until = time.monotonic() + float(spec["ms"]) / 1000
        self.faults.append(fault)
        return fault

    def take_fault(self, names: tuple[str, ...], target: str) -> Fault | None:
        """The first active fault among `names` for `target` (send|templates); spends one."""
        now = time.monotonic()
        for fault in self.faults:
            if fault.fault not in names:
                continue
            if fault.until is not None and now >= fault.until:
                self.faults.remove(fault)
                return self.take_fault(names, target)
            default = "webhook" if fault.fault == "webhook_down" else "send"
            if fault.params.get("target", default) not in (target, "any"):
                continue
            if fault.passed < int(fault.params.get("after", 0)):
                fault.passed += 1  # not yet: this request goes through untouched
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
            return fault
        return None

    def _template_status(self, template: dict[str, Any]) -> str:
        ts = self.options["template_status"]
        key = f"{template['name']}/{template['language']}"
        return str(ts.get(key) or ts.get(template["name"]) or template["status"])

    def listed_templates(self) -> list[dict[str, Any]]:
        return [{**t, "status": self._template_status(t)} for t in self.templates.values()]

    # ---- 2026: phone numbers, business-scoped user ids, the per-user marketing cap -------

    def numbers(self) -> dict[str, dict[str, Any]]:
        """Every phone number id served, with its effective settings: the main one (options
        `mps`, `display_phone_number`, `quality_rating`) and those of `phone_numbers`."""
        o = self.options
        main = {
            "display_phone_number": o["display_phone_number"],
            "mps": o["mps"],
            "quality_rating": o["quality_rating"],
            "verified_name": "Thana Connect (fake)",
        }
        out = {pnid: {**main, **settings} for pnid, settings in o["phone_numbers"].items()}
        if self.phone_number_id not in out:
            out[self.phone_number_id] = main
        return out

    def _set_number(self, pnid: str, **settings: Any) -> None:
        """Change one number's settings at run time (reset() restores the start options)."""
        if pnid == self.phone_number_id and pnid not in self.options["phone_numbers"]:
            self.options.update({k: v for k, v in settings.items() if k in DEFAULT_OPTIONS})
        else:
            self.options["phone_numbers"].setdefault(pnid, {}).update(settings)

    def _identities(self, who: str) -> set[str]:
        """`who` and the phone or BSUID Meta pairs it with (option `user_ids`)."""
        pairs = self.options["user_ids"]
        found = {who}
        if who in pairs:
            found.add(pairs[who])
        if pairs:
            found.update(self._phones_of().get(who, ()))
        return found

    def _phones_of(self) -> dict[str, list[str]]:
        """BSUID -> phones, from `user_ids` (cached; `pairs_changed()` drops the cache)."""
        if self._reverse_pairs is None:
            reverse: dict[str, list[str]] = {}
            for phone, bsuid in self.options["user_ids"].items():
                reverse.setdefault(bsuid, []).append(phone)
            self._reverse_pairs = reverse
        return self._reverse_pairs

    def pairs_changed(self) -> None:
        self._reverse_pairs: dict[str, list[str]] | None = None

    def fake_day(self) -> int:
        st = self.state
        length = max(self.options["day_length_s"], 0.001)
        return st.day_offset + int((time.monotonic() - st.day_anchor) // length)

    def _in_service_window(self, identities: set[str], now: float) -> bool:
        window = self.options["service_window_s"]
        opened = [self.state.last_inbound.get(i) for i in identities]
        return any(t is not None and now - t <= window for t in opened)

    def _count_marketing(self, identities: set[str], day: int, now: float) -> int | None:
        """The per-user marketing cap (LIMITS-2026.md): the first `marketing_cap_per_day`
        marketing templates a person gets in a fake day go; the next ones are accepted and then
        fail with 131049. Inside a customer-service window they neither count nor are capped;
        a capped one does not count either. Returns 131049 or None."""
        if self._in_service_window(identities, now):
            return None
        key = (min(identities, key=lambda i: (BSUID_PATTERN.fullmatch(i) is None, i)), day)
        if self.state.marketing_today[key] >= self.options["marketing_cap_per_day"]:
            self.state.counters["marketing_capped"] += 1
            return 131049
        self.state.marketing_today[key] += 1
        return None

    def _unknown_object(self, info: dict[str, Any], object_id: str, verb: str) -> Any:
        return self.reject(
            info,
            100,
            "unknown_phone_number_id",
            message=f"Unsupported {verb} request. Object with ID '{object_id}' does not exist, "
            "cannot be loaded due to missing permissions, or does not support this operation",
            subcode=33,
        )

    # ---- responses ---------------------------------------------------------------------

    def error_response(
        self,
        code: int,
        *,
        status: int | None = None,
        message: str | None = None,
        details: str | None = None,
        subcode: int | None = None,
    ) -> Any:
        from aiohttp import web

        http_status, title, default_details = ERRORS.get(code, (400, "Error", "Error"))
        headers = {"facebook-api-version": API_VERSION}
        if code == 130429:
            http_status = self.options["throttle_status"]
            if self.options["throttle_retry_after_s"] is not None:
                headers["Retry-After"] = f"{self.options['throttle_retry_after_s']:g}"
        if message is None:
            reason = details or default_details
            message = f"Error validating access token: {reason}" if code == 190 else None
            message = message or f"(#{code}) {title}"
        body = {
            "error": {
                "message": message,
                "type": "OAuthException",
                "code": code,
                "error_data": {
                    "messaging_product": "whatsapp",
                    "details": details or default_details,
                },
                "fbtrace_id": fbtrace_id(),
            }
        }
        if subcode is not None:
            body["error"]["error_subcode"] = subcode
        return web.Response(
            status=status or http_status,
            body=json.dumps(body).encode(),
            content_type="application/json",
            headers={**headers, "x-fb-trace-id": body["error"]["fbtrace_id"]},
        )

    def reject(self, info: dict[str, Any], code: int, reason: str, **kw: Any) -> Any:
        response = self.error_response(code, **kw)
        st = self.state
        st.counters["rejected"] += 1
        st.rejected_by_code[code] += 1
        st.rejected.append(
            {
                **info,
                "code": code,
                "http_status": response.status,
                "message": json.loads(response.body)["error"]["message"],
                "reason": reason,
                "received_at": time.time(),
            }
        )
        return response

    @staticmethod
    def drop_connection(request: Any) -> None:
        transport = request.transport
        if transport is not None:
            transport.close()

    # ---- the Cloud API -----------------------------------------------------------------

    def authorised(self, request: Any) -> bool:
        header = request.headers.get("Authorization", "")
        return hmac.compare_digest(header.encode(), f"Bearer {self.token}".encode())

    async def slow(self, target: str) -> None:
        fault = self.take_fault(("slow",), target)
        if fault:
            await asyncio.sleep(float(fault.params["ms"]) / 1000)

    async def handle_send(self, request: Any) -> Any:
        from aiohttp import web

        st = self.state
        st.counters["requests"] += 1
        if self.take_fault(("drop_before",), "send"):
            st.counters["dropped_before"] += 1
            self.drop_connection(request)
            return web.Response(status=500)  # never written: the connection is gone
        slow = self.take_fault(("slow",), "send")
        info: dict[str, Any] = dict.fromkeys(
            ("to", "wa_id", "type", "template", "language", "callback_data")
        )
        info["version"] = request.match_info["version"]
        raw = await request.read()
        if not self.authorised(request):
            return await self._answer(
                slow, self.reject(info, 190, "auth", details="Invalid OAuth access token.")
            )
        pnid = request.match_info["phone_number_id"]
        info["phone_number_id"] = pnid
        if pnid not in self.numbers():
            return await self._answer(slow, self._unknown_object(info, pnid, "post"))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return await self._answer(
                slow, self.reject(info, 100, "invalid_json", details="The body is not JSON.")
            )
        template = body.get("template") if isinstance(body.get("template"), dict) else {}
        language = template.get("language") if isinstance(template.get("language"), dict) else {}
        info.update(
            to=body.get("to"),
            type=body.get("type"),
            template=template.get("name"),
            language=language.get("code"),
            callback_data=body.get("biz_opaque_callback_data"),
            recipient=body.get("recipient"),
        )
        if "to" not in body and "recipient" not in body:  # one of them (USERNAMES.md §5)
            return await self._answer(
                slow,
                self.reject(
                    info,
                    100,
                    "schema",
                    message="(#100) The parameter to is required.",
                    details="to: 'to' (a phone number) or 'recipient' (a business-scoped user "
                    "id) is required",
                ),
            )
        errors = self.send_validator.errors(body)
        if errors:
            message, details = describe_error(errors[0])
            return await self._answer(
                slow, self.reject(info, 100, "schema", message=message, details=details)
            )
        if "to" in body:  # `to` wins when both are sent (USERNAMES.md §5)
            to = body["to"]
            if not TO_PATTERN.fullmatch(to):
                return await self._answer(
                    slow,
                    self.reject(
                        info,
                        100,
                        "to",
                        details=f"to: {to!r} is not a phone number (digits, optionally after a +)",
                    ),
                )
            wa_id, user_id = to.lstrip("+"), None
        else:
            user_id, wa_id = body["recipient"], None
            if not BSUID_PATTERN.fullmatch(user_id):
                return await self._answer(
                    slow,
                    self.reject(
                        info,
                        100,
                        "recipient",
                        details=f"recipient: {user_id!r} is not a business-scoped user id "
                        "(country code, '.', optionally 'ENT.', then 1-128 letters or digits)",
                    ),
                )
        info["wa_id"], info["user_id"] = wa_id, user_id
        who = wa_id or user_id
        assert who is not None
        response = self._check_send(info, body, template, who)
        if response is None:
            response, record = self._accept(info, body, template, who)
            if record.get("early"):  # the statuses overtake the answer (Meta's are unordered)
                await self._post_early(record)
            if self.take_fault(("drop",), "send"):
                record["dropped_after_accept"] = True
                st.counters["dropped_after_accept"] += 1
                if slow:
                    await asyncio.sleep(float(slow.params["ms"]) / 1000)
                self.drop_connection(request)
                return response
        return await self._answer(slow, response)

    @staticmethod
    async def _answer(slow: Fault | None, response: Any) -> Any:
        if slow:
            await asyncio.sleep(float(slow.params["ms"]) / 1000)
        return response

    def _check_send(
        self, info: dict[str, Any], body: dict[str, Any], template: dict[str, Any], who: str
    ) -> Any:
        """The error response for a well-formed send, or None to accept it. `who` is the
        recipient: the phone's digits (a `to` send) or the BSUID (a `recipient` send)."""
        o, st = self.options, self.state
        pnid = info["phone_number_id"]
        fault = self.take_fault(SEND_FAULTS, "send")
        if fault:
            p = fault.params
            if fault.fault == "5xx":
                status = int(p.get("status", 500))
                code = int(p.get("code", {500: 131000, 503: 2}.get(status, 1)))
                return self.reject(info, code, "fault:5xx", status=status)
            if fault.fault == "throttle":
                code = int(p.get("code", 130429))
                return self.reject(info, code, "fault:throttle", status=p.get("status"))
            if fault.fault == "pair_limit":
                return self.reject(info, 131056, "fault:pair_limit", status=p.get("status"))
            return self.reject(
                info,
                int(p["code"]),
                "fault:error",
                status=p.get("status"),
                message=p.get("message"),
                details=p.get("details"),
            )
        now = time.monotonic()
        mps = self.numbers()[pnid]["mps"]
        if mps > 0:  # each phone number has its own throughput (LIMITS-2026.md)
            window = st.windows[pnid]
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= mps:
                return self.reject(info, 130429, "mps")
        if body["type"] == "template":
            found = self.templates.get((template["name"], template["language"]["code"]))
            status = self._template_status(found) if found else None
            if status in ("PAUSED", "DISABLED"):
                code = 132015 if status == "PAUSED" else 132016
                return self.reject(info, code, "template_status")
            if found is None or status != "APPROVED":
                return self.reject(
                    info,
                    132001,
                    "template",
                    details=f"template name ({template['name']}) does not exist in "
                    f"{template['language']['code']}",
                )
            want = expected_params(found)
            got = {"header": 0, "body": 0}
            for comp in template.get("components", []):
                if comp["type"] in got:
                    got[comp["type"]] += len(comp.get("parameters", []))
            for kind in ("header", "body"):
                if got[kind] != want[kind]:
                    return self.reject(
                        info,
                        132000,
                        "template_params",
                        details=f"{kind}: number of localizable_params ({got[kind]}) does not "
                        f"match the expected number of params ({want[kind]})",
                    )
            if info["user_id"] and found["category"] == "AUTHENTICATION":
                return self.reject(info, 131062, "bsuid_not_supported")  # USERNAMES.md §5
        code = o["reject_recipients"].get(who)
        if code:
            return self.reject(info, code, "reject_recipients")
        last = st.last_accept.get((pnid, who))  # the (business number, user) pair
        if o["pair_window_s"] > 0 and last is not None and now - last < o["pair_window_s"]:
            return self.reject(info, 131056, "pair_limit")
        return None

    def _accept(
        self, info: dict[str, Any], body: dict[str, Any], template: dict[str, Any], who: str
    ) -> tuple[Any, dict[str, Any]]:
        from aiohttp import web

        o, st = self.options, self.state
        now = time.monotonic()
        pnid = info["phone_number_id"]
        wamid = self.wamids.new(who)
        category = "service"
        parameters: list[str] = []
        identities = self._identities(who)
        failure = o["fail_recipients"].get(who)
        fake_day = self.fake_day()
        if body["type"] == "template":
            found = self.templates[(template["name"], template["language"]["code"])]
            category = found["category"].lower()
            for comp in template.get("components", []):
                if comp["type"] == "body":
                    parameters.extend(_param_text(p) for p in comp.get("parameters", []))
            if (
                not failure
                and category == "marketing"
                and o["honour_user_preferences"]
                and identities & st.stopped_marketing
            ):
                failure = 131050
            if not failure and category == "marketing" and o["marketing_cap_per_day"] > 0:
                failure = self._count_marketing(identities, fake_day, now)
        elif not failure and o["enforce_service_window"]:
            if not self._in_service_window(identities, now):
                failure = 131047
        record = {
            **info,
            "parameters": parameters,
            "text": (body.get("text") or {}).get("body") if body["type"] == "text" else None,
            "category": category,
            "wamid": wamid,
            "received_at": time.time(),
            "dropped_after_accept": False,
            "failure_code": failure,
            "statuses": self._plan(failure),
            "phone_number_id": pnid,
            "known_user_id": info["user_id"] or o["user_ids"].get(who),
            "fake_day": fake_day,
        }
        st.accepted.append(record)
        st.counters["accepted"] += 1
        st.per_recipient[who] += 1
        if self.numbers()[pnid]["mps"] > 0:
            st.windows[pnid].append(now)
        st.last_accept[(pnid, who)] = now
        if o["wamid_only_rate"] > 0 and self.rng.random() < o["wamid_only_rate"]:
            record["wamid_only"] = True
            st.counters["wamid_only"] += 1
        if o["webhook_url"]:
            if o["early_status_rate"] > 0 and self.rng.random() < o["early_status_rate"]:
                record["early"] = True
                st.counters["early_statuses"] += 1
            else:
                self._schedule(record)
        contact = (
            {"input": body["to"], "wa_id": info["wa_id"]}
            if info["wa_id"]
            else {"input": body["recipient"], "user_id": info["user_id"]}  # USERNAMES.md §5
        )
        answer = {
            "messaging_product": "whatsapp",
            "contacts": [contact],
            "messages": [{"id": wamid, "message_status": "accepted"}],
        }
        response = web.Response(
            body=json.dumps(answer).encode(),
            content_type="application/json",
            headers={"facebook-api-version": API_VERSION},
        )
        return response, record

    def _plan(self, failure: int | None) -> list[str]:
        if failure:
            return ["failed"]
        o, rng = self.options, self.rng
        plan = ["sent"]
        if rng.random() < o["deliver_rate"]:
            read = rng.random() < o["read_rate"]
            if not (read and rng.random() < o["skip_delivered_rate"]):
                plan.append("delivered")
            if read:
                plan.append("read")
        return plan

    def _schedule(self, record: dict[str, Any]) -> None:
        o = self.options
        delay = max(o["status_delay_ms"], 0) / 1000
        plan = record["statuses"]
        due_offsets = [(i + 1) * delay for i in range(len(plan))]
        if o["reorder"]:
            due_offsets.reverse()
        start = time.monotonic()
        for i, item in enumerate(self._status_items(record)):
            self._push(start + due_offsets[i], item)
            if o["duplicate_rate"] > 0 and self.rng.random() < o["duplicate_rate"]:
                self._push(start + due_offsets[i] + delay / 2 + 0.001, dict(item))

    async def _post_early(self, record: dict[str, Any]) -> None:
        """Post every status of the message now, before its send is answered."""
        stamp = int(time.time())
        items = self._status_items(record)
        for item in items:
            item["timestamp"] = str(stamp)
        body = self.encode(self._status_envelope(items))
        self.state.counters["statuses_posted_early"] += len(items)
        await self.post_now(body, "statuses")

    def _status_items(self, record: dict[str, Any]) -> list[dict[str, Any]]:
        """The status webhook items of an accepted message, in the order they happen."""
        delay = max(self.options["status_delay_ms"], 0) / 1000
        pricing = {
            "billable": record["category"] != "service",
            "pricing_model": "PMP",
            "category": record["category"],
            "type": "regular" if record["category"] != "service" else "free_customer_service",
        }
        items = []
        for i, status in enumerate(record["statuses"]):
            item: dict[str, Any] = {
                "id": record["wamid"],
                "status": status,
                "timestamp": str(int(record["received_at"] + (i + 1) * delay)),
            }
            # 2026 (USERNAMES.md §4): a BSUID send's statuses name the recipient by
            # recipient_user_id only; a phone send's by recipient_id, plus recipient_user_id
            # and a contacts entry when Meta knows the pair (option user_ids) -- but a failed
            # status has no contacts, nor a BSUID when the message went to a phone number.
            if record["wa_id"]:
                item["recipient_id"] = record["wa_id"]
            bsuid = record.get("known_user_id")
            if bsuid and (status != "failed" or not record["wa_id"]):
                item["recipient_user_id"] = bsuid
            if bsuid and status != "failed":
                item["_contact"] = self._status_contact(record, bsuid, status)
            item["_pnid"] = record.get("phone_number_id") or self.phone_number_id
            if record["callback_data"] is not None and not record.get("wamid_only"):
                item["biz_opaque_callback_data"] = record["callback_data"]
            if status in ("sent", "delivered"):
                item["pricing"] = dict(pricing)
            if status == "failed":
                code = int(record["failure_code"])
                _, title, details = ERRORS.get(code, (400, "Error", "Error"))
                item["errors"] = [
                    {
                        "code": code,
                        "title": title,
                        "message": title,
                        "error_data": {"details": details},
                        "href": ERROR_CODES_URL,
                    }
                ]
            items.append(item)
        return items

    def _status_contact(self, record: dict[str, Any], bsuid: str, status: str) -> dict[str, Any]:
        """contacts[] of a status webhook (samples/status_delivered_bsuid.json); the username
        only on delivered and read."""
        profiles = self.options["user_profiles"]
        known = profiles.get(bsuid) or profiles.get(record["wa_id"] or "") or {}
        profile = {"name": known.get("name", "")}
        if known.get("username") and status in ("delivered", "read"):
            profile["username"] = known["username"]
        contact: dict[str, Any] = {"profile": profile}
        if record["wa_id"]:
            contact["wa_id"] = record["wa_id"]
        contact["user_id"] = bsuid
        return contact

    def _status_envelope(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        """One entry; one change per sending phone number for the plain statuses, and one per
        status that carries a contact (a change's `contacts` describes its statuses)."""
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        contacts: dict[tuple[str, str], dict[str, Any]] = {}
        for raw in items:
            item = dict(raw)
            pnid = item.pop("_pnid", self.phone_number_id)
            contact = item.pop("_contact", None)
            key = (pnid, item["id"] + item["status"] if contact else "")
            groups.setdefault(key, []).append(item)
            if contact:
                contacts[key] = contact
        changes = []
        numbers = self.numbers()
        for key, statuses in groups.items():
            pnid = key[0]
            display = (numbers.get(pnid) or numbers[self.phone_number_id])["display_phone_number"]
            value: dict[str, Any] = {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": display, "phone_number_id": pnid},
            }
            if key in contacts:
                value["contacts"] = [contacts[key]]
            value["statuses"] = statuses
            changes.append({"value": value, "field": "messages"})
        return {
            "object": "whatsapp_business_account",
            "entry": [{"id": self.waba_id, "changes": changes}],
        }

    def _push(self, due: float, item: dict[str, Any]) -> None:
        first = not self.heap or due < self.heap[0][0]
        heapq.heappush(self.heap, (due, next(self._seq), item))
        if first:
            self._wake_scheduler()

    # ---- templates listing -------------------------------------------------------------

    async def handle_templates(self, request: Any) -> Any:
        from aiohttp import web

        await self.slow("templates")
        info: dict[str, Any] = dict.fromkeys(("to", "wa_id", "template", "language"))
        info["type"] = "template_list"
        if not self.authorised(request):
            return self.reject(info, 190, "auth", details="Invalid OAuth access token.")
        waba = request.match_info["waba_id"]
        if waba != self.waba_id:
            return self.reject(
                info,
                100,
                "unknown_waba_id",
                message=f"Unsupported get request. Object with ID '{waba}' does not exist",
            )
        fault = self.take_fault(SEND_FAULTS, "templates")
        if fault:
            status = int(fault.params.get("status", 500 if fault.fault == "5xx" else 400))
            code = int(fault.params.get("code", 131000 if fault.fault == "5xx" else 130429))
            return self.reject(info, code, f"fault:{fault.fault}", status=status)
        q = request.query
        items = self.listed_templates()
        for key in ("name", "status", "language", "category"):
            if q.get(key):
                wanted = {v.strip() for v in q[key].split(",")}
                items = [t for t in items if str(t[key]) in wanted]
        try:
            limit = min(max(int(q.get("limit", 25)), 1), 1000)
            start = 0
            if q.get("after"):
                start = _decode_cursor(q["after"])
            elif q.get("before"):
                start = max(_decode_cursor(q["before"]) - limit, 0)
        except ValueError as exc:
            return self.reject(info, 100, "paging", details=str(exc))
        page = items[start : start + limit]
        if q.get("fields"):
            keep = {f.strip() for f in q["fields"].split(",")} | {"id"}
            page = [{k: v for k, v in t.items() if k in keep} for t in page]
        answer: dict[str, Any] = {"data": page}
        if page:
            end = start + len(page)
            paging: dict[str, Any] = {
                "cursors": {"before": _encode_cursor(start), "after": _encode_cursor(end)}
            }
            base = {k: v for k, v in q.items() if k not in ("after", "before")}
            if end < len(items):
                paging["next"] = str(request.url.with_query({**base, "after": _encode_cursor(end)}))
            if start > 0:
                prev = {**base, "before": _encode_cursor(start)}
                paging["previous"] = str(request.url.with_query(prev))
            answer["paging"] = paging
        self.state.counters["template_lists"] += 1
        return web.json_response(answer, headers={"facebook-api-version": API_VERSION})

    async def handle_phone_number(self, request: Any) -> Any:
        """GET /{version}/{phone_number_id}: the spec's PhoneNumberInfo (quality rating)."""
        from aiohttp import web

        await self.slow("templates")
        info: dict[str, Any] = dict.fromkeys(("to", "wa_id", "template", "language"))
        info["type"] = "phone_number"
        if not self.authorised(request):
            return self.reject(info, 190, "auth", details="Invalid OAuth access token.")
        pnid = request.match_info["phone_number_id"]
        number = self.numbers().get(pnid)
        if number is None:
            return self._unknown_object(info, pnid, "get")
        answer = {
            "id": pnid,
            "display_phone_number": number["display_phone_number"],
            "verified_name": number["verified_name"],
            "quality_rating": number["quality_rating"],
            "code_verification_status": "VERIFIED",
        }
        if request.query.get("fields"):
            keep = {f.strip() for f in request.query["fields"].split(",")} | {"id"}
            answer = {k: v for k, v in answer.items() if k in keep}
        return web.json_response(answer, headers={"facebook-api-version": API_VERSION})

    async def handle_unknown(self, request: Any) -> Any:
        return self.error_response(
            2500, status=400, message=f"Unknown path components: {request.path}"
        )

    # ---- webhooks: scheduler and posters -----------------------------------------------

    def start_background(self) -> None:
        import aiohttp

        self._wake = asyncio.Event()
        self._slot_free = asyncio.Event()
        self._queue: asyncio.Queue[Job] = asyncio.Queue()
        self._workers: list[asyncio.Task[None]] = []
        connector = aiohttp.TCPConnector(limit=64, limit_per_host=64)
        self.session = aiohttp.ClientSession(connector=connector, auto_decompress=False)
        self._scheduler_task = asyncio.get_running_loop().create_task(self._scheduler())
        self._ensure_workers()

    async def stop_background(self) -> None:
        for task in [self._scheduler_task, *self._workers]:
            task.cancel()
        for task in [self._scheduler_task, *self._workers]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.session.close()

    def _ensure_workers(self) -> None:
        if not hasattr(self, "_workers"):
            return
        want = max(1, self.options["webhook_concurrency"])
        while len(self._workers) < want:
            worker = self._worker(len(self._workers))
            self._workers.append(asyncio.get_running_loop().create_task(worker))

    def _wake_scheduler(self) -> None:
        wake = getattr(self, "_wake", None)
        if wake is not None:
            wake.set()

    async def _scheduler(self) -> None:
        """Moves due statuses into batches: a batch goes out when it is full or when its oldest
        status has waited webhook_linger_ms; at most 2 x webhook_concurrency POSTs in flight."""
        while True:
            o = self.options
            now = time.monotonic()
            while self.heap and self.heap[0][0] <= now:
                if not self.ready:
                    self.ready_since = now
                self.ready.append(heapq.heappop(self.heap)[2])
            linger = max(o["webhook_linger_ms"], 0) / 1000
            batch_size = max(1, o["webhook_batch"])
            if self.ready and (
                len(self.ready) >= batch_size or now >= (self.ready_since or now) + linger
            ):
                limit = max(1, o["webhook_concurrency"]) * 2
                if self.inflight_jobs >= limit:
                    self._slot_free.clear()
                    await self._slot_free.wait()
                    continue
                batch, self.ready = self.ready[:batch_size], self.ready[batch_size:]
                if not self.ready:
                    self.ready_since = None
                if o["webhook_url"]:
                    self._enqueue_statuses(batch)
                continue
            wake_at = [self.heap[0][0]] if self.heap else []
            if self.ready:
                wake_at.append((self.ready_since or now) + linger)
            self._wake.clear()
            timeout = max(min(wake_at) - now, 0) if wake_at else None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    def _enqueue_statuses(self, batch: list[dict[str, Any]]) -> None:
        stamp = int(time.time())
        for item in batch:  # a status is never stamped later than it is posted
            item["timestamp"] = str(min(int(item["timestamp"]), stamp))
        envelope = self._status_envelope(batch)
        o = self.options
        if o["malformed_rate"] > 0 and self.rng.random() < o["malformed_rate"]:
            envelope["entry"][0]["changes"].extend(self._malformed_changes())
            self.state.counters["malformed_posted"] += 1
        body = self.encode(envelope)
        self.inflight_jobs += 1
        self.inflight_statuses += len(batch)
        self._queue.put_nowait(Job(body, "statuses", len(batch), self.epoch, holds_slot=True))

    async def _worker(self, index: int) -> None:
        while True:
            job = await self._queue.get()
            await self._attempt(job)
            if index >= max(1, self.options["webhook_concurrency"]) and self._queue.empty():
                with contextlib.suppress(ValueError):
                    self._workers.remove(asyncio.current_task())  # type: ignore[arg-type]
                return

    def _finish(self, job: Job) -> None:
        if job.epoch != self.epoch:
            return
        if job.holds_slot:
            self.inflight_jobs -= 1
            self.inflight_statuses -= job.statuses
            self._slot_free.set()

    async def _attempt(self, job: Job) -> tuple[int | None, str | None]:
        """Post once; on failure queue a retry with backoff. Returns (HTTP status, error)."""
        import aiohttp

        if job.epoch != self.epoch:
            return None, "reset"
        o, counters = self.options, self.state.counters
        url = o["webhook_url"]
        status: int | None = None
        error: str | None = None
        if not url:
            error = "no webhook_url"
        elif self.take_fault(("webhook_down",), "webhook"):
            error = "webhook_down"
        else:
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "facebookexternalua",
                "X-Hub-Signature-256": sign(self.app_secret, job.body),
                "X-Hub-Signature": "sha1="
                + hmac.new(self.app_secret.encode(), job.body, hashlib.sha1).hexdigest(),
            }
            self.posting += 1
            try:
                timeout = aiohttp.ClientTimeout(total=o["webhook_timeout_s"])
                async with self.session.post(
                    url, data=job.body, headers=headers, timeout=timeout
                ) as resp:
                    await resp.read()
                    status = resp.status
                    if not 200 <= status < 300:
                        error = f"HTTP {status}"
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                error = f"{type(exc).__name__}: {exc}"
            finally:
                self.posting -= 1
        if job.epoch != self.epoch:
            return status, error
        if error is None:
            counters["webhooks_posted"] += 1
            counters[f"webhooks_posted_{job.kind}"] += 1
            counters["statuses_posted"] += job.statuses
            self._finish(job)
            return status, None
        counters["webhooks_failed"] += 1
        if job.attempt > o["webhook_retries"]:
            counters["webhooks_gave_up"] += 1
            log.warning("webhook gave up after %d attempts: %s", job.attempt, error)
            self._finish(job)
            return status, error
        delay = min(o["webhook_retry_base_ms"] / 1000 * 2 ** (job.attempt - 1), 30.0)
        job.attempt += 1
        counters["webhooks_retried"] += 1
        asyncio.get_running_loop().call_later(delay, self._queue.put_nowait, job)
        return status, error

    def encode(self, payload: Any) -> bytes:
        return encode_webhook(payload, self.options["webhook_escape"])

    def _malformed_changes(self) -> list[dict[str, Any]]:
        """Changes no receiver can read as statuses, beside the real ones of the same POST:
        `statuses` as an object, an `errors` list of strings, a status that is a string, a
        value that is a list (the independent check's shapes)."""
        metadata = {"phone_number_id": self.phone_number_id}
        return [
            {
                "field": "messages",
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": metadata,
                    "statuses": {"id": "wamid.bogus", "status": "sent"},
                },
            },
            {
                "field": "messages",
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": metadata,
                    "statuses": [
                        {"id": "wamid.boom", "status": "failed", "errors": ["boom"]},
                        "not-a-status",
                        {"id": ["x"], "status": 7, "timestamp": "yesterday"},
                    ],
                },
            },
            {"field": "messages", "value": ["not", "an", "object"]},
        ]

    def _envelope(self, value: dict[str, Any], field_name: str = "messages") -> dict[str, Any]:
        metadata = {
            "display_phone_number": self.options["display_phone_number"],
            "phone_number_id": self.phone_number_id,
        }
        full = {"messaging_product": "whatsapp", "metadata": metadata, **value}
        return {
            "object": "whatsapp_business_account",
            "entry": [{"id": self.waba_id, "changes": [{"value": full, "field": field_name}]}],
        }

    async def post_now(self, payload_bytes: bytes, kind: str) -> dict[str, Any]:
        """Post an inbound/user_preferences webhook: first attempt awaited, retries queued."""
        job = Job(payload_bytes, kind, 0, self.epoch)
        status, error = await self._attempt(job)
        return {"status": status, "error": error}

    # ---- control API -------------------------------------------------------------------

    async def handle_control(self, request: Any) -> Any:
        from aiohttp import web

        if not (request.remote or "").startswith(("127.", "::1")):
            return web.json_response({"error": "control API is loopback-only"}, status=403)
        action = request.match_info["action"]
        try:
            payload = await request.json() if request.can_read_body else {}
            result = await self._control(action, payload or {}, request)
        except (ValueError, TypeError, KeyError) as exc:
            return web.json_response({"error": f"{type(exc).__name__}: {exc}"}, status=400)
        if result is None:
            return web.json_response({"error": f"unknown control action {action!r}"}, status=404)
        return web.json_response(result)

    async def _control(self, action: str, payload: dict[str, Any], request: Any) -> Any:
        st = self.state
        since = int(request.query.get("since", 0))
        if action == "health":
            return {"ok": True, "pid": os.getpid()}
        if action == "configure":
            return {"options": self.configure(payload), "templates": self.listed_templates()}
        if action == "config":
            return {"options": self.options, "templates": self.listed_templates()}
        if action == "inject":
            return self.add_fault(payload).public()
        if action == "faults":
            return [f.public() for f in self.faults]
        if action == "clear":
            self.faults.clear()
            return {"ok": True}
        if action == "requests":
            return st.accepted[since:]
        if action == "rejected":
            return st.rejected[since:]
        if action == "stats":
            return self.stats()
        if action == "reset":
            self._reset_state()
            deadline = time.monotonic() + 5
            while self.posting and time.monotonic() < deadline:  # let POSTs on the wire land
                await asyncio.sleep(0.002)
            self._slot_free.set()
            self._wake_scheduler()
            return {"ok": True}
        if action == "inbound":
            return await self._inbound(payload)
        if action == "user_preference":
            return await self._user_preference(payload)
        if action == "webhook":
            return await self._raw_webhook(payload)
        if action == "template_event":
            return await self._template_event(payload)
        if action == "quality_event":
            return await self._quality_event(payload)
        if action == "user_id_update":
            return await self._user_id_update(payload)
        if action == "advance_day":
            self.state.day_offset += int(payload.get("days", 1))
            return {"day": self.fake_day()}
        if action == "numbers":
            return self.numbers()
        return None

    async def _template_event(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A template's review status changes: sends follow it (PAUSED -> 132015, DISABLED ->
        132016, REJECTED/PENDING -> 132001), and a signed message_template_status_update
        webhook shaped like samples/template_status_paused.json is posted."""
        name, language = str(payload["name"]), str(payload["language"])
        event = str(payload["event"]).upper()
        if event not in TEMPLATE_STATUSES:
            raise ValueError(f"event must be one of {TEMPLATE_STATUSES}: {event!r}")
        found = self.templates.get((name, language))
        if found is None:
            raise ValueError(f"no template {name}/{language}")
        self.options["template_status"][f"{name}/{language}"] = event
        value: dict[str, Any] = {
            "event": event,
            "message_template_id": int(found["id"]),
            "message_template_name": name,
            "message_template_language": language,
            "reason": str(payload.get("reason") or "NONE"),
            "message_template_category": found["category"],
        }
        if payload.get("other_info"):
            value["other_info"] = payload["other_info"]
        body = self.encode(self._business_envelope(value, "message_template_status_update"))
        return await self.post_now(body, "template_status")

    async def _quality_event(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A signed phone_number_quality_update webhook (Meta's reference, May 2026):
        display_phone_number, event (FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE,
        THROUGHPUT_UPGRADE, ...), old_limit (limit changes only), current_limit (removed
        after February 2026, sent only when asked) and max_daily_conversations_per_business."""
        pnid = str(payload.get("phone_number_id") or self.phone_number_id)
        number = self.numbers().get(pnid)
        if number is None:
            raise ValueError(f"unknown phone number id {pnid!r}; known: {sorted(self.numbers())}")
        event = str(payload["event"]).upper()
        rating = payload.get("quality_rating") or QUALITY_EVENT_RATING.get(event)
        if rating:
            self._set_number(pnid, quality_rating=_quality_rating(rating))
        if event == "THROUGHPUT_UPGRADE" and number["mps"] > 0:
            self._set_number(pnid, mps=UPGRADED_MPS)
        value: dict[str, Any] = {
            "display_phone_number": number["display_phone_number"],
            "event": event,
        }
        if payload.get("old_limit"):
            value["old_limit"] = str(payload["old_limit"])
        if payload.get("current_limit"):
            value["current_limit"] = str(payload["current_limit"])
        if payload.get("limit"):
            value["max_daily_conversations_per_business"] = str(payload["limit"])
        body = self.encode(self._business_envelope(value, "phone_number_quality_update"))
        return await self.post_now(body, "quality")

    async def _user_id_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A user's BSUID changes (USERNAMES.md §4): a signed `user_id_update` webhook shaped
        like samples/user_id_update.json (the guide's shape), or with style="system" the
        11 Aug 2026 shape, a `system` message of type user_changed_user_id (no contacts).
        Pairs in `user_ids` follow the new id."""
        previous, current = _bsuid(payload["previous"]), _bsuid(payload["current"])
        wa_id = str(payload["wa_id"]).lstrip("+") if payload.get("wa_id") else None
        name = str(payload.get("name") or "")
        stamp = str(int(time.time()))
        pairs = self.options["user_ids"]
        for phone, bsuid in list(pairs.items()):
            if bsuid == previous:
                pairs[phone] = current
        if wa_id:
            pairs[wa_id] = current
        self.pairs_changed()
        if payload.get("style") == "system":
            system: dict[str, Any] = {
                "body": f"User {name or 'A user'} changed from {previous} to {current}",
                "user_id": current,
                "previous_user_id": previous,
                "type": "user_changed_user_id",
            }
            if payload.get("parent_previous"):
                system["previous_parent_user_id"] = str(payload["parent_previous"])
            message = {
                "from_user_id": current,
                "id": self.wamids.new(current, inbound=True),
                "timestamp": stamp,
                "type": "system",
                "system": system,
            }
            value: dict[str, Any] = {"messages": [message]}
            body = self.encode(self._envelope(value))
            return await self.post_now(body, "user_id_update")
        update: dict[str, Any] = {}
        if wa_id:
            update["wa_id"] = wa_id
        update["detail"] = f"User id for {name or 'the user'} has been updated."
        update["user_id"] = {"previous": previous, "current": current}
        if payload.get("parent_previous") or payload.get("parent_current"):
            update["parent_user_id"] = {
                "previous": str(payload.get("parent_previous") or ""),
                "current": str(payload.get("parent_current") or ""),
            }
        update["timestamp"] = stamp
        value = {"user_id_update": [update]}
        if wa_id:
            value = {"contacts": [{"profile": {"name": name}, "wa_id": wa_id}], **value}
        body = self.encode(self._envelope(value, "user_id_update"))
        return await self.post_now(body, "user_id_update")

    def _business_envelope(self, value: dict[str, Any], field_name: str) -> dict[str, Any]:
        """An account-level change (no messaging_product or metadata in its value)."""
        return {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": self.waba_id,
                    "time": int(time.time()),
                    "changes": [{"value": value, "field": field_name}],
                }
            ],
        }

    def stats(self) -> dict[str, Any]:
        st, c = self.state, self.state.counters
        return {
            "requests": c["requests"],
            "accepted": c["accepted"],
            "rejected_total": c["rejected"],
            "rejected": {str(k): v for k, v in sorted(st.rejected_by_code.items())},
            "dropped_after_accept": c["dropped_after_accept"],
            "dropped_before": c["dropped_before"],
            "template_lists": c["template_lists"],
            "early_statuses": c["early_statuses"],
            "wamid_only": c["wamid_only"],
            "malformed_posted": c["malformed_posted"],
            "marketing_capped": c["marketing_capped"],
            "per_recipient": dict(st.per_recipient),
            "webhooks": {
                "posted": c["webhooks_posted"],
                "failed": c["webhooks_failed"],
                "retried": c["webhooks_retried"],
                "gave_up": c["webhooks_gave_up"],
                "statuses_posted": c["statuses_posted"],
                "inbound_posted": c["webhooks_posted_inbound"],
                "user_preferences_posted": c["webhooks_posted_user_preferences"],
                "user_id_updates_posted": c["webhooks_posted_user_id_update"],
                "pending_statuses": len(self.heap) + len(self.ready) + self.inflight_statuses,
                "in_flight": self.inflight_jobs,
            },
            "faults": [f.public() for f in self.faults],
        }

    def _sender(self, payload: dict[str, Any]) -> tuple[str | None, str | None, dict[str, Any]]:
        """(wa_id, user_id, contact) of a citizen-side webhook: `from` (phone) and/or `user_id`
        (BSUID; a BSUID-only sender when `from` is absent, as for a username user)."""
        wa_id = str(payload["from"]).lstrip("+") if payload.get("from") else None
        user_id = _bsuid(payload["user_id"]) if payload.get("user_id") else None
        if not wa_id and not user_id:
            raise ValueError("give `from` (a phone number) and/or `user_id` (a BSUID)")
        profile = {"name": str(payload.get("name") or "")}
        if payload.get("username"):
            profile["username"] = str(payload["username"])
        contact: dict[str, Any] = {"profile": profile}
        if wa_id:
            contact["wa_id"] = wa_id
        if user_id:
            contact["user_id"] = user_id
        return wa_id, user_id, contact

    async def _inbound(self, payload: dict[str, Any]) -> dict[str, Any]:
        wa_id, user_id, contact = self._sender(payload)
        who = wa_id or user_id
        assert who is not None
        wamid = self.wamids.new(who, inbound=True)
        message: dict[str, Any] = {}
        if wa_id:
            message["from"] = wa_id
        if user_id:
            message["from_user_id"] = user_id
        message.update(
            id=wamid,
            timestamp=str(int(time.time())),
            type="text",
            text={"body": str(payload["text"])},
        )
        value = {"contacts": [contact], "messages": [message]}
        for identity in {wa_id, user_id} - {None}:
            self.state.last_inbound[str(identity)] = time.monotonic()
        result = await self.post_now(self.encode(self._envelope(value)), "inbound")
        return {"wamid": wamid, **result}

    async def _user_preference(self, payload: dict[str, Any]) -> dict[str, Any]:
        wa_id, user_id, contact = self._sender(payload)
        value = str(payload["value"]).lower()
        if value not in ("stop", "resume"):
            raise ValueError("value must be 'stop' or 'resume'")
        for identity in set().union(*(self._identities(i) for i in (wa_id, user_id) if i)):
            if value == "stop":
                self.state.stopped_marketing.add(str(identity))
            else:
                self.state.stopped_marketing.discard(str(identity))
        preference: dict[str, Any] = {}
        if wa_id:
            preference["wa_id"] = wa_id
        if user_id:
            preference["user_id"] = user_id
        preference.update(
            detail=f"User requested to {value} marketing messages",
            category="marketing_messages",
            value=value,
            timestamp=int(time.time()),
        )
        change = {"contacts": [contact], "user_preferences": [preference]}
        body = self.encode(self._envelope(change, "user_preferences"))
        return await self.post_now(body, "user_preferences")

    async def _raw_webhook(self, payload: dict[str, Any]) -> dict[str, Any]:
        import aiohttp

        url = payload.get("url") or self.options["webhook_url"]
        if not url:
            raise ValueError("no webhook_url configured and no url given")
        body = (
            payload["raw"].encode()
            if isinstance(payload.get("raw"), str)
            else self.encode(payload["payload"])
        )
        signature = payload.get("signature") or sign(self.app_secret, body)
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
        try:
            async with self.session.post(url, data=body, headers=headers) as resp:
                text = await resp.text()
                return {"status": resp.status, "body": text, "signature": signature}
        except (aiohttp.ClientError, OSError) as exc:
            return {"status": None, "error": f"{type(exc).__name__}: {exc}", "signature": signature}


def _quality_rating(value: Any) -> str:
    rating = str(value).upper()
    if rating not in QUALITY_RATINGS:
        raise ValueError(f"quality_rating must be one of {QUALITY_RATINGS}: {value!r}")
    return rating


def _bsuid(value: Any) -> str:
    text = str(value)
    if not BSUID_PATTERN.fullmatch(text):
        raise ValueError(f"not a business-scoped user id: {value!r}")
    return text


def _checked_numbers(value: Any) -> dict[str, dict[str, Any]]:
    """The `phone_numbers` option: {id: {display_phone_number, mps, quality_rating,
    verified_name}} (every key optional; a missing one falls back to the main number's)."""
    out: dict[str, dict[str, Any]] = {}
    for pnid, settings in dict(value).items():
        if not str(pnid).isdigit():
            raise ValueError(f"a phone number id is digits: {pnid!r}")
        settings = dict(settings or {})
        unknown = set(settings) - set(PHONE_NUMBER_KEYS)
        if unknown:
            raise ValueError(
                f"unknown phone number keys {sorted(unknown)}; known: {PHONE_NUMBER_KEYS}"
            )
        if "mps" in settings:
            settings["mps"] = int(settings["mps"])
        if "quality_rating" in settings:
            settings["quality_rating"] = _quality_rating(settings["quality_rating"])
        for key in ("display_phone_number", "verified_name"):
            if key in settings:
                settings[key] = str(settings[key])
        out[str(pnid)] = settings
    return out


def _relevance(error: Any) -> tuple[int, int]:
    """Order schema errors: shallow ones first, `required` before others (Meta's style)."""
    return (len(error.absolute_path), 0 if error.validator == "required" else 1)


def _param_text(param: dict[str, Any]) -> str:
    kind = param.get("type")
    if kind == "text":
        return str(param.get("text", ""))
    if kind in ("currency", "date_time"):
        return str(param.get(kind, {}).get("fallback_value", ""))
    return json.dumps(param.get(kind, param))


def _encode_cursor(index: int) -> str:
    return base64.urlsafe_b64encode(f"fake:{index}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith("fake:"):
            raise ValueError
        return int(text[5:])
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"invalid paging cursor {cursor!r}") from exc


def build_app(api: FakeCloudApi) -> Any:
    from aiohttp import web

    app = web.Application(client_max_size=4 * 1024 * 1024)
    version = r"{version:v\d+\.\d+}"
    app.router.add_post(f"/{version}/{{phone_number_id}}/messages", api.handle_send)
    app.router.add_get(f"/{version}/{{waba_id}}/message_templates", api.handle_templates)
    app.router.add_get(f"/{version}/{{phone_number_id:[0-9]+}}", api.handle_phone_number)
    app.router.add_route("*", "/_control/{action}", api.handle_control)
    app.router.add_route("*", "/{tail:.*}", api.handle_unknown)

    async def on_startup(_: Any) -> None:
        api.start_background()

    async def on_cleanup(_: Any) -> None:
        await api.stop_background()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app


async def serve(args: argparse.Namespace) -> None:
    from aiohttp import web

    config = json.loads(args.config) if args.config else {}
    templates = config.pop("templates", None)
    if args.webhook_url:
        config.setdefault("webhook_url", args.webhook_url)
    config.setdefault("mps", args.mps)
    config.setdefault("display_phone_number", args.display_phone_number)
    api = FakeCloudApi(
        token=args.token,
        app_secret=args.app_secret,
        phone_number_id=args.phone_number_id,
        waba_id=args.waba_id,
        options=config,
        templates=templates,
        contract=load_contract(args.spec),
    )
    api.send_validator.errors({})  # warm up
    runner = web.AppRunner(build_app(api), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port, backlog=1024, reuse_address=True)
    await site.start()
    port = runner.addresses[0][1]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    watchdog = loop.create_task(_exit_with_parent(args.parent_pid, stop))
    print(f"READY {port}", flush=True)
    await stop.wait()
    watchdog.cancel()
    await runner.cleanup()


async def _exit_with_parent(parent_pid: int | None, stop: asyncio.Event) -> None:
    """Stop when the process that started us is gone (we get re-parented): no orphans."""
    if not parent_pid:
        return
    while os.getppid() == parent_pid:
        await asyncio.sleep(0.5)
    log.warning("parent %s exited: stopping", parent_pid)
    stop.set()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes.whatsapp_server", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--app-secret", default=DEFAULT_APP_SECRET)
    parser.add_argument("--phone-number-id", default=DEFAULT_PHONE_NUMBER_ID)
    parser.add_argument("--waba-id", default=DEFAULT_WABA_ID)
    parser.add_argument("--display-phone-number", default=DEFAULT_DISPLAY_PHONE_NUMBER)
    parser.add_argument("--webhook-url", default=None)
    parser.add_argument("--mps", type=int, default=0, help="messages/s per number; 0 = no limit")
    parser.add_argument("--config", default=None, help="JSON object of options (and templates)")
    parser.add_argument("--spec", default=None, help=f"OpenAPI YAML; default {default_spec_path()}")
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--parent-pid", type=int, default=None, help="exit when it exits")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    asyncio.run(serve(args))


# --------------------------------------------------------------------------------------------
# Python helpers for tests and benchmarks.
# --------------------------------------------------------------------------------------------


class FakeWhatsAppError(RuntimeError):
    pass


class FakeWhatsApp:
    """Runs the fake in its own process and drives its control API over HTTP (httpx)."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        app_secret: str = DEFAULT_APP_SECRET,
        phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
        waba_id: str = DEFAULT_WABA_ID,
        display_phone_number: str = DEFAULT_DISPLAY_PHONE_NUMBER,
        spec_path: str | os.PathLike[str] | None = None,
        startup_timeout: float = 20.0,
    ) -> None:
        self.host = host
        self.port = port
        self._token = token
        self._app_secret = app_secret
        self._phone_number_id = phone_number_id
        self._waba_id = waba_id
        self.display_phone_number = display_phone_number
        self.spec_path = spec_path
        self.startup_timeout = startup_timeout
        self.api_version = API_VERSION
        self._proc: subprocess.Popen[bytes] | None = None
        self._http: httpx.Client | None = None
        self._start_args: tuple[str | None, int, dict[str, Any]] = (None, 0, {})

    # ---- properties --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def messages_url(self) -> str:
        return f"{self.base_url}/{API_VERSION}/{self._phone_number_id}/messages"

    @property
    def templates_url(self) -> str:
        return f"{self.base_url}/{API_VERSION}/{self._waba_id}/message_templates"

    @property
    def token(self) -> str:
        return self._token

    @property
    def app_secret(self) -> str:
        return self._app_secret

    @property
    def phone_number_id(self) -> str:
        return self._phone_number_id

    @property
    def waba_id(self) -> str:
        return self._waba_id

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # ---- process -----------------------------------------------------------------------

    def start(self, webhook_url: str | None = None, mps: int = 0, **options: Any) -> FakeWhatsApp:
        if self.running:
            raise FakeWhatsAppError("already started")
        self._start_args = (webhook_url, mps, dict(options))
        self._spawn()
        return self

    def _spawn(self) -> None:
        webhook_url, mps, options = self._start_args
        cmd = [
            sys.executable,
            "-m",
            "tests.fakes.whatsapp_server",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--token",
            self._token,
            "--app-secret",
            self._app_secret,
            "--phone-number-id",
            self._phone_number_id,
            "--waba-id",
            self._waba_id,
            "--display-phone-number",
            self.display_phone_number,
            "--mps",
            str(int(mps)),
            "--parent-pid",
            str(os.getpid()),
        ]
        if webhook_url:
            cmd += ["--webhook-url", webhook_url]
        if options:
            cmd += ["--config", json.dumps(options)]
        if self.spec_path:
            cmd += ["--spec", str(self.spec_path)]
        self._proc = subprocess.Popen(
            cmd, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE
        )
        self.port = self._await_ready(self._proc)
        self._http = httpx.Client(base_url=self.base_url, timeout=30.0)

    def _await_ready(self, proc: subprocess.Popen[bytes]) -> int:
        assert proc.stdout is not None
        deadline = time.monotonic() + self.startup_timeout
        buffer = b""
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if sel.select(timeout=0.05):
                    chunk = os.read(proc.stdout.fileno(), 4096)
                    buffer += chunk
                    match = re.search(rb"READY (\d+)", buffer)
                    if match:
                        return int(match.group(1))
                    if not chunk:
                        break
                if proc.poll() is not None:
                    break
        proc.kill()
        proc.wait()
        raise FakeWhatsAppError(
            f"fake WhatsApp did not become ready (exit code {proc.returncode}); stdout: {buffer!r}"
        )

    def stop(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout:
            proc.stdout.close()

    def restart(self) -> FakeWhatsApp:
        """kill -9, then start again on the same port with the start() arguments; no state kept."""
        if self._http is not None:
            self._http.close()
            self._http = None
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            if self._proc.stdout:
                self._proc.stdout.close()
            self._proc = None
        self._spawn()
        return self

    def __enter__(self) -> FakeWhatsApp:
        if not self.running:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- control API -------------------------------------------------------------------

    def _call(self, method: str, action: str, payload: Any = None, **params: Any) -> Any:
        if self._http is None:
            raise FakeWhatsAppError("not started")
        response = self._http.request(method, f"/_control/{action}", json=payload, params=params)
        if response.status_code != 200:
            raise FakeWhatsAppError(f"control {action}: {response.status_code} {response.text}")
        return response.json()

    def configure(self, **options: Any) -> dict[str, Any]:
        """Change options (see DEFAULT_OPTIONS) and/or `templates`; returns the new config."""
        return self._call("POST", "configure", options)  # type: ignore[no-any-return]

    def config(self) -> dict[str, Any]:
        return self._call("GET", "config")  # type: ignore[no-any-return]

    def inject(self, fault: str, count: int | None = None, **params: Any) -> dict[str, Any]:
        """Inject a fault (FAULTS) for the next `count` requests (None = until clear_faults)."""
        return self._call("POST", "inject", {"fault": fault, "count": count, **params})  # type: ignore[no-any-return]

    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "faults")  # type: ignore[no-any-return]

    def clear_faults(self) -> None:
        self._call("POST", "clear")

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        """Accepted sends (including dropped_after_accept ones), oldest first."""
        return self._call("GET", "requests", since=since)  # type: ignore[no-any-return]

    def rejected(self, since: int = 0) -> list[dict[str, Any]]:
        """Sends answered with an error, with `code`, `http_status` and `reason`."""
        return self._call("GET", "rejected", since=since)  # type: ignore[no-any-return]

    def stats(self) -> dict[str, Any]:
        """Counters; `rejected` maps int error code -> count."""
        data = self._call("GET", "stats")
        data["rejected"] = {int(k): v for k, v in data["rejected"].items()}
        return data  # type: ignore[no-any-return]

    def reset(self) -> None:
        """Back to the state right after start(): records, counters, faults, limits, pending
        webhooks cleared; options and templates as given to start()."""
        self._call("POST", "reset")

    def send_inbound(
        self,
        from_phone: str | None,
        text: str,
        name: str = "",
        *,
        user_id: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        """POST a signed inbound text webhook (like samples/inbound_text.json; with `user_id`
        and no phone like samples/inbound_text_username_user.json); opens the 24 h service
        window for free text to that number / BSUID. Returns {wamid, status, error}."""
        payload = {"from": from_phone, "text": text, "name": name}
        payload |= {"user_id": user_id, "username": username}
        return self._call("POST", "inbound", payload)  # type: ignore[no-any-return]

    def send_user_preference(
        self,
        from_phone: str | None,
        value: str,
        name: str = "",
        *,
        user_id: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        """POST a signed user_preferences webhook ("stop" | "resume"; with `user_id` and no
        phone like samples/user_preferences_stop_bsuid.json); a stopped number's or BSUID's
        (and its `user_ids` pair's) marketing templates then fail with 131050."""
        payload = {"from": from_phone, "value": value, "name": name}
        payload |= {"user_id": user_id, "username": username}
        return self._call("POST", "user_preference", payload)  # type: ignore[no-any-return]

    def user_id_update(
        self,
        previous: str,
        current: str,
        *,
        wa_id: str | None = None,
        name: str = "",
        parent_previous: str | None = None,
        parent_current: str | None = None,
        style: str = "user_id_update",
    ) -> dict[str, Any]:
        """POST a signed webhook saying a user's BSUID changed from `previous` to `current`:
        field `user_id_update` like samples/user_id_update.json, or with style="system" a
        `system` message of type user_changed_user_id (Meta's 11 Aug 2026 shape). Pairs in
        the `user_ids` option follow the new id. Returns {status, error}."""
        payload = {
            "previous": previous,
            "current": current,
            "wa_id": wa_id,
            "name": name,
            "parent_previous": parent_previous,
            "parent_current": parent_current,
            "style": style,
        }
        return self._call("POST", "user_id_update", payload)  # type: ignore[no-any-return]

    def advance_day(self, days: int = 1) -> int:
        """Move the fake clock of the per-user marketing cap (131049) on by `days` days;
        returns the new fake day."""
        return int(self._call("POST", "advance_day", {"days": days})["day"])

    def numbers(self) -> dict[str, dict[str, Any]]:
        """Every phone number id served: {id: {display_phone_number, mps, quality_rating,
        verified_name}} (the main one and the `phone_numbers` option's)."""
        return self._call("GET", "numbers")  # type: ignore[no-any-return]

    def messages_url_for(self, phone_number_id: str) -> str:
        return f"{self.base_url}/{API_VERSION}/{phone_number_id}/messages"

    def post_webhook(
        self, payload: Any, signature: str | None = None, url: str | None = None
    ) -> dict[str, Any]:
        """POST `payload` (dict, or str sent verbatim) to the webhook URL once, signed correctly
        unless `signature` (the full header value) is given. Returns {status, body, signature}."""
        body: dict[str, Any] = {"signature": signature, "url": url}
        body["raw" if isinstance(payload, str) else "payload"] = payload
        return self._call("POST", "webhook", body)  # type: ignore[no-any-return]

    def template_event(
        self, name: str, language: str, event: str, reason: str = "NONE", **extra: Any
    ) -> dict[str, Any]:
        """Change a template's status (sends follow it) and post the signed
        message_template_status_update webhook. Returns {status, error}."""
        payload = {"name": name, "language": language, "event": event, "reason": reason, **extra}
        return self._call("POST", "template_event", payload)  # type: ignore[no-any-return]

    def quality_event(self, event: str, **fields: Any) -> dict[str, Any]:
        """Post a signed phone_number_quality_update webhook (`limit` becomes
        max_daily_conversations_per_business; `old_limit`, `current_limit` as given) for
        `phone_number_id` (default: the main number). The number's quality rating becomes
        `quality_rating` if given (FLAGGED -> RED, UNFLAGGED -> GREEN otherwise);
        THROUGHPUT_UPGRADE raises a limited number's mps to 1,000."""
        return self._call("POST", "quality_event", {"event": event, **fields})  # type: ignore[no-any-return]

    def wait_idle(self, timeout: float = 10.0) -> dict[str, Any]:
        """Wait until every scheduled status webhook has been posted (or given up)."""
        deadline = time.monotonic() + timeout
        while True:
            stats = self.stats()
            if stats["webhooks"]["pending_statuses"] == 0 and stats["webhooks"]["in_flight"] == 0:
                return stats
            if time.monotonic() > deadline:
                raise TimeoutError(f"webhooks still pending: {stats['webhooks']}")
            time.sleep(0.01)


@dataclass
class ReceivedWebhook:
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def signature(self) -> str | None:
        return self.headers.get("x-hub-signature-256")


class WebhookRecorder:
    """A tiny threaded HTTP receiver on 127.0.0.1 that records webhook POSTs (raw bytes and
    headers). `fail_next(n, status)` answers the next n POSTs with an error."""

    def __init__(self, status: int = 200) -> None:
        self.posts: list[ReceivedWebhook] = []
        self.status = status
        self._failures: collections.deque[int] = collections.deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/webhooks/whatsapp/"

    def start(self) -> WebhookRecorder:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with recorder._lock:
                    status = recorder._failures.popleft() if recorder._failures else None
                    if status is None:
                        recorder.posts.append(
                            ReceivedWebhook(self.path, headers, body, time.time())
                        )
                        status = recorder.status
                reply = b"OK" if status < 300 else b"fail"
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> WebhookRecorder:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_next(self, n: int, status: int = 500) -> None:
        with self._lock:
            self._failures.extend([status] * n)

    def clear(self) -> None:
        with self._lock:
            self.posts.clear()
            self._failures.clear()

    def received(self) -> list[ReceivedWebhook]:
        with self._lock:
            return list(self.posts)

    def statuses(self) -> list[dict[str, Any]]:
        """Every status in every recorded POST, in arrival order."""
        found = []
        for post in self.received():
            for entry in post.json.get("entry", []):
                for change in entry.get("changes", []):
                    value = change.get("value")
                    statuses = value.get("statuses") if isinstance(value, dict) else None
                    if isinstance(statuses, list):  # (malformed_rate adds unreadable ones)
                        found.extend(x for x in statuses if isinstance(x, dict) and "id" in x)
        return found

    def wait_for(self, predicate: Any, timeout: float = 5.0) -> Any:
        """Poll until predicate(self) is truthy; returns its value or raises TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate(self)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"webhook condition not met in {timeout} s")
            time.sleep(0.01)


if __name__ == "__main__":
    main()
