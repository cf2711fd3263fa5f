"""In-process measurements for the refsite benchmark; run by run.py in a fresh interpreter per mode.

  inprocess.py profile <a.yml> <out.pstats>   one build under cProfile; tottime shares by module group
  inprocess.py pages   <a.yml>                 one build with per-page and per-event timings + a stack
                                               sampler (inclusive share of time with our code on the stack)
  inprocess.py serve   <x.yml>                 `mkdocs serve` flow: startup + build, then 3 x (one-line
                                               edit, fresh load_config, build); rebuild times
  inprocess.py tugboat <file.bib>              load_bibliography + Formatter.reference_list on all keys
  inprocess.py bibpage <site dir>              the built bibliography page: its size, and in Chromium
                                               (Playwright) its load and render times, the filter box

Each mode prints one JSON line (the last line of stdout).
"""
from __future__ import annotations

import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
HOOKS = os.path.join(REPO, "hooks")
OURS = (os.path.join(HOOKS, "refsite") + os.sep, os.path.join(HOOKS, "refsite", "plugin.py"))
PYBTEX = (os.sep + "pybtex" + os.sep, os.sep + "latexcodec" + os.sep)

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def group_of(filename: str) -> str:
    if filename.startswith(OURS[0]) or filename == OURS[1]:
        return "ours"
    if any(p in filename for p in PYBTEX):
        return "pybtex"
    for name in ("markdown", "pymdownx", "material", "mkdocs", "jinja2", "pygments", "yaml", "babel",
                 "backrefs", "re", "html"):
        if f"{os.sep}{name}{os.sep}" in filename:
            return name
    return "other"


def _build(yml: str, site_dir: str, **kw):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    cfg = load_config(yml, site_dir=site_dir)
    build(cfg, **kw)
    return cfg


# ------------------------------------------------------------------------------------------ profile
def mode_profile(yml: str, out: str) -> dict:
    import cProfile
    import pstats
    site = tempfile.mkdtemp(prefix="refsite-prof-")
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    _build(yml, site)
    prof.disable()
    wall = time.perf_counter() - t0
    prof.dump_stats(out)
    st = pstats.Stats(prof)
    groups: dict[str, float] = {}
    total = 0.0
    ours_funcs = []
    for (filename, line, func), (cc, nc, tt, ct, callers) in st.stats.items():
        g = group_of(filename)
        groups[g] = groups.get(g, 0.0) + tt
        total += tt
        if g in ("ours", "pybtex"):
            ours_funcs.append((tt, ct, nc, f"{os.path.relpath(filename, REPO) if g == 'ours' else filename.split('site-packages/')[-1]}:{line}({func})"))
    ours_funcs.sort(reverse=True)
    cum = sorted(((ct, tt, nc, f"{os.path.relpath(fn, REPO)}:{ln}({fu})")
                  for (fn, ln, fu), (cc, nc, tt, ct, _c) in st.stats.items() if group_of(fn) == "ours"),
                 reverse=True)
    return {"wall_profiled": wall, "total_tottime": total, "groups": groups,
            "ours_share": groups.get("ours", 0.0) / total, "pybtex_share": groups.get("pybtex", 0.0) / total,
            "ours_plus_pybtex_share": (groups.get("ours", 0.0) + groups.get("pybtex", 0.0)) / total,
            "top_tottime": [{"tottime": t, "cumtime": c, "calls": n, "func": f} for t, c, n, f in ours_funcs[:20]],
            "top_cumtime": [{"cumtime": c, "tottime": t, "calls": n, "func": f} for c, t, n, f in cum[:20]]}


# -------------------------------------------------------------------------------------------- pages
class Sampler(threading.Thread):
    """Samples the main thread's stack every `interval` s: self time (top frame ours) and inclusive time
    (any frame ours) — the inclusive figure counts Markdown/pybtex work our code asked for."""

    def __init__(self, interval=0.001):
        super().__init__(daemon=True)
        self.interval = interval
        self.main = threading.main_thread().ident
        self.total = self.incl = self.self_ = self.pybtex_under_us = 0
        self.running = True

    def run(self):
        while self.running:
            frame = sys._current_frames().get(self.main)
            if frame is not None:
                self.total += 1
                top = group_of(frame.f_code.co_filename)
                ours = False
                f = frame
                while f is not None:
                    if group_of(f.f_code.co_filename) == "ours":
                        ours = True
                        break
                    f = f.f_back
                if ours:
                    self.incl += 1
                if top == "ours":
                    self.self_ += 1
                elif top == "pybtex":
                    self.pybtex_under_us += 1
            time.sleep(self.interval)


