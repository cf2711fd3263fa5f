"""Accessibility: axe-core (from the npm registry, installed into tests/.cache on first use) finds no
serious or critical violation on the flagship's main page kinds, in the light and the dark scheme;
cards open and close with the keyboard alone."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

AXE_VERSION = "4.10.2"
CACHE = Path(__file__).resolve().parent / ".cache"
AXE = CACHE / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["", "summaries/china-era-of-algorithms/", "bibliography/", "glossary/", "glossary/big-data/"]


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE.exists() or json.loads((AXE.parent / "package.json").read_text())["version"] != AXE_VERSION:
        npm = shutil.which("npm")
        assert npm, "npm is needed to install axe-core (bash .ci/run installs it)"
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--prefix", str(CACHE), "--no-save", "--no-audit", "--no-fund",
                        f"axe-core@{AXE_VERSION}"], check=True, capture_output=True, timeout=300)
    assert AXE.exists()
    return AXE


def _violations(page, axe_script):
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations'], elementRef: true});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                       ours: !!(n.element && n.element.closest(
                                           'article.md-content__inner, #refsite-card, [class*="refsite-"]')),
                                       summary: (n.failureSummary || '').slice(0, 300)}))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_or_critical_axe_violations(flagship_site, serve, browser, axe_script, scheme):
    served = serve(flagship_site.site)
    context = browser.new_context(color_scheme=scheme)
    try:
        page = context.new_page()
        report, chrome = [], []
        for url in PAGES:
            assert flagship_site.path(url).exists(), url
            page.goto(served.url + url)
            page.wait_for_load_state("load")
            expected = "slate" if scheme == "dark" else "default"
            assert page.get_attribute("body", "data-md-color-scheme") == expected
            for v in _violations(page, axe_script):
                for node in v["nodes"]:
                    line = (f"[{scheme}] /{url} {v['impact']} {v['id']} ({v['help']}): "
                            f"{node['target']} {node['html']!r} {node['summary']}")
                    (report if node["ours"] else chrome).append(line)
        # The theme's chrome (header, tabs, search dialog, footer) is Material's, fixed by refsite's
        # stylesheet and script; it is asserted like the content.
        print(f"\n{len(chrome)} serious/critical violations in Material's chrome:\n" + "\n".join(chrome))
        print(f"\n{len(report)} in the content:\n" + "\n".join(report))
        assert not report, f"{len(report)} serious/critical axe violations:\n" + "\n".join(report)
        assert not chrome, f"{len(chrome)} serious/critical axe violations in the chrome:\n" + "\n".join(chrome)
    finally:
        context.close()


def _tab_to(page, selector: str, limit: int = 500) -> bool:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("sel => !!(document.activeElement && document.activeElement.matches(sel))", selector):
            return True
    return False


@pytest.mark.browser
@pytest.mark.parametrize("selector", ["a.refsite-cite__ref", "a.refsite-term[data-term-slug]"])
def test_card_opens_and_closes_with_the_keyboard(flagship_site, serve, page, selector):
    """The card is a non-modal dialog (it holds links and buttons): focus on the citation or term
    opens it, Tab moves into it, Escape closes it and gives the focus back."""
    served = serve(flagship_site.site)
    page.goto(served.url + "summaries/china-era-of-algorithms/")
    page.wait_for_load_state("load")
    assert page.locator(selector).count() > 0
    assert _tab_to(page, selector), f"Tab never reached {selector}"
    card = page.locator("#refsite-card")
    card.wait_for(state="visible", timeout=3000)
    assert card.get_attribute("role") == "dialog"
    assert card.get_attribute("aria-label")
    assert page.evaluate("document.activeElement.getAttribute('aria-expanded')") == "true"
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "refsite-card"
    assert card.text_content().strip()
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('#refsite-card')"), "Tab did not reach the card"
    page.keyboard.press("Escape")
    card.wait_for(state="hidden", timeout=3000)
    # Focus is back on the link, so the reader goes on from where they were.
    assert page.evaluate("sel => document.activeElement.matches(sel)", selector) is True
    assert page.evaluate("document.activeElement.getAttribute('aria-expanded')") == "false"
    assert page.js_errors == []
