"""The API reference is built by MkDocs from the code (mkdocs.yml; docs/reference/):
mkdocstrings renders every public name's signature and docstring, mkdocs-click every
command and option. Here the site is built once, the way a user builds it
(``mkdocs build --strict``), and:

- the build has no warning: a broken link or cross-reference, a docstring parameter
  that is not in the signature, a page missing from the navigation all fail it;
- every public name (``sfnchain.__all__``, ``sfnchain.bedrock``/``sfnchain.s3``
  functions, ``sfnchain.testing.__all__``, the pytest plugin's fixtures) is in the
  built reference's inventory with its example rendered, and its docstring holds
  exactly one ```python example (tests/test_docs_examples.py runs it);
- every command of the CLI is in the built command reference, with an example in
  docs/reference/cli.md that runs here.

Signatures are rendered from the code, so the reference cannot drift from it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_docs_examples import _NOT_RUN, REFERENCE_PATH, docstring, examples, public_names

from sfnchain.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
CLI_PAGE = ROOT / "docs" / "reference" / "cli.md"


class Site:
    def __init__(self, root: Path, returncode: int, log: str) -> None:
        self.root = root
        self.returncode = returncode
        self.log = log

    def page(self, uri: str) -> str:
        path = self.root / uri.split("#", 1)[0]
        if path.is_dir() or not path.suffix:
            path = path / "index.html"
        return path.read_text()

    def inventory(self) -> dict[str, str]:
        """name -> page#anchor, from objects.inv (Sphinx inventory v2)."""
        data = (self.root / "objects.inv").read_bytes()
        offset = 0
        for _ in range(4):  # four header lines, then the zlib-compressed entries
            offset = data.index(b"\n", offset) + 1
        body = zlib.decompress(data[offset:]).decode()
        out: dict[str, str] = {}
        for line in body.splitlines():
            m = re.match(r"(\S+)\s+(\S+)\s+(-?\d+)\s+(\S+)\s+(.*)", line)
            if m:
                name, uri = m.group(1), m.group(4)
                out[name] = uri.replace("$", name)
        return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return Site(out, proc.returncode, proc.stdout + proc.stderr)


def test_the_reference_builds_without_a_warning(site: Site) -> None:
    warnings = [line for line in site.log.splitlines() if "WARNING" in line or "ERROR" in line]
    assert site.returncode == 0 and warnings == [], "mkdocs build --strict:\n" + site.log


def test_every_reference_page_is_in_the_navigation(site: Site) -> None:
    config = (ROOT / "mkdocs.yml").read_text()
    pages = sorted(p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md"))
    missing = [p for p in pages if p not in config]
    assert missing == [], f"add {missing} to the nav of mkdocs.yml"


@pytest.mark.parametrize("name", public_names())
def test_public_name_is_in_the_reference_with_one_example(site: Site, name: str) -> None:
    inventory = site.inventory()
    anchor = REFERENCE_PATH.get(name, name)
    assert anchor in inventory, f"{name} is not in the built reference: add '::: {anchor}'"
    blocks = examples(name)
    assert len(blocks) == 1, f"the docstring of {name} needs exactly one ```python example"
    text = docstring(name)
    assert re.search(r"^Examples:\s*$", text, re.MULTILINE), f"{name}: put it under Examples:"
    html = site.page(inventory[anchor])
    start = html.index(f'id="{anchor}"')
    section = html[start : start + 200_000]
    # the rendered Examples section of this object, before the next object's heading
    nxt = re.search(r'<div class="doc doc-object', section[1:])
    section = section[: nxt.start() + 1] if nxt else section
    assert "Examples" in section and "<code" in section, f"{name}: example not rendered"


def test_inventory_reader_reads_names_and_anchors(site: Site) -> None:
    inventory = site.inventory()
    assert inventory["sfnchain.prompt"].endswith("#sfnchain.prompt")


# --- commands -------------------------------------------------------------------------------


def cli_examples() -> dict[str, tuple[str, bool]]:
    """command -> (bash code, runnable) of each ``### Example: `sfnchain CMD` `` block."""
    text = CLI_PAGE.read_text()
    out: dict[str, tuple[str, bool]] = {}
    for m in re.finditer(
        r"^### Example: `sfnchain ([\w-]+)`\n\n(?:(<!--.*?-->)\n)?```bash\n(.*?)^```$",
        text,
        re.MULTILINE | re.DOTALL,
    ):
        command, marker, code = m.groups()
        assert command not in out, f"two examples of {command}"
        out[command] = (code, not (marker and _NOT_RUN.match(marker)))
    return out


def test_every_command_is_in_the_reference_with_an_example(site: Site) -> None:
    html = site.page("reference/cli/")
    found = cli_examples()
    for command in COMMANDS:
        assert f'id="sfnchain-{command}"' in html, f"{command} is not in the command reference"
        assert command in found, f"docs/reference/cli.md has no example of {command}"
    assert sorted(found) == sorted(COMMANDS), "an example names a command that does not exist"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_option_of_a_command_is_in_the_reference(site: Site, command: str) -> None:
    import html as html_lib
    import importlib

    import click

    module, attr = COMMANDS[command].split(":")
    cmd = getattr(importlib.import_module(module), attr)
    page = html_lib.unescape(site.page("reference/cli/"))
    start = page.index(f'id="sfnchain-{command}"')
    nxt = page.find('id="sfnchain-', start + 1)
    section = page[start : nxt if nxt > 0 else len(page)]
    options = [o for p in cmd.params if isinstance(p, click.Option) for o in p.opts]
    assert options, f"{command} has no option?"
    missing = [o for o in options if o not in section]
    assert missing == [], f"the reference of {command} lacks {missing}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _post(url: str, body: object = None) -> None:
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    urllib.request.urlopen(request, timeout=10).close()


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """moto's Step Functions server on a loopback port."""
    from moto.server import ThreadedMotoServer

    from tests.ship.moto_versions import versions_listed

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        # moto lacks ListStateMachineVersions, which deploy and rollback call; the server
        # runs in this process, so the ship tests' stand-in serves it
        with versions_listed():
            yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def endpoint(moto_endpoint: str) -> str:
    """The server with empty services (moto's backends are shared by the whole process:
    other tests' machines must not be there), running executions."""
    _post(f"{moto_endpoint}/moto-api/reset")
    _post(f"{moto_endpoint}/moto-api/config", {"stepfunctions": {"execute_state_machine": True}})
    return moto_endpoint


# Commands whose example cannot run here, each with the reason given in docs/reference/cli.md.
NOT_RUN: set[str] = set()


def test_only_the_stated_command_examples_are_left_out() -> None:
    left_out = {command for command, (_, runnable) in cli_examples().items() if not runnable}
    assert left_out == NOT_RUN


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - NOT_RUN))
def test_command_example_runs(command: str, endpoint: str, tmp_path: Path) -> None:
    code, runnable = cli_examples()[command]
    assert runnable
    shutil.copytree(ROOT / "workflows", tmp_path / "workflows")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SFNCHAIN_UPDATE"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        AWS_ENDPOINT_URL=endpoint,
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
    )
    proc = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"the example of {command} failed:\n{code}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
