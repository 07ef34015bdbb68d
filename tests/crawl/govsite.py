"""A government site on 127.0.0.1, as the crawler meets them: a 年报 column, its pages and files.

Served by a thread of the test process, never the internet. The column is
GBK like many county sites (one list page declares UTF-8 in its header and
sends GBK all the same), paginated by the TRS CMS's ``createPageHTML``
script; it links a report page, a page that only wraps the report's PDF, a
plain-text attachment, a page robots.txt forbids, a page that is gone (404),
one that first answers 429, one that redirects off the site, and the same
report under a second URL. Every request is logged, with its validators.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "etl" / "samples"
ANNING = (SAMPLES / "002_0494dfef68de25df.txt").read_text(encoding="utf-8")
AHEQI = (SAMPLES / "000_a14c2c8461655229.txt").read_text(encoding="utf-8")
GAOTAI = (SAMPLES / "003_725222af666056f0.txt").read_text(encoding="utf-8")
HUAIAN_PDF = (SAMPLES / "pdf" / "huaian-city-2024.pdf").read_bytes()


def page(title: str, body: str, charset: str = "gbk") -> bytes:
    html = (
        f'<html><head><meta charset="{charset}"><title>{title}</title></head>'
        f"<body><div class='nav'>首页 &gt; 政务公开 &gt; 政府信息公开年报</div><h1>{title}</h1>{body}</body></html>"
    )
    return html.encode(
        "gb18030" if charset == "gbk" else charset
    )  # GBK sites send GB18030 for the odd character


def report_page(title: str, text: str, date: str) -> bytes:
    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
    return page(title, f"<div class='info'>发布时间：{date}</div><div class='content'>{paragraphs}</div>")


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html"
    status: int = 200
    etag: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    before: Callable[[], None] | None = None  # runs before answering (a slow page waits here)
    fail_first: int = 0  # answer 429 this many times first


class Site:
    """The routes, the request log, and the server on 127.0.0.1."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Site:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def asked(self, path: str) -> list[dict[str, str]]:
        """The headers of every request for ``path``."""
        with self.lock:
            return [headers for p, headers in self.log if p == path]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                try:
                    self._answer()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the crawler gave up (a timeout) or was killed (the resume test)

            def _answer(self) -> None:
                path = self.path.split("?")[0]
                with site.lock:
                    site.log.append((path, {k.lower(): v for k, v in self.headers.items()}))
                route = site.routes.get(path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Type", "text/html")
                    self.end_headers()
                    self.wfile.write(b"<html><body>404 Not Found</body></html>")
                    return
                if route.before is not None:
                    route.before()
                if route.fail_first > 0:
                    route.fail_first -= 1
                    self.send_response(429)
                    self.send_header("Retry-After", "0")
                    self.end_headers()
                    return
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self.send_response(304)
                    self.send_header("ETag", route.etag)
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                if route.etag:
                    self.send_header("ETag", route.etag)
                for key, value in route.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(route.body)

        return Handler


def column(site: Site) -> None:
    """The 年报 column of 某县人民政府, two list pages and what they link."""
    gbk = "text/html; charset=gbk"
    listing = (
        "<ul>"
        "<li><a href='a.html' title='安宁市人民政府2020年政府信息公开工作年度报告'>安宁市人民政府2020年政府信息公开...</a>"
        "<span>2021-02-02</span></li>"
        "<li><a href='b.html'>淮安市人民政府2024年政府信息公开工作年度报告</a><span>2025-01-24</span></li>"
        "<li><a href='/private/c.html'>内部2020年政府信息公开工作年度报告</a><span>2021-01-05</span></li>"
        "<li><a href='gone.html'>某县2019年政府信息公开工作年度报告</a><span>2020-01-10</span></li>"
        "<li><a href='news.html'>县长调研春耕生产</a><span>2021-03-01</span></li>"
        "</ul>"
        '<script>createPageHTML(2, 0, "index", "html");</script>'
    )
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", "text/plain")
    site.routes["/nb/index.html"] = Route(page("政府信息公开年报", listing), gbk, etag='"list-1"')
    second = (
        "<ul>"
        "<li><a href='/files/aheqi.txt'>阿合奇县人民政府办公室2020年政府信息公开工作年度报告.txt</a>"
        "<span>2021/1/30</span></li>"
        "<li><a href='busy.html'>高台县2016年政府信息公开工作年度报告</a><span>2017年3月7日</span></li>"
        "<li><a href='away.html'>外站2022年政府信息公开工作年度报告</a><span>2023-01-01</span></li>"
        "<li><a href='copy.html'>安宁市人民政府2020年政府信息公开工作年度报告（转载）</a></li>"
        "</ul>"
    )
    # the header says UTF-8, the bytes are GBK: the links must be read all the same
    site.routes["/nb/index_1.html"] = Route(
        page("政府信息公开年报", second), "text/html; charset=utf-8", etag='"list-2"'
    )
    a = report_page("安宁市人民政府2020年政府信息公开工作年度报告", ANNING, "2021-02-02")
    site.routes["/nb/a.html"] = Route(a, gbk, etag='"a-1"')
    site.routes["/nb/copy.html"] = Route(a, gbk)  # the same bytes under a second URL
    site.routes["/nb/b.html"] = Route(
        page(
            "淮安市人民政府2024年政府信息公开工作年度报告",
            "<p>发布时间：2025-01-24</p><p>附件：<a href='/files/huaian-2024.pdf'>淮安市人民政府2024年政府信息公开工作年度报告.pdf</a></p>",
        ),
        gbk,
    )
    site.routes["/files/huaian-2024.pdf"] = Route(HUAIAN_PDF, "application/pdf", etag='"pdf-1"')
    site.routes["/files/aheqi.txt"] = Route(AHEQI.encode("utf-8"), "text/plain; charset=utf-8")
    site.routes["/nb/busy.html"] = Route(
        report_page("高台县2016年政府信息公开工作年度报告", GAOTAI, "2017-03-07"), gbk, fail_first=1
    )
    site.routes["/private/c.html"] = Route(report_page("内部", ANNING, "2021-01-05"), gbk)
    site.routes["/nb/away.html"] = Route(
        b"", status=302, headers={"Location": f"http://localhost:{site.port}/x.html"}
    )
    site.routes["/nb/news.html"] = Route(page("县长调研春耕生产", "<p>新闻</p>"), gbk)


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.1)
