"""Chicago Manual of Style 17th ed., author-date — as pandoc's default CSL
(``/usr/share/pandoc/data/default.csl``) renders BibTeX data.  Pure data."""

NAME = "chicago-author-date"

#: BibTeX/biblatex entry type -> template name (unknown types use "misc")
TYPE_MAP = {
    "article": "article",
    "book": "book", "manual": "book", "proceedings": "book", "mvbook": "book",
    "collection": "book", "mvcollection": "book", "mvproceedings": "book",
    "incollection": "chapter", "inbook": "chapter", "inproceedings": "chapter",
    "conference": "chapter", "bookinbook": "chapter",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
    "techreport": "report", "report": "report",
    "online": "online", "www": "online", "electronic": "online",
    "unpublished": "misc", "misc": "misc", "booklet": "misc",
}

#: how `{title}` is dressed per template ("quote", "italic" or "plain")
TITLE_FORMAT = {"book": "italic"}
TITLE_FORMAT_DEFAULT = "quote"

#: fields in CSL title case (text-case="title"), English entries only
TITLE_CASE = ("title", "journal", "booktitle", "series")

PUNCT_IN_QUOTE = True
DEMOTE_PARTICLE = True          # "Gennep, Arnold van"; in-text "Gennep"
PAGE_RANGE = "chicago"          # 601–25, 100–104, 1103–4
NO_DATE = "n.d."
ND_SUFFIX_SEP = ""              # n.d.a
SUBSEQUENT_AUTHOR = "———"
EDITOR_LABEL = (", ed.", ", eds.")     # after editors standing in for authors
EDS_TERM = ("ed.", "eds.")             # {eds}
GENRES = {"phdthesis": "PhD thesis", "mastersthesis": "Master’s thesis",
          "mathesis": "Master’s thesis", "thesis": "Thesis"}

#: name formats: order "first" (first name inverted), "all", "none";
#: initials None (full given names) or the separator (". ")
NAMES = {
    "bib": {"order": "first", "initials": None, "and": "and",
            "delim": ", ", "precedes_last": "always",
            "et_al_min": 11, "et_al_use_first": 7, "et_al": ", et al."},
    "plain": {"order": "none", "initials": None, "and": "and",
              "delim": ", ", "precedes_last": "contextual",
              "et_al_min": 11, "et_al_use_first": 7, "et_al": ", et al."},
}

#: in-text label (the A / N tokens)
CITE_NAMES = {"et_al_min": 4, "et_al_use_first": 1, "et_al": " et al.",
              "and": "and", "and_narrative": "and", "delim": ", ",
              "precedes_last": "contextual",
              "givenname": "primary-name"}   # add initials to clashing first names

CITATION = {
    "open": "(", "close": ")", "delim": "; ",
    "author_year": " ",             # Lee 2018
    "author_nodate": ", ",          # Anonymous, n.d.
    "locator_delim": ", ",
    "narrative_open": " (", "narrative_close": ")",
    "collapse": True, "collapse_delim": ", ", "collapse_after_locator": "; ",
    "suffix_delim": ", ",
    # book-like templates with a volume: "Weber 1978, 2:3", "vol. 2, sec. 2"
    "volume_locator_templates": ("book", "report"),
}

#: CSL locator terms, short form: (singular, plural); "" = bare number
LOCATOR_TERMS = {
    "page": ("", ""), "chapter": ("chap.", "chaps."), "section": ("sec.", "secs."),
    "volume": ("vol.", "vols."), "figure": ("fig.", "figs."), "note": ("n.", "nn."),
    "paragraph": ("para.", "paras."), "line": ("l.", "ll."), "book": ("bk.", "bks."),
    "column": ("col.", "cols."), "folio": ("fol.", "fols."), "number": ("no.", "nos."),
    "opus": ("op.", "opp."), "part": ("pt.", "pts."), "sub-verbo": ("s.v.", "s.vv."),
    "verse": ("v.", "vv."),
}

_ACCESS = "[{!has_date}. Accessed {urldate_text}][. {access}]"
_PUB = "[. {pubplace}]"

TEMPLATES = {
    "article": (
        "{creators}. {year}. {title}.[ <i>{journal}</i>]"
        "[ {volume}[ ({issue})| ({month})]|{?issue}, no. {issue}|{?month}, {month}]"
        "[{?volume}: {pages}|{?issue}: {pages}|, {pages}]" + _ACCESS + "."),
    "book": (
        "{creators}. {year}. {title}[. Edited by {editor}][. {edition}]"
        "[. Vol. {volume}][. {series} {series_number}|. {series}]" + _PUB + _ACCESS + "."),
    "chapter": (
        "{creators}. {year}. {title}.[ In <i>{booktitle}</i>][, edited by {editor}]"
        "[, {edition}][, {volume}:{pages}|, {pages}|. Vol. {volume}]"
        "[. {series} {series_number}|. {series}]" + _PUB + _ACCESS + "."),
    "thesis": "{creators}. {year}. {title}[. {genre}, {pubplace}|. {genre}|. {pubplace}]" + _ACCESS + ".",
    "report": (
        "{creators}. {year}. {title}[. {genre} {number}|. {genre}|. {number}]"
        "[. {series} {series_number}|. {series}]" + _PUB + _ACCESS + "."),
    "online": "{creators}. {year}. {title}[. <i>{journal}</i>][. {date_text}]" + _PUB + _ACCESS + ".",
    "misc": "{creators}. {year}. {title}" + _PUB + _ACCESS + ".",
}
