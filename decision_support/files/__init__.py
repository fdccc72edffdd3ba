"""Ground floor for reading and writing files, shared by every domain.

Document loading (YAML/JSON with positions and limits), JSON-Schema problems in
one path notation, tabular-file limits and the workbook helper live here; the
domains (``kpis``, ``projects``, ``finance``, ``portfolio``, ``rules``) import these
modules and never re-implement them.
"""
