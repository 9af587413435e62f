"""Drive a gptom-mock process from Python: start it on a free port, reset it, move its clock,
switch scenarios, read its journal and its contract verdict.

The binary comes with this package (installed next to the Python interpreter's scripts);
``GPTOM_MOCK_BIN`` points at another one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

__all__ = ["GptomMock", "GptomMockError", "binary_path"]


class GptomMockError(RuntimeError):
    """The mock could not be started, or answered a control call with an error."""


def binary_path() -> str:
    """Where the gptom-mock binary is: ``GPTOM_MOCK_BIN``, this environment's scripts, or PATH."""
    configured = os.environ.get("GPTOM_MOCK_BIN")
    if configured:
        return configured
    name = "gptom-mock.exe" if sys.platform == "win32" else "gptom-mock"
    scripts = Path(sysconfig.get_path("scripts")) / name
    if scripts.exists():
        return str(scripts)
    found = shutil.which(name)
    if found:
        return found
    raise GptomMockError(
        "gptom-mock binary not found: install the gptom-mock wheel into this environment "
        "or set GPTOM_MOCK_BIN"
    )


class GptomMock:
    """One gptom-mock process on a free loopback port.

    >>> with GptomMock.start() as mock:
    ...     mock.reset()
    """

    def __init__(self, process: subprocess.Popen, url: str, workdir: str, admin_token: Optional[str]):
        self._process = process
        self.url = url
        self._workdir = workdir
        self._admin_token = admin_token

    @classmethod
    def start(
        cls,
        *,
        seed: Optional[int] = None,
        scenarios: Optional[List[str]] = None,
        extra_args: Optional[List[str]] = None,
        timeout: float = 30.0,
    ) -> "GptomMock":
        """Starts the mock with ``--port 0``, waits until ``/__mock/health`` answers."""
        workdir = tempfile.mkdtemp(prefix="gptom-mock-")
        port_file = os.path.join(workdir, "port")
        log = open(os.path.join(workdir, "mock.log"), "wb")
        args = [binary_path(), "--port", "0", "--port-file", port_file, "--log-level", "warn"]
        seed = seed if seed is not None else _env_int("GPTOM_MOCK_SEED")
        if seed is not None:
            args += ["--seed", str(seed)]
        for scenario in scenarios or []:
            args += ["--scenario", scenario]
        args += extra_args or []
        env = dict(os.environ)
        env.pop("GPTOM_MOCK_PORT", None)
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log.close()
                raise GptomMockError(
                    f"gptom-mock exited with {process.returncode}: "
                    + Path(workdir, "mock.log").read_text(errors="replace")
                )
            try:
                port = Path(port_file).read_text().strip()
            except FileNotFoundError:
                port = ""
            if port:
                mock = cls(process, f"http://127.0.0.1:{port}", workdir, env.get("GPTOM_MOCK_ADMIN_TOKEN"))
                try:
                    mock._call("GET", "/__mock/health")
                    return mock
                except (OSError, GptomMockError):
                    pass
            time.sleep(0.02)
        process.kill()
        raise GptomMockError(f"gptom-mock did not answer within {timeout} s")

    # -- the control plane -------------------------------------------------------------------

    def reset(self) -> None:
        """Everything recorded is gone and the id sequence restarts; the active scenario stays."""
        self._call("POST", "/__mock/reset")

    def advance(self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0) -> str:
        """Moves the virtual clock forward; returns the new virtual now (ISO 8601)."""
        millis = int(round((seconds + 60 * minutes + 3600 * hours + 86400 * days) * 1000))
        answer = self._call("POST", "/__mock/clock/advance", {"milliseconds": millis})
        return answer["now"]

    def use_scenario(self, name_or_yaml: str) -> Dict[str, Any]:
        """Activates a library scenario by name (``"declined"``) or a scenario given as YAML text."""
        if "\n" in name_or_yaml:
            return self._call("PUT", "/__mock/scenario", name_or_yaml.encode(), "application/yaml")
        query = urllib.parse.urlencode({"name": name_or_yaml})
        return self._call("PUT", f"/__mock/scenario?{query}")

    def clear_scenario(self) -> None:
        """Back to GP tom's own test amounts (1111 approved, 1122 declined, …; others approved)."""
        self._call("DELETE", "/__mock/scenario")

    def requests(self, limit: int = 500) -> List[Dict[str, Any]]:
        """What the client sent since the last reset, oldest first (secrets masked)."""
        return self._call("GET", f"/__mock/requests?limit={limit}")["entries"]

    def verify(self) -> Dict[str, Any]:
        """The contract verdict on what the client did: ``{"passed": bool, "rules": [...]}``."""
        return self._call("GET", "/__mock/verify")

    def verify_text(self) -> str:
        """The verdict as text, the way ``gptom-mock verify`` prints it."""
        return self._call("GET", "/__mock/verify?format=text", raw=True).decode()

    def verify_junit(self) -> str:
        """The verdict as JUnit XML."""
        return self._call("GET", "/__mock/verify?format=junit", raw=True).decode()

    def coverage(self, client: Optional[str] = None, terminal: Optional[str] = None) -> Dict[str, Any]:
        """Which of GP tom's edge cases the tests met and how the client handled each:
        ``{"percent": int, "cases": [{"id", "status", "produce", "evidence"}, ...]}``; ``client``
        or ``terminal`` limit it to one OAuth client or terminal."""
        query = urllib.parse.urlencode({k: v for k, v in (("client", client), ("terminal", terminal)) if v})
        return self._call("GET", "/__mock/coverage" + ("?" + query if query else ""))

    def coverage_text(self) -> str:
        """The coverage report as text, the way ``gptom-mock coverage`` prints it."""
        return self._call("GET", "/__mock/coverage?format=text", raw=True).decode()

    def export_state(self) -> Dict[str, Any]:
        """The mock's whole state (terminals, tasks, transactions, batches, virtual time; no
        secrets) as ``gptom-mock state export`` writes it: save it with a bug report."""
        return self._call("GET", "/__mock/state/export")

    def import_state(self, state: Any) -> Dict[str, Any]:
        """Replaces the mock's state with an exported one (a dict, or the file's bytes); a state
        that does not fit raises and changes nothing. Clients need new tokens afterwards."""
        body = state if isinstance(state, bytes) else json.dumps(state).encode()
        return self._call("POST", "/__mock/state/import", body)

    # -- lifetime ----------------------------------------------------------------------------

    def stop(self) -> None:
        """Stops the process (in-flight requests finish first)."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
        shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> "GptomMock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _call(self, method: str, path: str, body: Any = None, content_type: str = "application/json", raw: bool = False) -> Any:
        data = None
        headers = {}
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = content_type
        if self._admin_token:
            headers["X-Admin-Token"] = self._admin_token
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                payload = answer.read()
        except urllib.error.HTTPError as error:
            raise GptomMockError(f"{method} {path}: {error.code} {error.read().decode(errors='replace')}") from None
        if raw:
            return payload
        return json.loads(payload) if payload else None


def _env_int(name: str) -> Optional[int]:
    value = os.environ.get(name)
    return int(value) if value else None