def mode_pages(yml: str) -> dict:
    import mkdocs.commands.build as B
    from mkdocs.config import load_config
    sys.setswitchinterval(0.0005)
    per_page: dict[str, list[float]] = {}
    per_page_build: dict[str, list[float]] = {}

    def kind(page) -> str:
        src = page.file.src_uri
        if src.startswith("glossary/"):
            return "glossary index" if src.endswith("index.md") else "term page"
        if src.startswith("bibliography"):
            return "bibliography page"
        if src.startswith("part-"):
            return "authored page"
        return "other"

    orig_populate, orig_build = B._populate_page, B._build_page

    def populate(page, config, files, dirty=False):
        t0 = time.perf_counter()
        try:
            return orig_populate(page, config, files, dirty)
        finally:
            per_page.setdefault(kind(page), []).append(time.perf_counter() - t0)

    def build_page(page, config, doc_files, nav, env, dirty=False, excluded=False):
        t0 = time.perf_counter()
        try:
            return orig_build(page, config, doc_files, nav, env, dirty, excluded)
        finally:
            per_page_build.setdefault(kind(page), []).append(time.perf_counter() - t0)

    B._populate_page, B._build_page = populate, build_page
    cfg = load_config(yml, site_dir=tempfile.mkdtemp(prefix="refsite-pages-"))
    events: dict[str, float] = {}
    for name, methods in cfg.plugins.events.items():
        wrapped = []
        for m in methods:
            owner = getattr(m, "__module__", "") or ""
            label = ("refsite" if "refsite" in owner else owner.split(".")[-1] or "?") + "." + name

            def w(*a, _m=m, _label=label, **k):
                t0 = time.perf_counter()
                try:
                    return _m(*a, **k)
                finally:
                    events[_label] = events.get(_label, 0.0) + time.perf_counter() - t0
            wrapped.append(w)
        cfg.plugins.events[name] = wrapped
    sampler = Sampler()
    sampler.start()
    t0 = time.perf_counter()
    B.build(cfg)
    wall = time.perf_counter() - t0
    sampler.running = False
    sampler.join()
    summary = {}
    for k in sorted(set(per_page) | set(per_page_build)):
        pop, bld = per_page.get(k, []), per_page_build.get(k, [])
        summary[k] = {"count": len(pop), "render_ms_mean": 1000 * statistics.mean(pop) if pop else None,
                      "template_ms_mean": 1000 * statistics.mean(bld) if bld else None,
                      "render_s_total": sum(pop), "template_s_total": sum(bld)}
    return {"wall": wall, "per_kind": summary,
            "events": dict(sorted(events.items(), key=lambda kv: -kv[1])),
            "sampler": {"samples": sampler.total, "ours_inclusive_share": sampler.incl / max(sampler.total, 1),
                        "ours_self_share": sampler.self_ / max(sampler.total, 1),
                        "pybtex_self_share": sampler.pybtex_under_us / max(sampler.total, 1)}}


# ------------------------------------------------------------------------------------------- memory
def mode_memory(yml: str) -> dict:
    """tracemalloc during one build; a snapshot right after our on_env (all pages rendered, cross-page
    work done: the high-water mark of what the hooks hold), grouped by the module that allocated."""
    import tracemalloc
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    cfg = load_config(yml, site_dir=tempfile.mkdtemp(prefix="refsite-mem-"))
    snap = {}
    for name in ("env", "post_build"):
        methods = cfg.plugins.events.get(name, [])
        wrapped = []
        for m in methods:
            if "refsite" not in (getattr(m, "__module__", "") or ""):
                wrapped.append(m)
                continue

            def w(*a, _m=m, _name=name, **k):
                r = _m(*a, **k)
                snap[_name] = tracemalloc.take_snapshot()
                return r
            wrapped.append(w)
        cfg.plugins.events[name] = wrapped
    tracemalloc.start(1)
    build(cfg)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out = {"traced_peak_mb": peak / 2**20, "traced_end_mb": current / 2**20}
    s = snap.get("env")
    if s is not None:
        groups: dict[str, float] = {}
        lines = []
        for st in s.statistics("lineno"):
            fn = st.traceback[0].filename
            g = group_of(fn)
            groups[g] = groups.get(g, 0.0) + st.size / 2**20
            if g in ("ours", "pybtex"):
                where = os.path.relpath(fn, REPO) if g == "ours" else fn.split("site-packages/")[-1]
                lines.append((st.size / 2**20, st.count, f"{where}:{st.traceback[0].lineno}"))
        lines.sort(reverse=True)
        out["after_on_env_mb"] = sum(groups.values())
        out["after_on_env_groups_mb"] = dict(sorted(groups.items(), key=lambda kv: -kv[1]))
        out["top_lines"] = [{"mb": a, "blocks": b, "where": c} for a, b, c in lines[:15]]
    return out


