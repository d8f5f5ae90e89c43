"""Test helpers for alerts: a real HTTP server on 127.0.0.1 that records what channels send."""
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RecordingServer:
    """Records every POST (path, query, headers, raw body, parsed JSON) and answers per path.

    ``answers`` maps a path to (status, JSON body); other paths get 200 ``{"errcode": 0}``.
    Use as a context manager; ``url(path)`` builds an address on it.
    """

    def __init__(self, answers=None):
        self.answers = answers or {}
        self.requests = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                parts = urllib.parse.urlsplit(self.path)
                server._record(parts.path, urllib.parse.parse_qs(parts.query), dict(self.headers), body)
                status, answer = server.answers.get(parts.path, (200, {"errcode": 0, "errmsg": "ok"}))
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _record(self, path, query, headers, body):
        try:
            parsed = json.loads(body.decode("utf-8"))
        except ValueError:
            parsed = None
        with self._lock:
            self.requests.append({"path": path, "query": query, "headers": headers, "body": body, "json": parsed})

    def url(self, path="/hook", query=""):
        host, port = self.httpd.server_address
        return f"http://{host}:{port}{path}" + (f"?{query}" if query else "")

    def received(self, path=None):
        with self._lock:
            return [r for r in self.requests if path is None or r["path"] == path]

    def wait_for(self, count, path=None, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received(path)) >= count:
                return self.received(path)
            time.sleep(0.1)
        raise AssertionError(f"expected {count} request(s) to {path or 'any path'}, got {len(self.received(path))}")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
