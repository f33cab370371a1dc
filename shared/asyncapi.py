"""The AsyncAPI 3 document of every topic, generated from the registry and the event models.

`docs/asyncapi.yaml` is this function's output, committed; a test fails when the two drift apart.
Regenerate with ``python -m shared.asyncapi > docs/asyncapi.yaml``.
"""

from __future__ import annotations

import sys
from typing import Any

import yaml

from shared.events.base import Event
from shared.topics import ALL_TOPICS


def _message_name(event: type[Event]) -> str:
    return event.__name__


def document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for topic in ALL_TOPICS:
        channel_id = topic.name.replace("gridloop.", "").replace("-", "_")
        channels[channel_id] = {
            "address": topic.name,
            "description": topic.description,
            "messages": {
                _message_name(e): {"$ref": f"#/components/messages/{_message_name(e)}"} for e in topic.events
            },
            "bindings": {"kafka": {"bindingVersion": "0.5.0"}},
        }
        operations[f"publish_{channel_id}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": f"Events on {topic.name}, keyed by {topic.key}.",
        }
        for event in topic.events:
            schema = event.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in schema.pop("$defs", {}).items():
                schemas[name] = definition
            schemas[event.__name__] = schema
            messages[_message_name(event)] = {
                "name": event.event_type,
                "title": event.__name__,
                "summary": (event.__doc__ or "").strip().splitlines()[0] if event.__doc__ else event.__name__,
                "contentType": "application/json",
                "headers": {
                    "type": "object",
                    "required": ["ce_id", "ce_source", "ce_type", "ce_specversion"],
                    "properties": {
                        "ce_id": {"type": "string"},
                        "ce_source": {"type": "string"},
                        "ce_type": {"type": "string", "const": event.event_type},
                        "ce_specversion": {"type": "string", "const": "1.0"},
                        "ce_time": {"type": "string", "format": "date-time"},
                    },
                },
                "payload": {"$ref": f"#/components/schemas/{event.__name__}"},
                "bindings": {
                    "kafka": {"key": {"type": "string", "description": topic.key}, "bindingVersion": "0.5.0"}
                },
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "gridloop events",
            "version": "1.0.0",
            "description": "CloudEvents 1.0, Kafka protocol binding, binary content mode: attributes in "
            "ce_* headers, JSON data in the value, content-type application/json.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": dict(sorted(schemas.items()))},
    }


def render() -> str:
    return yaml.safe_dump(document(), sort_keys=False, allow_unicode=True, width=110)


if __name__ == "__main__":
    sys.stdout.write(render())
