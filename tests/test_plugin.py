"""refsite as a MkDocs plugin: installed with pip into another site, finishing pages in on_env so that
later plugins keep their output, writing every file through MkDocs, keeping pages' characters."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, build, copy_flagship

FOREIGN = Path(__file__).resolve().parent / "data" / "foreign"
ENGINE = ROOT / "hooks" / "refsite"

LATER_HOOK = '''
from mkdocs.plugins import event_priority

SEEN = []


@event_priority(-100)          # where Material's privacy plugin runs: after every other plugin
def on_post_page(output, page, config):
    return output.replace("</body>", '<span id="later-plugin">later</span></body>', 1)


@event_priority(-100)
def on_post_build(config):
    # What MkDocs knows it wrote: every documentation page and every File of the collection.
    with open(config.site_dir + "/../files-seen.txt", "w", encoding="utf-8") as handle:
        handle.write("\\n".join(SEEN))


@event_priority(-100)
def on_env(env, config, files):
    SEEN.extend(f.dest_uri for f in files)
    return env
'''


@pytest.fixture(scope="module")
def flagship_with_later_hook(tmp_path_factory):
    root = copy_flagship(tmp_path_factory.mktemp("later") / "site")
    (root / "later_hook.py").write_text(LATER_HOOK, encoding="utf-8")
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["hooks"] = ["later_hook.py"]
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return build(root)


def _html_pages(site: Path):
    return sorted(p for p in site.rglob("*.html"))


def test_a_later_plugins_output_survives_on_every_page(flagship_with_later_hook):
    pages = _html_pages(flagship_with_later_hook.site)
    assert len(pages) > 50          # authored pages, bibliography, glossary index and term pages
    missing = [p.relative_to(flagship_with_later_hook.site).as_posix() for p in pages
               if p.name != "404.html" and '<span id="later-plugin">later</span>' not in p.read_text(encoding="utf-8")]
    assert missing == []


def test_every_output_file_is_a_mkdocs_file(flagship_with_later_hook):
    site = flagship_with_later_hook.site
    seen = set((site.parent / "files-seen.txt").read_text(encoding="utf-8").split("\n"))
    # Written by MkDocs' own templates and the search plugin, not by refsite.
    theirs = {"sitemap.xml", "sitemap.xml.gz", "404.html", "search/search_index.json"}
    written = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert {"bibliography.bib", "bibliography.ris", "bibliography.json", "refsite/refsite.js",
            "references-summaries-decoupling.bib"} <= seen
    assert written - seen - theirs == set()


def test_the_engine_writes_no_file_and_patches_no_template():
    """Every output file goes through MkDocs; no module opens a file for writing or touches Jinja."""
    offenders = []
    for path in sorted(ENGINE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"open\([^)]*['\"][wa]b?['\"]", r"\.write_(text|bytes)\(", r"site_dir",
                        r"import jinja2|from jinja2", r"\bos\.makedirs\b"):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert offenders == []


def test_pages_keep_their_characters(flagship_with_later_hook):
    """No page is rewritten with character references: typographic quotes stay characters (markup
    escapes such as &#39; for an apostrophe in an attribute are escaping, not rewriting)."""
    refs = {}
    for page in _html_pages(flagship_with_later_hook.site):
        numbers = re.findall(r"&#(x[0-9a-fA-F]+|[0-9]+);", page.read_text(encoding="utf-8"))
        count = sum(1 for n in numbers if (int(n[1:], 16) if n.startswith("x") else int(n)) > 0xFF)
        if count:
            refs[page.name] = count
    assert refs == {}
    text = flagship_with_later_hook.read("bibliography")
    assert "\u201c" in text and "\u2019" in text


@pytest.mark.slow
def test_pip_install_of_the_checkout_gives_a_plugin_for_a_foreign_site(tmp_path):
    """A fresh virtual environment, `pip install <checkout>`, and an unrelated site with
    `plugins: [search, refsite]` (default MkDocs theme) builds strictly with its citations."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT, checkout, ignore=shutil.ignore_patterns(
        ".venv", ".git", "site", "*.egg-info", "__pycache__", ".pytest_cache", "work", ".hypothesis"))
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                              str(checkout)], capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stdout + install.stderr
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format=freeze"], capture_output=True,
                            text=True, check=True).stdout.lower()
    assert "refsite==" in listed and "pybtex==" in listed
    for test_only in ("pytest", "playwright", "hypothesis", "beautifulsoup4", "mkdocs-material"):
        assert f"\n{test_only}==" not in "\n" + listed, test_only
    site = tmp_path / "foreign"
    shutil.copytree(FOREIGN, site)
    result = subprocess.run([str(python), "-m", "mkdocs", "build", "--strict"], cwd=site, capture_output=True,
                            text=True, timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    home = BeautifulSoup((site / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    cites = [" ".join(c.get_text().split()) for c in home.select("span.refsite-cite")]
    assert cites == ["Field (2001)", "(see River and Stone 2010, 4)"]
    assert [p["data-key"] for p in home.select(".refsite-references .refsite-ref")] == ["field2001", "river2010"]
    assert (site / "site" / "bibliography" / "index.html").exists()
    assert "@book{field2001" in (site / "site" / "bibliography.bib").read_text(encoding="utf-8")
    assert textwrap.dedent("refsite/refsite.js") in (site / "site" / "index.html").read_text(encoding="utf-8")
