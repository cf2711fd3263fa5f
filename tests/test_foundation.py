"""Foundation: settings validation, the flagship site builds strictly, and it works in Chromium."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from refsite.config import Settings, SettingsError, parse_settings


@pytest.mark.parametrize("raw, message", [
    ({"bibliography": 3}, r"plugins\.refsite\.bibliography: expected a glob or a list of globs"),
    ({"bibliograhpy": ["x.bib"]}, r"plugins\.refsite\.bibliograhpy: unknown setting"),
    ({"link_terms": "sometimes"}, r"plugins\.refsite\.link_terms: expected 'first' or 'all'"),
    ({"nocite": "yes"}, r"plugins\.refsite\.nocite: expected true or false"),
    ({"glossary": ["a.yml"]}, r"plugins\.refsite\.glossary: expected a path"),
    ("bibliography/*.bib", r"plugins\.refsite: expected a mapping"),
])
def test_wrong_setting_names_it(raw, message):
    with pytest.raises(SettingsError, match=message):
        parse_settings(raw)


def test_settings_defaults_and_normalisation():
    assert parse_settings(None) == Settings()
    settings = parse_settings({"bibliography": "refs/*.bib", "glossary_dir": "/terms/"})
    assert settings.bibliography == ("refs/*.bib",)
    assert settings.glossary_dir == "terms"


def _build_output(root):
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / "site")],
                            cwd=root, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("settings, messages", [
    ({"style": 12, "bibliography": [3]},
     [r"Plugin 'refsite' option 'style': expected an official CSL style name or a path to a .csl file, got 12",
      r"Plugin 'refsite' option 'bibliography': expected a glob or a list of globs, got \[3\]"]),
    ({"bibliograhpy": ["x.bib"]}, [r"Plugin 'refsite' option 'bibliograhpy': unknown setting \(known: bibliography, "]),
    ({"style": "chicago-author-dat"}, [r"plugins\.refsite\.style: unknown style 'chicago-author-dat' "
                                       r"\(closest official styles: chicago-author-date"]),
])
def test_wrong_setting_stops_the_build_with_errors_naming_each_key(tmp_path, settings, messages):
    from conftest import write_site

    root = write_site(tmp_path / "s", {"content/index.md": "# Home\n"}, {"refsite": settings})
    code, output = _build_output(root)
    assert code != 0
    for message in messages:
        assert re.search(message, output), output
    assert not (root / "site" / "index.html").exists()


def test_settings_left_under_extra_are_an_error_that_says_where_they_go(tmp_path):
    from conftest import write_site

    root = write_site(tmp_path / "s", {"content/index.md": "# Home\n"}, {"extra": {"refsite": {"style": "apa"}}})
    code, output = _build_output(root)
    assert code != 0 and "extra.refsite: refsite's settings now go under the plugin" in output, output


def test_flagship_builds_strictly(flagship_site):
    assert flagship_site.warnings == []
    home = flagship_site.soup("")
    assert home.select_one("h1") is not None
    for page in ("summaries/introduction/", "bibliography/", "glossary/"):
        assert flagship_site.path(page).exists(), page


@pytest.mark.browser
def test_home_search_and_instant_navigation(served_flagship, page):
    served = served_flagship
    page.goto(served.url)
    page.wait_for_load_state("networkidle")  # instant navigation is ready once sitemap.xml is in
    assert page.locator("article h1").first.is_visible()
    # Search: a word from a summary page returns a result.
    page.keyboard.press("/")
    page.locator("input.md-search__input").type("decoupling", delay=20)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=15000)
    assert results.count() > 0
    page.keyboard.press("Escape")
    # Instant navigation: clicking a nav link swaps content without a full load.
    page.evaluate("window.__marker = 42")
    page.locator("nav.md-tabs a, nav.md-nav a").filter(has_text=re.compile("Bibliography")).first.click()
    page.wait_for_url(re.compile(r"bibliography/"))
    page.locator("article h1").filter(has_text="Bibliography").wait_for()
    assert page.evaluate("window.__marker") == 42, "navigation reloaded the page (instant navigation off?)"
    assert page.js_errors == []