# -------------------------------------------------------------------------------------------- serve
def mode_serve(yml: str, edits: int = 3) -> dict:
    """The `mkdocs serve` flow of MkDocs 1.6: one config for on_startup + the first build, then for every
    change a fresh load_config() and a full build (hook modules stay loaded: Hooks._load_hook is cached)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    site = tempfile.mkdtemp(prefix="refsite-serve-")
    serve_url = "http://127.0.0.1:8000/bench/"

    def get_config():
        cfg = load_config(yml, site_dir=site)
        cfg.site_url = serve_url
        return cfg

    target = os.path.join(load_config(yml).docs_dir, "part-00", "page-0001.md")
    with open(target, encoding="utf-8") as f:
        original = f.read()
    times = []
    try:
        t0 = time.perf_counter()
        cfg = get_config()
        cfg.plugins.on_startup(command="serve", dirty=False)
        build(cfg, serve_url=serve_url, dirty=False)
        first = time.perf_counter() - t0
        for i in range(edits):
            with open(target, "w", encoding="utf-8") as f:
                f.write(original.replace("\n\n", f"\n\nEdited line {i}: one more sentence.\n\n", 1))
            t0 = time.perf_counter()
            build(get_config(), serve_url=serve_url, dirty=False)
            times.append(time.perf_counter() - t0)
    finally:
        with open(target, "w", encoding="utf-8") as f:
            f.write(original)
    return {"first_build": first, "rebuilds": times, "rebuild_median": statistics.median(times)}


# ------------------------------------------------------------------------------------------ tugboat
def mode_tugboat(path: str) -> dict:
    """One real-world file: parse, map to CSL items, render every entry in Chicago author-date."""
    sys.path.insert(0, HOOKS)
    t0 = time.perf_counter()
    from refsite import csl
    from refsite.bibliography import load_bibliography
    from refsite.citing import Citing
    from refsite.items import ItemModel
    imp = time.perf_counter() - t0
    t0 = time.perf_counter()
    bib = load_bibliography([os.path.basename(path)], os.path.dirname(path))
    load = time.perf_counter() - t0
    keys = list(bib.entries)
    t0 = time.perf_counter()
    model = ItemModel(bib.raw, nocase=True)
    items = {k: model.csl(k) for k in keys}
    mapping = time.perf_counter() - t0
    t0 = time.perf_counter()
    citing = Citing(csl.load_style("chicago-author-date"), items)
    refs = citing.entries(keys)
    first = time.perf_counter() - t0
    import pybtex.database
    t0 = time.perf_counter()
    pybtex.database.parse_file(path, bib_format="bibtex")
    raw = time.perf_counter() - t0
    return {"import_s": imp, "load_s": load, "raw_pybtex_parse_s": raw, "entries": len(keys),
            "problems": len(bib.problems), "items_s": mapping, "format_all_s": first,
            "format_ms_per_entry": 1000 * first / max(len(keys), 1), "references": len(refs)}


def mode_csl(a_yml: str) -> dict:
    """The CSL side alone at this point: every citation of the authored pages rendered at once and
    every cited work's entry, in Chicago author-date; and one `pandoc --citeproc` run over the same
    Markdown, bibliography and .csl file as a reference point."""
    sys.path.insert(0, HOOKS)
    import glob
    import subprocess

    from refsite import csl
    from refsite.bibliography import load_bibliography
    from refsite.citing import Citing, Written, WrittenCite
    from refsite.items import ItemModel
    from refsite.syntax import find_citations

    root = os.path.dirname(os.path.abspath(a_yml))
    bib = load_bibliography(["data/*.bib"], root)
    pages = sorted(glob.glob(os.path.join(root, "docs_authored", "**", "*.md"), recursive=True))
    written = []
    markdown = []
    for path in pages:
        text = open(path, encoding="utf-8").read()
        markdown.append(text)
        for c in find_citations(text):
            written.append(Written(path, tuple(WrittenCite(i.key, i.mode, i.prefix, i.suffix, i.locator,
                                                           i.label, i.suffix_lead) for i in c.items), c.bracketed))
    t0 = time.perf_counter()
    model = ItemModel(bib.raw, nocase=True)
    items = {k: model.csl(k) for k in bib.entries}
    t_items = time.perf_counter() - t0
    t0 = time.perf_counter()
    style = csl.load_style("chicago-author-date")
    citing = Citing(style, items)
    t_setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    rendered = citing.render(written)
    t_cites = time.perf_counter() - t0
    cited = list(dict.fromkeys(c.key for w in written for c in w.cites if c.key in items))
    t0 = time.perf_counter()
    entries = citing.entries(cited)
    t_entries = time.perf_counter() - t0
    result = {"citations": len(rendered), "entries": len(entries), "items_s": t_items, "setup_s": t_setup,
              "citations_s": t_cites, "entries_s": t_entries,
              "ms_per_citation": 1000 * t_cites / max(len(rendered), 1),
              "ms_per_entry": 1000 * t_entries / max(len(entries), 1)}
    try:
        import pypandoc
        cmd = [pypandoc.get_pandoc_path(), "--citeproc", "--bibliography", os.path.join(root, "data", "refs.bib"),
               "--csl", csl.StyleCache().resolve("chicago-author-date"), "-f", "markdown", "-t", "html"]
        t0 = time.perf_counter()
        subprocess.run(cmd, input="\n\n".join(markdown), capture_output=True, text=True, check=True)
        result["pandoc_s"] = time.perf_counter() - t0
    except Exception as error:      # the reference point is optional; refsite's numbers are not
        result["pandoc_error"] = str(error)[:200]
    return result


# ----------------------------------------------------------------------------------- bibliography page
CHROMIUM = "/usr/bin/chromium"
LOADS = 3

# In the page: the navigation and paint timings of this load (ms from navigation start).
TIMINGS_JS = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  const paint = Object.fromEntries(performance.getEntriesByType('paint').map(p => [p.name, p.startTime]));
  return {response_end: n.responseEnd, dom_interactive: n.domInteractive,
          dom_content_loaded: n.domContentLoadedEventEnd, load: n.loadEventEnd,
          first_contentful_paint: paint['first-contentful-paint'] ?? null,
          nodes: document.getElementsByTagName('*').length};
}"""
# In the page: set the filter box to ``query`` as typing would; the script's own time (its
# data-filter-ms), the input handler's, and the time until the next frame is drawn.
FILTER_JS = """query => new Promise(resolve => {
  const input = document.getElementById('refsite-filter');
  const t0 = performance.now();
  input.value = query;
  input.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertText', data: query}));
  const handler = performance.now() - t0;
  requestAnimationFrame(() => setTimeout(() => resolve({
    query, handler_ms: handler, frame_ms: performance.now() - t0,
    script_ms: parseFloat(document.getElementById('refsite-works').dataset.filterMs),
    shown: document.querySelectorAll('#refsite-works .refsite-entry:not([hidden])').length}), 0));
})"""


