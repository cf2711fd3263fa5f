"""Bad input: every problem is one clear ``path:line: message`` warning, the build goes on, and the
rest of the site is intact. One strict subprocess build shows all problems in one run."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import yaml

from conftest import SCENARIOS, BASE_CONFIG, site_config

GOOD_BIB = """\
@book{good2001,
  author = {Good, Anna},
  title = {A Sound Book},
  publisher = {Press},
  year = {2001}
}
"""

GOOD_GLOSSARY = """\
- term: Data localization
  definition: Rules that keep data inside national borders.
"""


def at(path: str, line: int, message: str) -> str:
    """Regex for one warning: exactly ``path:line: `` then ``message`` (a regex)."""
    return "^" + re.escape(f"{path}:{line}: ") + message


def assert_good_parts(built, *, page="", glossary=False):
    """The rest of the site: the good citation links to its bibliography entry."""
    article = built.article(page)
    links = article.select("span.refsite-cite a.refsite-cite__ref[data-key='good2001']")
    assert links, "the good citation is not rendered"
    bib = built.soup("bibliography/")
    assert bib.find("h3", id="ref-good2001") is not None
    assert article.select_one("section.refsite-references [data-key='good2001']") is not None
    if glossary:
        assert built.path("glossary/").exists()
        assert built.path("glossary/data-localization/").exists()


def test_unknown_citation_key_reported_with_page_line(make_site):
    built = make_site({
        "content/index.md": """\
            ---
            title: Home
            ---
            # Home

            Good [@good2001] and bad [@nokey2020, p. 3].
            """,
        "bibliography/refs.bib": GOOD_BIB,
    }, expect=(at("content/index.md", 6, r"unknown citation key 'nokey2020'"),))
    article = built.article("")
    missing = article.select("strong.refsite-missing")
    assert [m.get_text() for m in missing] == ["nokey2020?"]
    assert_good_parts(built)


def test_duplicate_key_within_a_file(make_site):
    bib = GOOD_BIB + """\
@book{dup,
  author = {First, Fay},
  title = {First Definition},
  year = {2010}
}
@book{dup,
  author = {Second, Sam},
  title = {Second Definition},
  year = {2011}
}
"""
    built = make_site({"content/index.md": "# Home\n\n[@good2001] and [@dup].\n",
                       "bibliography/refs.bib": bib},
                      expect=(at("bibliography/refs.bib", 12, r"duplicate citation key 'dup'.*refs\.bib:7"),))
    entry = built.soup("bibliography/").find("h3", id="ref-dup").find_parent("div", class_="refsite-entry")
    assert "First Definition" in entry.get_text() and "Second Definition" not in entry.get_text()
    assert_good_parts(built)


def test_duplicate_key_across_files_including_case_only(make_site):
    built = make_site({
        "content/index.md": "# Home\n\n[@good2001] and [@shared].\n",
        "bibliography/a.bib": GOOD_BIB + "@misc{shared,\n  title = {From A},\n  year = {2000}\n}\n",
        "bibliography/b.bib": "% second file\n@misc{Shared,\n  title = {From B},\n  year = {2001}\n}\n",
    }, expect=(at("bibliography/b.bib", 2, r"duplicate citation key 'Shared'.*bibliography/a\.bib:7"),))
    assert_good_parts(built)
    entry = built.soup("bibliography/").find("h3", id="ref-shared").find_parent("div")
    assert "from a" in entry.get_text().lower() and "from b" not in entry.get_text().lower()


def test_unclosed_brace_reported_at_the_broken_entry(make_site):
    bib = GOOD_BIB + """\
