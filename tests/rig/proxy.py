"""nginx in front of the rig's `serve` instances, and a readiness watcher that keeps its
upstreams to the instances whose `/readyz` says ready (what an orchestrator does for a proxy).

Why both: open-source nginx only learns of a dead upstream passively (a refused connection)
and never reads `/readyz`. Something must take a draining instance out of rotation before it
stops accepting; here a thread polls every instance and reloads nginx when the ready set
changes (Kubernetes' endpoints do the same for an ingress). nginx's reload is graceful: old
workers finish the requests they hold.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .processes import free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
POLL_SECONDS = 0.2

# Retry on another instance only what never reached an app, or what an app refused before
# acting: a refused or failed connection ("error": nginx retries a POST only when it could not
# send the request at all), a 502 and a 503. `non_idempotent` is left off on purpose: a POST
# whose instance died or timed out after receiving it may have booked, and a second instance
# would answer the client 409 for its own booking (or book twice where no constraint guards).
CONFIG = """\
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    include {root}/upstream.conf;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://benchshare;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 3;
            proxy_next_upstream_timeout 10s;
        }}
    }}
}}
"""


def upstream_block(ports: list[int]) -> str:
    servers = "".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;\n"
                      for port in sorted(ports))
    return f"upstream benchshare {{\n{servers}}}\n"


class Nginx:
    """nginx from Debian with a configuration in a directory of its own, on a free port."""

    def __init__(self, root: Path, ports: list[int]):
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.ports = sorted(ports)
        self.reloads = 0
        self.config = self.root / "nginx.conf"
        self.config.write_text(CONFIG.format(root=self.root, port=self.port))
        (self.root / "upstream.conf").write_text(upstream_block(self.ports))
        self.process: subprocess.Popen | None = None

    def start(self) -> Nginx:
        self._nginx("-t")
        with (self.root / "nginx.out").open("a") as out:
            self.process = subprocess.Popen([NGINX, "-p", str(self.root), "-c", str(self.config)],
                                            stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not (self.root / "nginx.pid").exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {self.error_log}")
            time.sleep(0.05)
        return self

    def route_to(self, ports: list[int]) -> None:
        """Send new requests to these instances only (a graceful reload)."""
        ports = sorted(ports)
        if ports == self.ports or not ports:
            return
        (self.root / "upstream.conf").write_text(upstream_block(ports))
        self._nginx("-s", "reload")
        self.ports = ports
        self.reloads += 1

    @property
    def error_log(self) -> str:
        path = self.root / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # nginx's fast stop; quit would wait for keep-alives
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _nginx(self, *args: str) -> None:
        subprocess.run([NGINX, "-p", str(self.root), "-c", str(self.config), *args],
                       check=True, capture_output=True, timeout=30)


class ReadinessWatcher:
    """A thread routing nginx to the instances whose readiness is 200, polling each one. With
    none ready it leaves the last set alone (nginx then finds them refused and says 502)."""

    def __init__(self, nginx: Nginx, instances: Callable[[], list]):
        self.nginx, self.instances = nginx, instances
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="readiness-watcher",
                                        daemon=True)

    def start(self) -> ReadinessWatcher:
        self._thread.start()
        return self

    def ready_ports(self) -> list[int]:
        ready = []
        for instance in self.instances():
            answer = instance.readiness()
            if answer is not None and answer[0] == 200:
                ready.append(instance.port)
        return ready

    def wait_routed(self, port: int, present: bool = True, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while (port in self.nginx.ports) != present:
            if time.monotonic() > deadline:
                raise TimeoutError(f"port {port} {'not' if present else 'still'} routed")
            time.sleep(0.05)

    def _watch(self) -> None:
        while not self._stopping.wait(POLL_SECONDS):
            self.nginx.route_to(self.ready_ports())

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=10)
