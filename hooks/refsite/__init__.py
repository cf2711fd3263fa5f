"""refsite: citations, bibliography and glossary for MkDocs + Material.

Pure modules, one job each; only ``refsite_hooks.py`` (beside this package) imports MkDocs.
"""
