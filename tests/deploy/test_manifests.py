"""The Kubernetes manifests agree with the code: every variable they set is a setting
of the service that reads it, each overlay yields valid settings, and the URLs
between services name Services that exist.

No cluster or kustomize binary is needed: the manifests are read as kustomize
would combine them (base resources, ConfigMap literals merged by overlays,
Secret keys from the committed ``*.env.example`` files, prefixed by ``envFrom``).
"""

from __future__ import annotations

import base64
import importlib
import importlib.util
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from nephos_common.settings import ServiceSettings

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
SERVICES = ("asset", "metering", "monitoring", "gateway")
OVERLAYS = ("dev", "production")


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _kustomization(folder: Path) -> dict[str, Any]:
    return _documents(folder / "kustomization.yaml")[0]


def _literals(generators: list[dict[str, Any]], name: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for generator in generators:
        if generator["name"] == name:
            values.update(item.split("=", 1) for item in generator.get("literals", []))
    return values


def _env_file(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))
    return {key: value for key, value in pairs}


def _base_resources() -> dict[tuple[str, str], dict[str, Any]]:
    base = K8S / "base"
    found = {}
    for resource in _kustomization(base)["resources"]:
        for doc in _documents(base / resource):
            found[(doc["kind"], doc["metadata"]["name"])] = doc
    return found


def _secret_values(overlay: str, secret: str) -> dict[str, str]:
    """The example's keys with real-looking values in place of the placeholders."""
    files = {
        g["name"]: g["envs"] for g in _kustomization(K8S / "overlays" / overlay)["secretGenerator"]
    }
    values: dict[str, str] = {}
    for env_file in files[secret]:
        example = K8S / "overlays" / overlay / f"{env_file}.example"
        for key in _env_file(example):
            values[key] = _plausible(key)
    return values


def _plausible(key: str) -> str:
    if key == "SECRET_KEY":
        return base64.b64encode(os.urandom(32)).decode()
    if key == "DATABASE_URL":
        return "postgresql+asyncpg://nephos:password@postgres:5432/nephos"
    return secrets.token_urlsafe(32)


def _container_env(deployment: dict[str, Any], overlay: str) -> dict[str, str]:
    """What the service container sees, as kustomize and the kubelet would build it."""
    spec = deployment["spec"]["template"]["spec"]
    container = spec["containers"][0]
    base_maps = _kustomization(K8S / "base").get("configMapGenerator", [])
    overlay_maps = _kustomization(K8S / "overlays" / overlay).get("configMapGenerator", [])
    env: dict[str, str] = {}
    for source in container["envFrom"]:
        prefix = source.get("prefix", "")
        if "configMapRef" in source:
            name = source["configMapRef"]["name"]
            values = _literals(base_maps, name) | _literals(overlay_maps, name)
        else:
            values = _secret_values(overlay, source["secretRef"]["name"])
        env.update({f"{prefix}{key}": value for key, value in values.items()})
    env.update({item["name"]: item["value"] for item in container.get("env", [])})
    return env


def _settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"nephos_{service}.settings")
    settings: type[ServiceSettings] = module.Settings
    return settings


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_every_variable_is_a_setting_and_the_settings_load(
    service: str, overlay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment = _base_resources()[("Deployment", f"nephos-{service}")]
    env = _container_env(deployment, overlay)
    settings_class = _settings_class(service)
    prefix = f"NEPHOS_{service.upper()}_"
    fields = set(settings_class.model_fields)

    unknown = {name for name in env if name.removeprefix(prefix).lower() not in fields}
    assert not unknown, f"{service} does not read {sorted(unknown)}"
    assert all(name.startswith(prefix) for name in env)

    for name in list(os.environ):
        if name.startswith("NEPHOS_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = settings_class()
    assert settings.environment.value == ("production" if overlay == "production" else "test")
    if overlay == "production":
        assert settings.oidc_jwks_url and settings.oidc_jwks_url.startswith("https://")
        assert not settings.endpoint_override_allowed


@pytest.mark.parametrize("service", SERVICES)
def test_containers_start_the_service_and_migrate_its_own_database(service: str) -> None:
    spec = _base_resources()[("Deployment", f"nephos-{service}")]["spec"]["template"]["spec"]
    command = spec["containers"][0]["command"]
    assert f"nephos_{service}.main:create_app" in command
    assert importlib.util.find_spec(f"nephos_{service}.main") is not None
    migrate = spec["initContainers"][0]["command"]
    assert migrate == ["python", "-m", "nephos_common.migrations", f"nephos_{service}"]
    probes = spec["containers"][0]
    assert probes["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert probes["livenessProbe"]["httpGet"]["path"] == "/livez"


def test_urls_between_services_name_services_that_exist() -> None:
    resources = _base_resources()
    services = {
        name: {port["port"] for port in doc["spec"]["ports"]}
        for (kind, name), doc in resources.items()
        if kind == "Service"
    }
    urls = [
        item["value"]
        for (kind, _), doc in resources.items()
        if kind == "Deployment"
        for item in doc["spec"]["template"]["spec"]["containers"][0].get("env", [])
        if item["name"].endswith("_URL")
    ]
    assert len(urls) == 5  # gateway -> three services; metering and monitoring -> asset
    for url in urls:
        parsed = urlparse(url)
        assert parsed.hostname in services, url
        assert parsed.port in services[parsed.hostname], url


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_files_exist_and_real_secrets_stay_out_of_git(overlay: str) -> None:
    folder = K8S / "overlays" / overlay
    kustomization = _kustomization(folder)
    for resource in kustomization["resources"]:
        assert (folder / resource).exists(), resource
    ignored = (K8S / ".gitignore").read_text()
    assert "overlays/*/secrets/*.env" in ignored
    for generator in kustomization["secretGenerator"]:
        for env_file in generator["envs"]:
            assert (folder / f"{env_file}.example").exists(), env_file
