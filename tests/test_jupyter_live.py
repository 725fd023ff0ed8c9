"""JupyterLab for real: a Jupyter server on 127.0.0.1 (free port, token), a kernel of the
project's kernelspec started through the server's REST API, the helpers package imported and
the extracted data loaded in it over the kernel's websocket, then everything shut down."""
from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from helpers import paths, pipeline

pytestmark = pytest.mark.slow
JUPYTER = Path(sys.executable).with_name("jupyter")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base, token, method, path, body=None):
    req = urllib.request.Request(f"{base}{path}", method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        text = resp.read().decode()
        return json.loads(text) if text else None


def _execute(ws_url: str, code: str, timeout: float = 120) -> str:
    """Run ``code`` in the kernel through its websocket channel; return its stdout text."""
    from tornado.ioloop import IOLoop
    from tornado.websocket import websocket_connect

    async def run():
        conn = await websocket_connect(ws_url)
        msg_id = uuid.uuid4().hex
        conn.write_message(json.dumps({
            "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        out, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            raw = await conn.read_message()
            assert raw is not None, "websocket closed"
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "stream":
                out.append(msg["content"]["text"])
            elif kind == "error":
                raise AssertionError(f"{msg['content']['ename']}: {msg['content']['evalue']}")
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                break
        conn.close()
        return "".join(out)

    return IOLoop.current().run_sync(run)


def test_kernel_through_jupyter_server_loads_helpers_and_data(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_TOKEN": token, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    server = subprocess.Popen(
        [str(JUPYTER), "server", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--ServerApp.port_retries=0", f"--ServerApp.root_dir={paths.ROOT}"]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        cwd=paths.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                _api(base, token, "GET", "/api/status")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("Jupyter server did not start")
        with pytest.raises(urllib.error.HTTPError) as denied:  # token authentication is on
            urllib.request.urlopen(f"{base}/api/kernels", timeout=10)
        assert denied.value.code == 403
        specs = _api(base, token, "GET", "/api/kernelspecs")
        assert pipeline.KERNEL_NAME in specs["kernelspecs"]
        kernel = _api(base, token, "POST", "/api/kernels", {"name": pipeline.KERNEL_NAME})
        ws = f"ws://127.0.0.1:{port}/api/kernels/{kernel['id']}/channels?token={token}"
        out = _execute(ws, "import helpers\nfrom helpers.review import load_review\n"
                           "r = load_review('data')\nprint(helpers.__name__, len(r.tables['values']) > 500, "
                           "sorted(r.tables)[0])")
        assert out.strip() == "helpers True claims", out
        _api(base, token, "DELETE", f"/api/kernels/{kernel['id']}")
        assert _api(base, token, "GET", "/api/kernels") == []
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server.returncode == 0, f"the server did not shut down cleanly on SIGTERM (exit {server.returncode})"
    with pytest.raises(OSError):  # and nothing listens on its port any more
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
