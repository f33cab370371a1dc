"""The AsyncAPI document says what the registry and the models say, topic by topic."""

from __future__ import annotations

import yaml

from shared.asyncapi import render
from shared.settings import REPO_ROOT
from shared.topics import ALL_TOPICS

COMMITTED = REPO_ROOT / "docs" / "asyncapi.yaml"


def test_the_committed_document_is_what_the_registry_generates() -> None:
    assert COMMITTED.read_text() == render(), (
        "docs/asyncapi.yaml drifted from shared/topics.py or the event models: "
        "run `python -m shared.asyncapi > docs/asyncapi.yaml`"
    )


def test_every_topic_is_a_channel_with_its_address_key_and_messages() -> None:
    doc = yaml.safe_load(COMMITTED.read_text())
    assert doc["asyncapi"].startswith("3.")
    addresses = {c["address"]: c for c in doc["channels"].values()}
    assert set(addresses) == {t.name for t in ALL_TOPICS}
    for topic in ALL_TOPICS:
        channel = addresses[topic.name]
        assert set(channel["messages"]) == {e.__name__ for e in topic.events}
        for event in topic.events:
            message = doc["components"]["messages"][event.__name__]
            assert message["name"] == event.event_type
            assert message["bindings"]["kafka"]["key"]["description"] == topic.key
            schema = doc["components"]["schemas"][event.__name__]
            assert set(schema["properties"]) == set(event.model_fields)


def test_every_event_type_is_versioned() -> None:
    for topic in ALL_TOPICS:
        for event in topic.events:
            assert event.event_type.startswith("gridloop.")
            assert event.event_type.rsplit(".", 1)[-1].startswith("v")
