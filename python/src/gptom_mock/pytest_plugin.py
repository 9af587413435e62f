"""pytest plugin: one gptom-mock per test session, reset before each test.

Fixtures:
- ``gptom_mock``: the session's mock, reset before the test (``url``, ``reset()``, ``advance()``,
  ``use_scenario()``, ``requests()``, ``verify()``).
- ``gptom_mock_session``: the same mock without the reset, for session-scoped fixtures.

Options:
- ``--gptom-verify``: a test that used ``gptom_mock`` fails when its client broke GP tom's
  protocol, with the broken rules in the failure (opt-in; ``GPTOM_VERIFY=1`` does the same).
- ``--gptom-junit=PATH``: every such test's contract verdict as JUnit XML, one test suite per test.
- ``--gptom-scenario=NAME``: the scenario each test starts from (default: GP tom's test amounts).
- ``--gptom-state-dir=DIR``: the mock's whole state of each failed test, as ``DIR/<test>.json``
  (``GPTOM_STATE_DIR`` does the same): attach it to the bug report; ``gptom-mock state import``
  puts it into a mock again.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ElementTree
from typing import Iterator, List

import pytest

from . import GptomMock

_VERDICTS = pytest.StashKey[List[ElementTree.Element]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gptom-mock", "GP tom test double")
    group.addoption(
        "--gptom-verify",
        action="store_true",
        default=os.environ.get("GPTOM_VERIFY", "") not in ("", "0", "false"),
        help="fail a test whose client broke GP tom's protocol (gptom-mock verify)",
    )
    group.addoption(
        "--gptom-junit",
        metavar="PATH",
        default=None,
        help="write each test's GP tom contract verdict as JUnit XML to PATH",
    )
    group.addoption(
        "--gptom-state-dir",
        metavar="DIR",
        default=os.environ.get("GPTOM_STATE_DIR") or None,
        help="write the mock's state of each failed test to DIR/<test>.json (gptom-mock state import reads it)",
    )
    group.addoption(
        "--gptom-scenario",
        metavar="NAME",
        default=None,
        help="a library scenario (gptom-mock scenario list) or YAML file each test starts from",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_VERDICTS] = []
    config.addinivalue_line("markers", "gptom_scenario(name_or_yaml): the scenario this test starts from")


@pytest.fixture(scope="session")
def gptom_mock_session(pytestconfig: pytest.Config) -> Iterator[GptomMock]:
    scenario = pytestconfig.getoption("gptom_scenario")
    mock = GptomMock.start(scenarios=[scenario] if scenario else None)
    yield mock
    mock.stop()


@pytest.fixture
def gptom_mock(gptom_mock_session: GptomMock, request: pytest.FixtureRequest) -> Iterator[GptomMock]:
    # Every test starts from the same place: nothing recorded, and the session's scenario (or the
    # test's own marker) active again, whatever the previous test switched to.
    gptom_mock_session.reset()
    marker = request.node.get_closest_marker("gptom_scenario")
    scenario = marker.args[0] if marker is not None else request.config.getoption("gptom_scenario")
    if scenario:
        gptom_mock_session.use_scenario(_scenario_text(scenario))
    else:
        gptom_mock_session.clear_scenario()
    yield gptom_mock_session


def _scenario_text(name_or_path: str) -> str:
    """A library name or YAML text as it is; a file's YAML read."""
    if "\n" not in name_or_path and os.path.isfile(name_or_path):
        with open(name_or_path, encoding="utf-8") as file:
            return file.read()
    return name_or_path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if call.when != "call" or "gptom_mock" not in getattr(item, "fixturenames", ()):
        return
    mock = item.funcargs.get("gptom_mock")  # type: ignore[attr-defined]
    if mock is None:
        return
    config = item.config
    if config.getoption("gptom_junit"):
        suite = ElementTree.fromstring(mock.verify_junit())
        suite.set("name", item.nodeid)
        config.stash[_VERDICTS].append(suite)
    if report.passed and config.getoption("gptom_verify"):
        verdict = mock.verify()
        if not verdict.get("passed", False):
            report.outcome = "failed"
            report.longrepr = (
                "the client broke GP tom's protocol (gptom-mock verify):\n" + mock.verify_text()
            )
    state_dir = config.getoption("gptom_state_dir")
    if report.failed and state_dir:
        os.makedirs(state_dir, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid).strip("_") + ".json"
        path = os.path.join(state_dir, name)
        with open(path, "w", encoding="utf-8") as file:
            json.dump(mock.export_state(), file, indent=2)
        report.sections.append(("gptom-mock state", f"the mock's state is in {path} (into a running mock: gptom-mock state import {path} --url URL)"))


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = session.config.getoption("gptom_junit")
    if not path:
        return
    root = ElementTree.Element("testsuites", name="gptom-contract")
    for suite in session.config.stash.get(_VERDICTS, []):
        root.append(suite)
    ElementTree.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
