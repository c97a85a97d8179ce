"""The deployment files as an operator gets them: the scaled topology's nginx configuration is
one nginx accepts, the image installs pinned versions without the embedded PostgreSQL, and
nothing publishes the service beyond this machine by default."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


class _ComposeLoader(yaml.SafeLoader):
    """Compose's YAML: `!reset` empties what the file below set."""


_ComposeLoader.add_constructor("!reset", lambda loader, node: None)


def _compose(name: str) -> dict:
    return yaml.load((ROOT / name).read_text(), Loader=_ComposeLoader)


def test_the_scaled_topologys_nginx_configuration_is_valid(tmp_path):
    content = _compose("docker-compose.scaled.yml")["configs"]["nginx"]["content"]
    # Compose writes $$ as $; the api service's name resolves inside Compose only.
    site = content.replace("$$", "$").replace("server api:8000", "server 127.0.0.1:8000")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"error_log {tmp_path}/error.log;\npid {tmp_path}/nginx.pid;\n"
        "events {}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}; "
        f"proxy_temp_path {tmp_path}; include {tmp_path}/site.conf; }}\n")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    done = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr


def test_the_scaled_topology_publishes_only_the_proxy_on_this_machine():
    scaled = _compose("docker-compose.scaled.yml")["services"]
    assert scaled["api"]["ports"] is None  # reset: the instances publish nothing
    assert scaled["api"]["deploy"]["replicas"] == 3
    assert scaled["scheduler"]["deploy"]["replicas"] == 2
    assert scaled["proxy"]["ports"] == [
        "${BENCHSHARE_BIND:-127.0.0.1}:${BENCHSHARE_PORT:-8000}:8080"]
    single = _compose("docker-compose.yml")["services"]
    assert single["api"]["ports"] == ["${BENCHSHARE_BIND:-127.0.0.1}:${BENCHSHARE_PORT:-8000}:8000"]
    assert "-h 127.0.0.1" in single["db"]["healthcheck"]["test"][1]


def test_the_image_installs_the_pinned_versions_and_no_embedded_database():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install -c constraints.txt -e ." in dockerfile
    assert "[embedded]" not in dockerfile and "[dev]" not in dockerfile
    assert "WEB_CONCURRENCY=" not in (ROOT / ".env.example").read_text().replace(
        "# WEB_CONCURRENCY", "")
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv/", ".benchshare-data/"} <= set(ignored)
