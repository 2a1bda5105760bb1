"""moto's server mode with the oracle's adapter, in a process of its own.

``python -m tests.engine_diff.moto_oracle.server`` starts the server on a free loopback
port, prints its URL on one line and serves until its standard input closes. Like a Step
Functions Local container it reads the MockConfigFile named by ``SFN_MOCK_CONFIG`` (read
again at every StartExecution, so a test may write the file after the server started).

:func:`oracle_server` runs it for a test: the adapter's patches stay in that process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


@contextmanager
def oracle_server(mock_config: Path) -> Iterator[str]:
    """The URL of a fresh server reading ``mock_config`` (stopped on leaving the block)."""
    env = {
        **os.environ,
        "SFN_MOCK_CONFIG": str(mock_config),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.engine_diff.moto_oracle.server"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env=env,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://"), f"the oracle server did not start ({url!r})"
        yield url
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> None:
    from moto.core.config import default_user_config
    from moto.server import ThreadedMotoServer

    from tests.engine_diff import moto_oracle

    moto_oracle.install()
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    # the interpreter calls DynamoDB and S3 through the same server
    os.environ["MOTO_PORT"] = str(port)
    print(f"http://{host}:{port}", flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
