"""What Moments declares to Slack (manifest.yml) and to Teams (the app package's manifest.json),
checked against the schemas the platforms publish."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import yaml

from bot.config import Settings
from handlers.cli import main
from handlers.teams.package import MANIFEST_VERSION, manifest
from tests.handlers.schemas.platform import schema_errors

ROOT = Path(__file__).resolve().parents[3]
APP_ID = "11111111-2222-3333-4444-555555555555"


def test_manifest_yml_is_a_valid_slack_app_manifest() -> None:
    declared = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    assert "_metadata" not in declared  # so version 1 of the manifest schema applies
    assert schema_errors(declared, "slack-app-manifest.1.0.0.schema.json") == []


def test_the_slack_schema_check_would_catch_a_broken_manifest() -> None:
    declared = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    declared["features"]["slash_commands"][0]["command"] = "wow"  # no leading slash
    declared["oauth_config"]["scopes"]["bot"].append("not a scope")
    assert len(schema_errors(declared, "slack-app-manifest.1.0.0.schema.json")) >= 1


def test_the_teams_manifest_is_valid_at_the_newest_published_version() -> None:
    settings = Settings(microsoft_app_id=APP_ID, public_url="https://moments.example.com")
    declared = manifest(settings)
    assert declared["manifestVersion"] == MANIFEST_VERSION == "1.30"
    assert f"/v{MANIFEST_VERSION}/" in declared["$schema"]
    assert schema_errors(declared, "teams-app-manifest.v1.30.schema.json") == []
    assert "groupChat" in declared["bots"][0]["scopes"]


def test_teams_package_out_names_a_folder_it_creates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MICROSOFT_APP_ID", APP_ID)
    monkeypatch.setenv("MOMENTS_PUBLIC_URL", "https://moments.example.com")
    out = tmp_path / "dist"
    assert main(["teams-package", "--out", str(out)]) == 0
    package = out / "moments-teams.zip"
    assert out.is_dir() and package.is_file()
    assert str(package) in capsys.readouterr().out
    with zipfile.ZipFile(package) as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        shipped = json.loads(zf.read("manifest.json"))
    assert schema_errors(shipped, "teams-app-manifest.v1.30.schema.json") == []


def test_teams_package_out_may_still_name_the_zip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROSOFT_APP_ID", APP_ID)
    target = tmp_path / "release" / "moments-1.0.zip"
    assert main(["teams-package", "--out", str(target)]) == 0
    assert zipfile.is_zipfile(target)