def mode_bibpage(site_dir: str) -> dict:
    """The bibliography page as a reader gets it: bytes (and gzipped, as a server would send it),
    works, then in Chromium (fresh context per load, desktop viewport) the navigation timings of
    LOADS loads, the element count, and the filter box: a few queries typed, then cleared."""
    import functools
    import gzip
    import http.server
    page = os.path.join(site_dir, "bibliography", "index.html")
    with open(page, "rb") as f:
        data = f.read()
    text = data.decode("utf-8")
    result = {"bytes": len(data), "gzip_bytes": len(gzip.compress(data, 6)),
              "works": text.count('<div class="refsite-entry"'),
              "backlink_bytes": sum(len(part.split("</div>", 1)[0]) for part in text.split('<div class="refsite-backlinks"')[1:]),
              "tools_bytes": sum(len(part.split("</div>", 1)[0]) for part in text.split('<div class="refsite-entry__tools"')[1:])}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        result["browser_error"] = f"Playwright is not installed: {error}"
        return result
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    handler = functools.partial(Quiet, directory=site_dir)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/bibliography/"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])
            loads, filters = [], []
            for i in range(LOADS):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                tab = context.new_page()
                t0 = time.perf_counter()
                tab.goto(url, wait_until="load")
                timings = tab.evaluate(TIMINGS_JS)
                timings["wall_ms"] = 1000 * (time.perf_counter() - t0)
                loads.append(timings)
                if i == LOADS - 1 and tab.locator("#refsite-filter").count():
                    # a family name of the list, typed letter by letter, then with a decade
                    name = re.search(r'class="refsite-entry__label"[^>]*>([A-Z][a-z]{3,})', text).group(1)
                    tab.locator("#refsite-filter").focus()          # the script reads the page on focus
                    for query in (name[:1], name[:2], name, name + " 20", ""):
                        filters.append(tab.evaluate(FILTER_JS, query))
                context.close()
            browser.close()
    except Exception as error:         # no browser on this machine: the sizes still count
        result["browser_error"] = str(error)[:300]
        return result
    finally:
        server.shutdown()
        server.server_close()
    result["loads"] = loads
    result["median"] = {k: statistics.median(x[k] for x in loads) for k in loads[0] if loads[0][k] is not None}
    result["filter"] = filters
    return result


if __name__ == "__main__":
    mode, *rest = sys.argv[1:]
    fn = {"profile": mode_profile, "pages": mode_pages, "serve": mode_serve, "tugboat": mode_tugboat,
          "memory": mode_memory, "csl": mode_csl, "bibpage": mode_bibpage}[mode]
    import logging
    logging.disable(logging.WARNING)
    result = fn(*rest)
    print(json.dumps(result, default=str))
