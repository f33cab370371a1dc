import pytest

from services.scoring.settings import ScoringSettings
from shared.topics import CASE_EVENTS


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch):
    for name in ("DATABASE_URL", "GRIDLOOP_ENV", "GRIDLOOP_SCORING_DATABASE_URL", "GRIDLOOP_SCORING_PORT"):
        monkeypatch.delenv(name, raising=False)


def test_scoring_consumes_the_registry_case_events_topic_by_default():
    assert ScoringSettings().case_events_topic == CASE_EVENTS.name


def test_defaults_match_the_architecture_document():
    settings = ScoringSettings()
    assert (settings.port, settings.consumer_group, settings.rubric_path, settings.db_schema) == (
        8004,
        "gridloop-scoring",
        None,  # rubric.yaml in the city directory
        "scoring",
    )


def test_the_database_url_comes_from_the_stack_wide_database_url(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://stack/wide")
    assert ScoringSettings().database_url.get_secret_value() == "postgresql://stack/wide"
    monkeypatch.setenv("GRIDLOOP_SCORING_DATABASE_URL", "postgresql://scoring/own")
    assert ScoringSettings().database_url.get_secret_value() == "postgresql://scoring/own"


def test_the_development_database_is_refused_in_production(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GRIDLOOP_ENV", "prod")
    with pytest.raises(ValueError, match="database_url still has its development default"):
        ScoringSettings()
