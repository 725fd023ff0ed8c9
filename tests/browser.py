"""A small headless-Chromium client over the DevTools protocol (pipe transport, no extra package).

Chromium is started with ``--remote-debugging-pipe``: it reads JSON commands, each ended by a NUL
byte, on file descriptor 3 and writes replies and events on descriptor 4. No port, no websocket.

    with Browser() as b:
        page = b.open(Path("outputs/report.html"))
        page["console_errors"], page["images"], page["hrefs"], page["ids"]
        b.screenshot(Path("build/report.png"))

Used by tests/test_browser.py and benchmarks/bench_report.py. Chromium is the Debian package
``chromium`` (``make browser`` installs it when run as root).
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

INSTALL_HINT = ("headless Chromium is needed for the browser test: install the Debian package "
                "with `make browser` (as root: apt-get update && apt-get install -y chromium fonts-wqy-microhei), "
                "or set CHROMIUM=/path/to/chromium")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
         "--disable-extensions", "--mute-audio", "--hide-scrollbars", "--remote-debugging-pipe"]

#: what a page reports about itself once loaded (run in the page, returns plain JSON)
INSPECT = """(() => {
  const imgs = [...document.images].map(i => ({src: i.currentSrc.slice(0, 60), ok: i.complete && i.naturalWidth > 0}));
  const hrefs = [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'));
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const nav = performance.getEntriesByType('navigation')[0];
  return {title: document.title, lang: document.documentElement.lang, images: imgs, hrefs: hrefs, ids: ids,
          load_ms: nav ? nav.loadEventEnd - nav.startTime : null, text_length: document.body.innerText.length};
})()"""


def find_chromium() -> str | None:
    """Path of a Chromium executable (``$CHROMIUM``, else ``chromium`` / ``chromium-browser`` on PATH)."""
    env = os.environ.get("CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserError(RuntimeError):
    pass


class Browser:
    """One headless Chromium with one page (tab), driven over the DevTools pipe."""

    def __init__(self, executable: str | None = None, width: int = 1200, height: int = 900, timeout: float = 30.0):
        self.executable = executable or find_chromium()
        if not self.executable:
            raise BrowserError(INSTALL_HINT)
        self.width, self.height, self.timeout = width, height, timeout
        self._next = 0
        self._buf = b""
        self.events: list[dict] = []

    # -- process and transport ---------------------------------------------------------
    def __enter__(self) -> "Browser":
        self._profile = tempfile.mkdtemp(prefix="chromium-profile-")
        self._log = open(Path(self._profile).parent / (Path(self._profile).name + ".log"), "wb")
        to_child_r, self._to_child_w = os.pipe()
        self._from_child_r, from_child_w = os.pipe()

        def _fds():  # in the child: the protocol's descriptors 3 (commands in) and 4 (replies out)
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        self.proc = subprocess.Popen(
            [self.executable, *FLAGS, f"--user-data-dir={self._profile}",
             f"--window-size={self.width},{self.height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log,
            preexec_fn=_fds, close_fds=False)
        os.close(to_child_r)
        os.close(from_child_w)
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False})
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._write({"id": self._new_id(), "method": "Browser.close"})
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        finally:
            os.close(self._to_child_w)
            os.close(self._from_child_r)
            self._log.close()
            Path(self._log.name).unlink(missing_ok=True)
            shutil.rmtree(self._profile, ignore_errors=True)

    def _new_id(self) -> int:
        self._next += 1
        return self._next

    def _write(self, msg: dict) -> None:
        os.write(self._to_child_w, json.dumps(msg).encode() + b"\0")

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            if time.monotonic() > deadline:
                raise BrowserError("no answer from Chromium within the timeout")
            chunk = os.read(self._from_child_r, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium closed the DevTools pipe (exit code {self.proc.poll()})")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def _call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        msg_id = self._new_id()
        msg = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self._write(msg)
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def send(self, method: str, params: dict | None = None) -> dict:
        """A command to the page's session; returns its result."""
        return self._call(method, params, self.session)

    def wait_event(self, method: str) -> dict:
        deadline = time.monotonic() + self.timeout
        for i, ev in enumerate(self.events):
            if ev.get("method") == method:
                return self.events.pop(i)
        while True:
            ev = self._read(deadline)
            if ev.get("method") == method:
                return ev
            self.events.append(ev)

    # -- what a test asks --------------------------------------------------------------
    def evaluate(self, expression: str):
        res = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in res:
            raise BrowserError(f"evaluate: {res['exceptionDetails']}")
        return res["result"].get("value")

    def open(self, path: Path | str) -> dict:
        """Load a local file and return what it reports (see INSPECT) plus console errors and load time."""
        url = Path(path).resolve().as_uri() if "://" not in str(path) else str(path)
        self.events.clear()
        t0 = time.perf_counter()
        nav = self.send("Page.navigate", {"url": url})
        if nav.get("errorText"):
            raise BrowserError(f"{url}: {nav['errorText']}")
        self.wait_event("Page.loadEventFired")
        wall = time.perf_counter() - t0
        info = self.evaluate(INSPECT)
        info["url"] = url
        info["wall_s"] = wall
        info["console_errors"] = self.console_errors()
        return info

    def console_errors(self) -> list[str]:
        """Console errors, uncaught exceptions and failed loads reported since the last :meth:`open`."""
        out = []
        for ev in self.events:
            m, p = ev.get("method"), ev.get("params", {})
            if m == "Runtime.exceptionThrown":
                out.append(p["exceptionDetails"].get("text", "exception"))
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
                out.append(f"{p['entry'].get('source')}: {p['entry'].get('text')} {p['entry'].get('url', '')}".strip())
        return out

    def screenshot(self, path: Path | str, full_page: bool = False) -> Path:
        """Save a PNG of the viewport (or of the whole page, capped at 10 000 px high)."""
        params = {"format": "png"}
        if full_page:
            h = min(int(self.evaluate("document.documentElement.scrollHeight")), 10000)
            params["clip"] = {"x": 0, "y": 0, "width": self.width, "height": h, "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params)["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def goto_fragment(self, fragment: str) -> None:
        """Scroll to ``#fragment`` of the current page as a reader's click would."""
        self.evaluate(f"location.hash = {json.dumps(fragment)}; true")
