"""APA 7th edition (author-date).  Pure data."""

NAME = "apa"

TYPE_MAP = {
    "article": "article",
    "book": "book", "manual": "book", "proceedings": "book", "mvbook": "book",
    "collection": "book", "mvcollection": "book", "mvproceedings": "book",
    "booklet": "book",
    "incollection": "chapter", "inbook": "chapter", "inproceedings": "chapter",
    "conference": "chapter", "bookinbook": "chapter",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
    "techreport": "report", "report": "report",
    "online": "online", "www": "online", "electronic": "online",
    "unpublished": "misc", "misc": "misc",
}

TITLE_FORMAT = {"book": "italic", "thesis": "italic", "report": "italic",
                "online": "italic", "misc": "italic"}
TITLE_FORMAT_DEFAULT = "plain"
TITLE_CASE = ("journal",)

PUNCT_IN_QUOTE = True
DEMOTE_PARTICLE = False         # "van Gennep, A."
PAGE_RANGE = "expanded"         # 601–625
NO_DATE = "n.d."
ND_SUFFIX_SEP = "-"             # n.d.-a
SUBSEQUENT_AUTHOR = None
EDITOR_LABEL = (" (Ed.).", " (Eds.).")
EDS_TERM = ("Ed.", "Eds.")
GENRES = {"phdthesis": "Doctoral dissertation", "mastersthesis": "Master’s thesis",
          "mathesis": "Master’s thesis", "thesis": "Thesis"}

NAMES = {
    "bib": {"order": "all", "initials": ". ", "and": "&",
            "delim": ", ", "precedes_last": "always",
            "et_al_min": 21, "et_al_use_first": 19, "et_al": ", …"},
    "plain": {"order": "none", "initials": ". ", "and": "&",
              "delim": ", ", "precedes_last": "contextual",
              "et_al_min": 21, "et_al_use_first": 19, "et_al": ", …"},
}

CITE_NAMES = {"et_al_min": 3, "et_al_use_first": 1, "et_al": " et al.",
              "and": "&", "and_narrative": "and", "delim": ", ",
              "precedes_last": "contextual",
              "givenname": "primary-name"}

CITATION = {
    "open": "(", "close": ")", "delim": "; ",
    "author_year": ", ",            # Lee, 2018
    "author_nodate": ", ",
    "locator_delim": ", ",
    "narrative_open": " (", "narrative_close": ")",
    "collapse": True, "collapse_delim": ", ", "collapse_after_locator": "; ",
    "suffix_delim": ", ",
    "volume_locator_templates": (),
}

LOCATOR_TERMS = {
    "page": ("p.", "pp."), "chapter": ("Chapter", "Chapters"), "section": ("Section", "Sections"),
    "volume": ("Vol.", "Vols."), "figure": ("Figure", "Figures"), "note": ("n.", "nn."),
    "paragraph": ("para.", "paras."), "line": ("line", "lines"), "book": ("Book", "Books"),
    "column": ("col.", "cols."), "folio": ("fol.", "fols."), "number": ("No.", "Nos."),
    "opus": ("op.", "opp."), "part": ("Part", "Parts"), "sub-verbo": ("s.v.", "s.vv."),
    "verse": ("verse", "verses"),
}

_ACCESS = "[ {access}]"

TEMPLATES = {
    "article": (
        "{creators}. ({year}). {title}.[ <i>{journal}</i>[, <i>{volume}</i>[({issue})]|, ({issue})][, {pages}].]"
        + _ACCESS),
    "book": (
        "{creators}. ({year}). {title}[ ({edition}[, Vol. {volume}])| (Vol. {volume})]."
        "[ {publisher}.]" + _ACCESS),
    "chapter": (
        "{creators}. ({year}). {title}.[ In [{editor} ({eds}), ]<i>{booktitle}</i>"
        "[ ({edition}, pp. {pages})| (pp. {pages})| ({edition})].][ {publisher}.]" + _ACCESS),
    "thesis": "{creators}. ({year}). {title}[ \\[{genre}, {publisher}\\]| \\[{genre}\\]]." + _ACCESS,
    "report": "{creators}. ({year}). {title}[ ({genre} No. {number})| (Report No. {number})].[ {publisher}.]" + _ACCESS,
    "online": "{creators}. ({year}[, {monthday}]). {title}.[ {journal}.]" + _ACCESS,
    "misc": "{creators}. ({year}). {title}.[ {publisher}.]" + _ACCESS,
}
