"""Dispatch's case events, produced to the real topic, become cases in handling's database — once."""

from __future__ import annotations

from shared.topics import CASE_EVENTS, DEAD_LETTERS


async def test_an_opened_and_assigned_case_arrives_with_its_holder_verifier_and_two_timeline_entries(
    handling, dispatch, crew
):
    case_id = await dispatch.open_and_assign(crew, handling)

    case = (await handling.http.get(f"/v1/cases/{case_id}", headers=crew.assignee.headers())).json()
    assert case["state"] == "assigned"
    assert case["assignee_id"] == crew.assignee.person_id
    assert case["verifier_id"] == crew.verifier.person_id
    assert case["district_id"] == crew.district_id
    assert case["version"] == 2
    timeline = (
        await handling.http.get(f"/v1/cases/{case_id}/timeline", headers=crew.assignee.headers())
    ).json()
    assert [(e["action"], e["from_state"], e["to_state"]) for e in timeline["entries"]] == [
        ("open", None, "opened"),
        ("assign", "opened", "assigned"),
    ]
    assert {e["actor_role"] for e in timeline["entries"]} == {"system"}


async def test_producing_the_same_events_twice_changes_nothing(handling, dispatch, crew):
    opened, assigned = dispatch.events(crew)
    await dispatch.publish(handling, opened, assigned)
    await handling.wait_for(
        lambda: _state(handling, crew, opened.case_id, "assigned"), what="the case to be assigned"
    )
    before = (await handling.http.get(f"/v1/cases/{opened.case_id}", headers=crew.operator.headers())).json()
    duplicates = await handling.metric(
        "gridloop_handling_events_consumed_total", topic=handling.topic(CASE_EVENTS), outcome="duplicate"
    )

    await dispatch.publish(handling, opened, assigned)

    async def both_seen_as_duplicates() -> bool:
        seen = await handling.metric(
            "gridloop_handling_events_consumed_total", topic=handling.topic(CASE_EVENTS), outcome="duplicate"
        )
        return bool(seen >= duplicates + 2)

    await handling.wait_for(both_seen_as_duplicates, what="the redelivered events to be deduplicated")
    after = (await handling.http.get(f"/v1/cases/{opened.case_id}", headers=crew.operator.headers())).json()
    assert after == before
    timeline = (
        await handling.http.get(f"/v1/cases/{opened.case_id}/timeline", headers=crew.operator.headers())
    ).json()
    assert len(timeline["entries"]) == 2


async def test_an_opened_case_outside_every_grid_waits_unassigned_for_manual_triage(handling, dispatch, crew):
    opened, _ = dispatch.events(crew)
    untriaged = opened.model_copy(update={"grid_id": None, "community_id": None, "street_id": None})
    await dispatch.publish(handling, untriaged)
    await handling.wait_for(lambda: _state(handling, crew, opened.case_id, "opened"), what="the case to open")
    case = (await handling.http.get(f"/v1/cases/{opened.case_id}", headers=crew.operator.headers())).json()
    assert case["assignee_id"] is None
    assert case["grid_id"] is None


async def test_a_case_without_a_point_is_kept_shown_and_listed_with_a_null_location(handling, dispatch, crew):
    opened, _ = dispatch.events(crew)
    # A report that gave only an address, placed in its community by the gazetteer.
    category = f"test.address_only_{opened.case_id.hex[:8]}"
    addressed = opened.model_copy(update={"location": None, "grid_id": None, "category": category})
    await dispatch.publish(handling, addressed)
    await handling.wait_for(lambda: _state(handling, crew, opened.case_id, "opened"), what="the case to open")

    case = (await handling.http.get(f"/v1/cases/{opened.case_id}", headers=crew.operator.headers())).json()
    page = (
        await handling.http.get("/v1/cases", params={"category": category}, headers=crew.operator.headers())
    ).json()

    assert (case["location"], case["grid_id"], case["community_id"]) == (None, None, opened.community_id)
    assert [(item["id"], item["location"]) for item in page["items"]] == [(str(opened.case_id), None)]


async def _state(handling, crew, case_id, state) -> bool:
    response = await handling.http.get(f"/v1/cases/{case_id}", headers=crew.operator.headers())
    return response.status_code == 200 and bool(response.json()["state"] == state)


async def test_an_assignment_for_a_case_never_opened_is_dead_lettered_and_the_consumer_moves_on(
    handling, dispatch, crew, tail
):
    letters = await tail(handling.topic(DEAD_LETTERS))
    _, orphan = dispatch.events(crew)
    await dispatch.publish(handling, orphan)

    def about_orphan(envelope) -> bool:
        letter = envelope.data
        return letter.consumer == handling.settings.consumer_group and str(orphan.case_id) in letter.error

    (letter,) = await letters.collect(about_orphan, count=1, within=20)
    assert letter.data.original_topic == handling.topic(CASE_EVENTS)
    assert "never opened" in letter.data.error
    await dispatch.open_and_assign(crew, handling)  # and the next case still arrives


async def test_handlings_own_events_coming_back_from_the_topic_are_ignored(handling, dispatch, crew):
    case_id = await dispatch.open_and_assign(crew, handling)
    ignored = await handling.metric(
        "gridloop_handling_events_consumed_total", topic=handling.topic(CASE_EVENTS), outcome="ignored"
    )
    response = await handling.http.post(f"/v1/cases/{case_id}/accept", headers=crew.assignee.headers())
    assert response.status_code == 200

    async def came_back_and_was_ignored() -> bool:
        seen = await handling.metric(
            "gridloop_handling_events_consumed_total", topic=handling.topic(CASE_EVENTS), outcome="ignored"
        )
        return bool(seen >= ignored + 1)

    await handling.wait_for(came_back_and_was_ignored, what="CaseAccepted to come back and be ignored")
    timeline = (
        await handling.http.get(f"/v1/cases/{case_id}/timeline", headers=crew.assignee.headers())
    ).json()
    assert [e["action"] for e in timeline["entries"]] == ["open", "assign", "accept"]
