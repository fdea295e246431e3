"""The pieces behind the fixtures: a live server whose app changes per test, and a page watcher."""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field

from werkzeug.serving import WSGIRequestHandler, make_server


class QuietRequestHandler(WSGIRequestHandler):
    """Requests go to the `vigie.live_server` log, which pytest shows only for a failed test."""

    def log(self, type: str, message: str, *args) -> None:
        getattr(logging.getLogger("vigie.live_server"), type)(message.rstrip(), *args)


class LiveServer:
    """A WSGI server whose application is swapped for each test's; answers 503 between tests."""

    def __init__(self):
        self.app = None
        self._active = 0
        self._idle = threading.Condition()
        self._server = make_server("127.0.0.1", 0, self, threaded=True,
                                   request_handler=QuietRequestHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="vigie-live-server", daemon=True)
        self._thread.start()

    def __call__(self, environ, start_response):
        app = self.app
        if app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"no test running"]
        with self._idle:
            self._active += 1
        try:
            return app(environ, start_response)
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float = 10) -> None:
        """Until no request is being served: the next test then empties the database safely."""
        with self._idle:
            self._idle.wait_for(lambda: self._active == 0, timeout)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


FAILED_LOAD = re.compile(r"^Failed to load resource: the server responded with a status of (\d+)")


@dataclass
class BrowserProblems:
    """What a page reported that a user would not see: console errors, exceptions, CSP violations.

    A document answered with a 4xx status (a refused login, a forbidden case) is behaviour the
    test asserts; Chromium's "Failed to load resource" for it is not counted. Anything else is,
    unless the test calls `allow(pattern)`.
    """

    console: list[tuple[str, str]] = field(default_factory=list)  # (text, url)
    exceptions: list[str] = field(default_factory=list)
    documents_4xx: set[str] = field(default_factory=set)
    allowed: list[re.Pattern] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def watch(self, page) -> None:
        page.on("console", lambda message: message.type == "error" and self.console.append(
            (message.text, message.location.get("url", ""))))
        page.on("pageerror", lambda error: self.exceptions.append(f"{error.name}: {error.message}"))
        page.on("response", self._response)

    def _response(self, response) -> None:
        if 400 <= response.status < 500 and response.request.is_navigation_request():
            self.documents_4xx.add(response.url)

    def report(self) -> str:
        csp, errors = [], []
        for text, url in self.console:
            if any(p.search(text) for p in self.allowed):
                continue
            failed = FAILED_LOAD.match(text)
            if failed and int(failed.group(1)) < 500 and url in self.documents_4xx:
                continue
            is_csp = "Content Security Policy" in text or text.startswith("Refused to")
            (csp if is_csp else errors).append(f"  - {text} ({url})")
        exceptions = [f"  - {e}" for e in self.exceptions if not any(p.search(e) for p in self.allowed)]
        parts = []
        for title, lines in (("Content-Security-Policy violations", csp), ("Console errors", errors),
                             ("Uncaught exceptions", exceptions)):
            if lines:
                parts.append(f"{title} :\n" + "\n".join(lines))
        return "\n".join(parts)
