"""Settings come from SCOGRAPH_* variables when a Settings is made, and keep the token secret."""

import pytest

from scograph.settings import WIKIDATA_SPARQL, Settings


def test_settings_read_the_environment_when_made(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCOGRAPH_QUERY_TIMEOUT", "2.5")
    monkeypatch.setenv("SCOGRAPH_SERVICE_ALLOWLIST", '["https://example.org/sparql"]')
    settings = Settings()
    assert settings.query_timeout == 2.5
    assert settings.service_allowlist == ["https://example.org/sparql"]


def test_defaults_are_read_only_with_wikidata_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SCOGRAPH_WRITE_TOKEN", "SCOGRAPH_QUERY_TIMEOUT", "SCOGRAPH_SERVICE_ALLOWLIST"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert not settings.writable
    assert settings.query_timeout == 30
    assert settings.max_rows == 100_000
    assert settings.service_allowlist == [WIKIDATA_SPARQL]


def test_the_write_token_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCOGRAPH_WRITE_TOKEN", "very-secret")
    settings = Settings()
    assert settings.writable
    assert "very-secret" not in repr(settings)
    assert "very-secret" not in str(settings.model_dump())


def test_an_empty_token_means_read_only() -> None:
    assert not Settings(write_token="").writable
