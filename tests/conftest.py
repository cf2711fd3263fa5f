"""Shared fixtures: build real sites in temporary folders, serve them, drive Debian Chromium."""
from __future__ import annotations

import functools
import http.server
import logging
import os
import re
import shutil
import socket
import textwrap
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytest_plugins = ()
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = Path(__file__).resolve().parent / "scenarios"
SHARED = ROOT.parent / "shared"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

BASE_CONFIG = {
    "site_name": "Scenario",
    "site_url": "https://example.org/scenario/",
    "docs_dir": "content",
    "theme": {"name": "material", "font": False, "features": ["navigation.instant", "content.tooltips"]},
    "plugins": ["search"],
    "markdown_extensions": ["toc", "admonition", "attr_list", "md_in_html", "footnotes", "tables",
                            "def_list", "pymdownx.superfences", "pymdownx.details"],
    "validation": {"links": {"not_found": "warn", "anchors": "warn", "absolute_links": "warn",
                             "unrecognized_links": "warn"}},
    # Test convention: a top-level "refsite" mapping holds the plugin's settings; ``site_config``
    # moves it into ``plugins`` (after "search" and any other plugin the test lists).
    "refsite": {"bibliography": ["bibliography/*.bib"]},
}


def site_config(base: dict, extra: dict | None = None) -> dict:
    """``base`` merged with ``extra``, with the test convention's "refsite" settings merged into the
    plugin's entry in ``plugins`` (a scenario's mkdocs.yml may list ``- refsite: {...}`` itself)."""
    merged = _merge(base, extra or {})
    settings = dict(merged.pop("refsite", None) or {})
    plugins = []
    for plugin in merged.get("plugins", []):
        if isinstance(plugin, dict) and "refsite" in plugin:
            settings.update(plugin["refsite"] or {})
        elif plugin != "refsite":
            plugins.append(plugin)
    merged["plugins"] = plugins + [{"refsite": settings}]
    return merged


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record):
        self.records.append(record.getMessage())


@dataclass
class BuiltSite:
    root: Path
    site: Path
    warnings: list[str] = field(default_factory=list)

    def path(self, page: str) -> Path:
        page = page.strip("/")
        candidate = self.site / page
        if candidate.is_dir() or page == "":
            candidate = candidate / "index.html"
        return candidate

    def read(self, page: str) -> str:
        return self.path(page).read_text(encoding="utf-8")

    def soup(self, page: str) -> BeautifulSoup:
        return BeautifulSoup(self.read(page), "html.parser")

    def article(self, page: str):
        return self.soup(page).select_one("article.md-content__inner")


def write_site(root: Path, files: dict[str, str], config: dict | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    merged = site_config(BASE_CONFIG, config)
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        data = text if isinstance(text, bytes) else textwrap.dedent(text).lstrip("\n").encode("utf-8")
        target.write_bytes(data)
    if "mkdocs.yml" not in files:
        (root / "mkdocs.yml").write_text(yaml.safe_dump(merged, allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")
    return root


def _merge(base, extra):
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def build(root: Path, *, strict: bool = True, expect: tuple[str, ...] = ()) -> BuiltSite:
    """Build the site at ``root`` in-process. Every warning must match one of the ``expect``
    regexes and every ``expect`` must match a warning; otherwise the test fails."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    collector = _Collector()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    site_dir = root / "site"
    try:
        cwd = os.getcwd()
        os.chdir(root)
        try:
            cfg = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(site_dir), strict=False)
            mkdocs_build(cfg)
        finally:
            os.chdir(cwd)
    finally:
        logger.removeHandler(collector)
    built = BuiltSite(root, site_dir, collector.records)
    unexpected = [w for w in built.warnings if not any(re.search(p, w) for p in expect)]
    assert not unexpected, "unexpected warnings:\n" + "\n".join(unexpected)
    missing = [p for p in expect if not any(re.search(p, w) for w in built.warnings)]
    assert not missing, f"expected warnings not produced: {missing}\nwarnings: {built.warnings}"
    if strict:
        assert not built.warnings
    return built


@pytest.fixture
def make_site(tmp_path):
    """make_site(files, config=None, expect=()) -> BuiltSite, built in a fresh temporary folder."""
    counter = [0]

    def _make(files: dict[str, str], config: dict | None = None, expect: tuple[str, ...] = ()):
        counter[0] += 1
        root = write_site(tmp_path / f"site{counter[0]}", files, config)
        return build(root, expect=expect, strict=not expect)

    return _make


@pytest.fixture
def scenario(tmp_path):
    """scenario(name, expect=()) copies tests/scenarios/<name> to a temp folder and builds it."""
    def _build(name: str, expect: tuple[str, ...] = (), config: dict | None = None):
        root = tmp_path / name
        shutil.copytree(SCENARIOS / name, root)
        if True:  # a scenario's own mkdocs.yml holds only what differs from BASE_CONFIG
            existing = yaml.safe_load((root / "mkdocs.yml").read_text()) if (root / "mkdocs.yml").exists() else {}
            merged = site_config(_merge(BASE_CONFIG, existing or {}), config)
            (root / "mkdocs.yml").write_text(yaml.safe_dump(merged, allow_unicode=True, sort_keys=False))
        return build(root, expect=expect, strict=not expect)
    return _build


# -- browser ---------------------------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@dataclass
class Served:
    url: str
    site: Path




def serve_dir(directory: Path):
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def serve():
    servers = []

    def _serve(directory: Path) -> Served:
        server = serve_dir(directory)
        servers.append(server)
        host, port = server.server_address[:2]
        return Served(f"http://127.0.0.1:{port}/", Path(directory))

    yield _serve
    for server in servers:
        server.shutdown()
        server.server_close()


def watch_errors(pg):
    """Collect the page's JS exceptions and console errors in ``pg.js_errors``."""
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.js_errors = errors
    return pg


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield watch_errors(context.new_page())
    context.close()


def copy_flagship(target: Path, site_url: str | None = None) -> Path:
    """Copy the repo's site (config, content, bibliography) into ``target``; the plugin is the
    installed ``refsite`` package."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "content", "bibliography"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, target / name)
    if site_url:        # the flagship sets none (it is not deployed anywhere)
        text = (target / "mkdocs.yml").read_text(encoding="utf-8")
        text = re.sub(r"(?m)^site_url:.*\n", "", text)
        (target / "mkdocs.yml").write_text(f"site_url: {site_url}\n" + text, encoding="utf-8")
    return target


def flagship_in_style(target: Path, style: str) -> Path:
    """The repo's site copied to ``target`` with another CSL style."""
    copy_flagship(target)
    config = yaml.safe_load((target / "mkdocs.yml").read_text(encoding="utf-8"))
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "refsite" in plugin:
            plugin["refsite"]["style"] = style
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                                       encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def flagship_site(tmp_path_factory) -> BuiltSite:
    """The repo's own site, built once per session; any warning fails."""
    return build(copy_flagship(tmp_path_factory.mktemp("flagship")))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_dir_on(directory: Path, port: int):
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def served_flagship(tmp_path_factory):
    """The flagship site built with site_url = where it is served (Material's instant navigation
    only intercepts links listed in sitemap.xml for the serving host and port)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    built = build(copy_flagship(tmp_path_factory.mktemp("flagship-served"), url))
    server = serve_dir_on(built.site, port)
    yield Served(url, built.site)
    server.shutdown()
    server.server_close()
