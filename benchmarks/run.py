"""refsite benchmark: `make bench` (see benchmarks/README.md).

Generates the synthetic corpora (benchmarks/corpus.py) into benchmarks/work/, times MkDocs builds of
each scale point three ways (a = refsite, b = plain floor with the same output pages, c = plain
authored pages only) in alternating order, optionally times the mkdocs-bibtex + mkdocs-ezglossary peer
row in its own venv, runs the in-process measurements (benchmarks/inprocess.py) and writes
benchmarks/RESULTS.md (plus benchmarks/work/results.json with every raw number).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WORK = os.path.join(HERE, "work")
sys.path.insert(0, HERE)

import corpus  # noqa: E402

OUR_PY = sys.executable
PEERS_VENV = os.path.join(WORK, "peers-venv")
PEERS_PY = os.path.join(PEERS_VENV, "bin", "python")
PEER_PINS = ["mkdocs==1.6.1", "mkdocs-material==9.8.2", "mkdocs-bibtex==4.4.0",
             "mkdocs-ezglossary-plugin==2.1.0"]
PEER_TIMEOUT = 8 * 60
VARIANTS = ("a", "b", "c")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ------------------------------------------------------------------------------------------ one build
def timed_build(python: str, yml: str, out: str, timeout: float | None = None) -> dict:
    """Run `python -m mkdocs build -q -f yml -d out` as a child; wall time and the child's own peak RSS.

    os.wait4 returns the rusage of exactly that child (ru_maxrss in KiB on Linux), unlike
    getrusage(RUSAGE_CHILDREN), whose maximum is cumulative over all children ever waited for.
    """
    if os.path.isdir(out):
        shutil.rmtree(out)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")
    cmd = [python, "-m", "mkdocs", "build", "-q", "-f", yml, "-d", out]
    err_path = out.rstrip("/") + ".stderr"
    with open(err_path, "w") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=os.path.dirname(yml))
        timed_out = False
        if timeout:
            deadline = t0 + timeout
            while True:
                pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    proc.kill()
                    pid, status, ru = os.wait4(proc.pid, 0)
                    timed_out = True
                    break
                time.sleep(0.05)
        else:
            pid, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
    with open(err_path) as f:
        stderr = f.read()
    warnings = sum(1 for line in stderr.splitlines() if line.startswith("WARNING"))
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024, "rc": proc.returncode, "timed_out": timed_out,
            "warnings": warnings, "stderr_tail": stderr[-600:] if proc.returncode else "",
            "pages_out": _count_html(out)}


def _count_html(out: str) -> int:
    n = 0
    for _root, _dirs, files in os.walk(out):
        n += sum(1 for f in files if f.endswith(".html"))
    return n


def summarize(runs: list[dict]) -> dict:
    ok = [r for r in runs if r["rc"] == 0 and not r["timed_out"]]
    if not ok:
        return {"n": 0, "failed": len(runs), "timed_out": any(r["timed_out"] for r in runs),
                "error": (runs[0]["stderr_tail"] if runs else "")}
    walls = [r["wall"] for r in ok]
    rss = [r["rss_mb"] for r in ok]
    cpu = [r.get("cpu", 0.0) for r in ok]
    return {"n": len(ok), "failed": len(runs) - len(ok), "median": statistics.median(walls), "min": min(walls),
            "max": max(walls), "cpu": statistics.median(cpu),
            "cpu_min": min(cpu), "cpu_max": max(cpu), "rss_mb": statistics.median(rss), "rss_max_mb": max(rss),
            "pages_out": ok[0]["pages_out"], "warnings": ok[0]["warnings"]}


# ------------------------------------------------------------------------------------------- phases
def prepare(points: list[str]) -> dict[str, dict[str, str]]:
    ymls = {}
    for p in points:
        t0 = time.perf_counter()
        c = corpus.generate(p)
        ymls[p] = corpus.write_point(c, os.path.join(WORK, p))
        log(f"corpus {p}: {len(c.pages)} pages, {len(c.entries)} entries, {len(c.terms)} terms "
            f"({time.perf_counter() - t0:.1f} s)")
    return ymls


def engine_ready() -> tuple[bool, str]:
    probe = subprocess.run([OUR_PY, "-c", "import sys; sys.path.insert(0,'hooks'); import refsite.site"],
                           cwd=REPO, capture_output=True, text=True)
    return probe.returncode == 0, probe.stderr.strip().splitlines()[-1] if probe.returncode else ""


def time_point(point: str, ymls: dict[str, str], runs: int, variants: tuple[str, ...]) -> dict:
    results: dict[str, list[dict]] = {v: [] for v in variants}
    order = []
    for i in range(runs):
        for v in variants:  # alternate a, b, c, a, b, c, ...
            r = timed_build(OUR_PY, ymls[v], os.path.join(WORK, point, f"site-{v}"))
            results[v].append(r)
            order.append(v)
            status = "ok" if r["rc"] == 0 else f"rc={r['rc']}"
            log(f"{point} {v} run {i + 1}/{runs}: {r['wall']:.2f} s (cpu {r['cpu']:.2f} s), {r['rss_mb']:.0f} MB, "
                f"{r['pages_out']} html, {r['warnings']} warnings, {status}")
            if r["rc"]:
                log("   " + r["stderr_tail"].replace("\n", "\n   "))
    return {"runs": results, "order": order, "summary": {v: summarize(results[v]) for v in variants}}


def ensure_peers_venv() -> bool:
    if os.path.exists(PEERS_PY):
        check = subprocess.run([PEERS_PY, "-c", "import mkdocs_bibtex, mkdocs_ezglossary_plugin"],
                               capture_output=True)
        if check.returncode == 0:
            return True
    log("creating peers venv (benchmarks/work/peers-venv)")
    subprocess.run([sys.executable, "-m", "venv", PEERS_VENV], check=True)
    r = subprocess.run([PEERS_PY, "-m", "pip", "install", "-q", *PEER_PINS])
    return r.returncode == 0


def time_peers(point: str, ymls: dict[str, str], runs: int) -> dict:
    res = []
    for i in range(runs):
        r = timed_build(PEERS_PY, ymls["peers"], os.path.join(WORK, point, "site-peers"), timeout=PEER_TIMEOUT)
        res.append(r)
        log(f"{point} peers run {i + 1}/{runs}: {r['wall']:.2f} s (cpu {r['cpu']:.2f} s), {r['rss_mb']:.0f} MB, "
            f"{r['warnings']} warnings, rc={r['rc']}{' TIMED OUT' if r['timed_out'] else ''}")
        if r["timed_out"] or r["rc"]:
            break
    return {"runs": res, "summary": summarize(res)}


def run_inprocess(args: list[str], timeout: float = 1200) -> dict:
    cmd = [OUR_PY, os.path.join(HERE, "inprocess.py"), *args]
    log("in-process: " + " ".join(shlex.quote(a) for a in args))
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    if p.returncode:
        return {"error": (p.stderr or p.stdout)[-1500:]}
    return json.loads(p.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------------------- machine
def machine() -> dict:
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    vers = subprocess.run([OUR_PY, "-c", "import importlib.metadata as m; print(' '.join(m.version(p) for p in "
                           "('mkdocs','mkdocs-material','pybtex','Markdown','pymdown-extensions')))"],
                          capture_output=True, text=True).stdout.split()
    load = os.getloadavg()
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "platform": platform.platform(), "mkdocs": vers[0] if vers else "?",
            "material": vers[1] if len(vers) > 1 else "?", "pybtex": vers[2] if len(vers) > 2 else "?",
            "markdown": vers[3] if len(vers) > 3 else "?", "pymdownx": vers[4] if len(vers) > 4 else "?",
            "loadavg_start": load}


# ------------------------------------------------------------------------------------------------ main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", default="small,medium,large", help="comma list of small,medium,large")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per variant (alternating)")
    ap.add_argument("--large-runs", type=int, default=None, help="runs for the large point (default --runs)")
    ap.add_argument("--variants", default="a,b,c", help="subset of a,b,c")
    ap.add_argument("--no-peers", action="store_true", help="skip the mkdocs-bibtex + ezglossary row")
    ap.add_argument("--peer-runs", type=int, default=3, help="timed peer runs per point")
    ap.add_argument("--no-inprocess", action="store_true", help="skip profile / serve / tugboat measurements")
    ap.add_argument("--no-browser", action="store_true", help="skip the bibliography page in Chromium")
    ap.add_argument("--profile-point", default=None, help="point for the cProfile + per-page run "
                                                           "(default: largest requested)")
    ap.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--skip-generate", action="store_true", help="reuse benchmarks/work/<point>")
    args = ap.parse_args(argv)
    points = [p for p in args.points.split(",") if p]
    for p in points:
        if p not in corpus.POINTS:
            ap.error(f"unknown point {p!r}")
    variants = tuple(v for v in args.variants.split(",") if v)
    os.makedirs(WORK, exist_ok=True)
    started = time.time()
    engine = subprocess.run(["git", "log", "-1", "--format=%h %s", "--", "hooks"], cwd=REPO,
                            capture_output=True, text=True).stdout.strip()
    info = {"machine": machine(), "argv": sys.argv, "engine_commit": engine, "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "points": {}, "peers": {}, "inprocess": {}}

    ready, why = engine_ready()
    if "a" in variants and not ready:
        log(f"engine not importable yet ({why}); variant (a) will fail")
    if args.skip_generate:
        ymls = {p: {v: os.path.join(WORK, p, f"{v}.yml") for v in ("a", "b", "c", "peers")} for p in points}
    else:
        ymls = prepare(points)
    for p in points:
        with open(os.path.join(WORK, p, "stats.json")) as f:
            info.setdefault("corpus", {})[p] = json.load(f)

    for p in points:
        runs = args.large_runs if (p == "large" and args.large_runs) else args.runs
        info["points"][p] = time_point(p, ymls[p], runs, variants)

    if not args.no_peers:
        if ensure_peers_venv():
            for p in points:
                info["peers"][p] = time_peers(p, ymls[p], args.peer_runs)
        else:
            info["peers"] = {"error": "could not install peers venv"}

    if not args.no_inprocess and "a" in variants:
        prof_point = args.profile_point or points[-1]
        a_yml, c_yml = ymls[prof_point]["a"], ymls[prof_point]["c"]
        info["inprocess"]["profile"] = run_inprocess(["profile", a_yml, os.path.join(WORK, "profile.pstats")])
        info["inprocess"]["pages"] = run_inprocess(["pages", a_yml])
        info["inprocess"]["memory"] = run_inprocess(["memory", a_yml])
        info["inprocess"]["serve_a"] = run_inprocess(["serve", a_yml])
        info["inprocess"]["serve_c"] = run_inprocess(["serve", c_yml])
        info["inprocess"]["serve_b"] = run_inprocess(["serve", ymls[prof_point]["b"]])
        info["inprocess"]["profile_point"] = prof_point
        info["inprocess"]["csl"] = run_inprocess(["csl", a_yml])
        info["inprocess"]["tugboat"] = run_inprocess(
            ["tugboat", os.path.join(os.path.dirname(REPO), "shared", "bib-corpus", "tugboat.bib")])

    if "a" in variants and not args.no_browser:
        # the bibliography page of (a) at the largest point, as the last timed build left it
        page_point = points[-1]
        info["bibpage"] = run_inprocess(["bibpage", os.path.join(WORK, page_point, "site-a")])
        info["bibpage"]["point"] = page_point

    info["machine"]["loadavg_end"] = os.getloadavg()
    info["elapsed_s"] = time.time() - started
    with open(os.path.join(WORK, "results.json"), "w") as f:
        json.dump(info, f, indent=1, default=str)
    import report
    kept = ""
    if os.path.exists(args.results):  # hand-written analysis below the marker survives re-runs
        with open(args.results, encoding="utf-8") as f:
            old = f.read()
        if report.NOTES_MARKER in old:
            kept = old[old.index(report.NOTES_MARKER):]
    with open(args.results, "w", encoding="utf-8") as f:
        f.write(report.render(info) + ("\n" + kept if kept else ""))
    log(f"wrote {os.path.relpath(args.results, REPO)} and benchmarks/work/results.json "
        f"({info['elapsed_s'] / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
