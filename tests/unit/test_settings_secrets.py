"""Secret settings: from the variable or from a mounted file (``…_FILE``), and never in a
repr of the settings or of a database URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from madoguchi.config import load_settings
from madoguchi.storage.urls import parse_database_url

SECRET = "s3cr3t-九十九-value"
PG = "postgresql://desk:{}@db.example:5432/intake"


def test_a_secret_is_read_from_its_file_without_the_trailing_newline(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "webhook").write_text(SECRET + "\n", encoding="utf-8")
    (tmp_path / "smtp").write_text(SECRET, encoding="utf-8")
    (tmp_path / "url").write_text(PG.format(SECRET) + "\n", encoding="utf-8")
    monkeypatch.setenv("MADOGUCHI_SLA_WEBHOOK_SECRET_FILE", str(tmp_path / "webhook"))
    monkeypatch.setenv("MADOGUCHI_SLA_SMTP_PASSWORD_FILE", str(tmp_path / "smtp"))
    monkeypatch.setenv("MADOGUCHI_INTAKE_DATABASE_URL_FILE", str(tmp_path / "url"))
    settings = load_settings()
    assert settings.alerts.webhook_secret == SECRET
    assert settings.alerts.smtp_password == SECRET
    assert settings.database_urls["intake"] == PG.format(SECRET)


def test_the_variable_and_its_file_together_are_refused_naming_only_the_variable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "webhook").write_text(SECRET, encoding="utf-8")
    monkeypatch.setenv("MADOGUCHI_SLA_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("MADOGUCHI_SLA_WEBHOOK_SECRET_FILE", str(tmp_path / "webhook"))
    with pytest.raises(ValueError, match="MADOGUCHI_SLA_WEBHOOK_SECRET") as caught:
        load_settings()
    assert SECRET not in str(caught.value)


def test_an_unreadable_secret_file_is_an_error_naming_the_variable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MADOGUCHI_SLA_SMTP_PASSWORD_FILE", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="MADOGUCHI_SLA_SMTP_PASSWORD_FILE"):
        load_settings()


def test_no_secret_is_in_the_repr_of_the_settings_or_a_database_url(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MADOGUCHI_SLA_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("MADOGUCHI_SLA_SMTP_PASSWORD", SECRET)
    monkeypatch.setenv("MADOGUCHI_INTAKE_DATABASE_URL", PG.format(SECRET))
    settings = load_settings()
    assert SECRET not in repr(settings)
    assert SECRET not in repr(settings.alerts)
    url = parse_database_url(settings.database_urls["intake"])
    assert url.password == SECRET and SECRET not in repr(url)
