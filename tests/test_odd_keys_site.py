"""Keys with characters that must be percent-encoded in a URL still link and validate."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

BIB = """\
@book{odd|key^1,
  author = {Odd, Olga},
  title = {Pipes and Carets},
  year = {2011}
}
@book{müller2020,
  author = {M{\\"u}ller, Max},
  title = {Umlaute},
  year = {2020}
}
"""


def test_encoded_and_unicode_keys_link_to_their_entries(make_site):
    site = make_site({"content/index.md": "# Home\n\nSee @{odd|key^1} and [@müller2020, p. 3].\n",
                      "bibliography/refs.bib": BIB})
    home = site.article("")
    links = home.select("span.refsite-cite a.refsite-cite__ref")
    assert [a["data-key"] for a in links] == ["odd|key^1", "odd|key^1", "müller2020"]
    bib = site.soup("bibliography/")
    for a in links:
        fragment = unquote(urlsplit(a["href"]).fragment)
        assert bib.find(id=fragment) is not None, a["href"]
    assert home.select_one("span.refsite-cite").get_text() == "Odd (2011)"


def test_dash_before_a_narrative_citation_is_text_like_pandoc(make_site):
    # Outside brackets, "-@key" is the text "-" followed by an in-text citation (pandoc -t json).
    site = make_site({"content/index.md": "# Home\n\nRange -@{odd|key^1} here.\n",
                      "bibliography/refs.bib": BIB})
    para = site.article("").select_one("p")
    assert " ".join(para.get_text().split()) == "Range -Odd (2011) here."
    assert [a["data-key"] for a in para.select("a.refsite-cite__ref")] == ["odd|key^1", "odd|key^1"]
