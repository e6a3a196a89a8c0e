"""Revisions of co-edited documents: readable diffs and three-way merges that never lose an edit.

One mechanism for every co-edited text: the 1/5/10-year agendas (phase 3) and covenant texts (phase 4).
"""