@article{broken,
  author = {Broke, Ben},
  title = {Unclosed,
  year = {2020}
}

@article{after,
  author = {After, Al},
  title = {Still Here},
  year = {2002}
}
"""
    # The entry starts at line 7, the brace that never closes is on line 9: the warning must point
    # at the broken entry (line 7 or 9), not at the next entry (line 13) nor at the end of the file.
    built = make_site({"content/index.md": "# Home\n\n[@good2001] and [@after].\n",
                       "bibliography/refs.bib": bib},
                      expect=(r"^bibliography/refs\.bib:(7|9): ",))
    assert_good_parts(built)


def test_missing_comma_reported_at_its_line(make_site):
    bib = GOOD_BIB + """\
@article{nocomma,
  author = {Comma, Carl},
  title = {No Comma After This}
  year = {2020}
}
"""
    # The comma is missing at the end of line 9; pybtex notices at line 10.
    built = make_site({"content/index.md": "# Home\n\n[@good2001].\n", "bibliography/refs.bib": bib},
                      expect=(r"^bibliography/refs\.bib:(9|10): BibTeX: .*expected",))
    assert_good_parts(built)


def test_glob_matching_nothing_names_mkdocs_yml_line_and_glob(make_site, tmp_path):
    config = {"refsite": {"bibliography": ["bibliography/*.bib", "missing/*.bib"]}}
    text = yaml.safe_dump(site_config(BASE_CONFIG, config), allow_unicode=True, sort_keys=False)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "missing/*.bib" in l)
    built = make_site({"content/index.md": "# Home\n\n[@good2001].\n", "bibliography/refs.bib": GOOD_BIB},
                      config, expect=(at("mkdocs.yml", line, r".*'missing/\*\.bib' matches no file"),))
    assert_good_parts(built)


def test_latin1_bib_file_reported_and_entries_kept(make_site):
    latin = "@book{latin,\n  author = {Mélanie, Dupont},\n  title = {Café},\n  year = {2010}\n}\n".encode("latin-1")
    built = make_site({"content/index.md": "# Home\n\n[@good2001] and [@latin].\n",
                       "bibliography/refs.bib": GOOD_BIB, "bibliography/latin.bib": latin},
                      expect=(at("bibliography/latin.bib", 2, r"not valid UTF-8.*0xe9"),))
    assert_good_parts(built)
    assert built.soup("bibliography/").find("h3", id="ref-latin") is not None


def test_malformed_glossary_yaml(make_site):
    glossary = GOOD_GLOSSARY + "- term: Broken\n  definition: [unclosed\n- term: Other\n"
    built = make_site({"content/index.md": "# Home\n\n[@good2001] about data localization.\n",
                       "bibliography/refs.bib": GOOD_BIB, "content/glossary.yml": glossary},
                      {"refsite": {"glossary": "content/glossary.yml"}},
                      expect=(r"^content/glossary\.yml:(4|5): invalid YAML",))
    assert_good_parts(built)
    assert built.path("glossary/").exists()


def test_duplicate_terms_and_aliases_including_case_only(make_site):
    glossary = GOOD_GLOSSARY + """\
- term: data Localization
  definition: Case-only duplicate of a term.
- term: Cloud
  definition: Remote computing.
  aliases: [cloud computing, DATA LOCALIZATION]
- term: Cloud Computing
  definition: Case-only duplicate of an alias.
- term: Platform
  definition: A market with two sides.
  see_also: [Cloud, Nonexistent thing]
"""
    built = make_site({"content/index.md": "# Home\n\n[@good2001] about data localization in the cloud.\n",
                       "bibliography/refs.bib": GOOD_BIB, "content/glossary.yml": glossary},
                      {"refsite": {"glossary": "content/glossary.yml"}},
                      expect=(at("content/glossary.yml", 3, r"duplicate term 'data Localization'.*line 1"),
                              at("content/glossary.yml", 7, r"duplicate alias 'DATA LOCALIZATION'.*line 1"),
                              at("content/glossary.yml", 8, r"duplicate term 'Cloud Computing'.*line 7"),
                              at("content/glossary.yml", 12, r"see_also 'Nonexistent thing' names no term")))
    assert_good_parts(built, glossary=True)
    article = built.article("")
    assert {a.get_text() for a in article.select("a.refsite-term")} == {"data localization", "cloud"}
    platform = built.article("glossary/platform/")
    assert platform.find("a", string="Cloud") is not None


def test_empty_bibliography_file(make_site):
    built = make_site({"content/index.md": "# Home\n\n[@good2001].\n",
                       "bibliography/refs.bib": GOOD_BIB, "bibliography/empty.bib": ""},
                      expect=(at("bibliography/empty.bib", 1, r"no BibTeX entries"),))
    assert_good_parts(built)


def test_incomplete_entry_shows_the_marker(make_site):
    bib = GOOD_BIB + "@misc{partial,\n  author = {Half, Hal},\n  title = {Unverified},\n  year = {2019},\n  x-verified = {no}\n}\n"
    built = make_site({"content/index.md": "# Home\n\n[@good2001] and [@partial].\n",
                       "bibliography/refs.bib": bib})
    item = built.article("").select_one("section.refsite-references [data-key='partial']")
    assert "incomplete reference" in item.get_text().lower()
    good = built.article("").select_one("section.refsite-references [data-key='good2001']")
    assert "incomplete" not in good.get_text().lower()
    entry = built.soup("bibliography/").find("h3", id="ref-partial").find_parent("div", class_="refsite-entry")
    assert "incomplete reference" in entry.get_text().lower()
    bib = (built.site / "bibliography.bib").read_text(encoding="utf-8")
    assert "@" in bib and "x-verified" not in bib        # what "Copy BibTeX" copies


# -- one strict run reports everything ------------------------------------------------------------

EXPECTED_IN_ONE_RUN = [
    r"content/index\.md:6: unknown citation key 'nokey'",
    r"bibliography/refs\.bib:\d+: duplicate citation key 'dup'",
    r"bibliography/empty\.bib:1: no BibTeX entries",
    r"bibliography/latin\.bib:2: not valid UTF-8",
    r"mkdocs\.yml:\d+: plugins\.refsite\.bibliography: 'nothing/\*\.bib' matches no file",
    r"content/glossary\.yml:3: duplicate term 'DATA LOCALIZATION'",
    r"content/glossary\.yml:\d+: see_also 'Ghost' names no term",
]


def test_strict_build_fails_and_reports_every_problem_in_one_run(tmp_path):
    root = tmp_path / "robust_bad_site"
    shutil.copytree(SCENARIOS / "robust_bad_site", root)
    (root / "bibliography" / "latin.bib").write_bytes(
        "@book{latin,\n  author = {Mélanie, Dupont},\n  title = {Café},\n  year = {2010}\n}\n".encode("latin-1"))
    (root / "bibliography" / "empty.bib").write_bytes(b"")
    config = site_config(BASE_CONFIG, yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8")))
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / "site")],
                            cwd=root, capture_output=True, text=True, timeout=300,
                            env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"})
    output = result.stdout + result.stderr
    print(output)
    assert result.returncode != 0
    missing = [p for p in EXPECTED_IN_ONE_RUN if not re.search(p, output)]
    assert not missing, f"not reported in the strict run: {missing}"
