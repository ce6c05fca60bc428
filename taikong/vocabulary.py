"""Value sets shared by the contracts and the code that produces or checks the values.

A leaf module (no pandera, no polars) so that input checks that need a vocabulary, such
as the catalog's, stay fast to import.
"""

from __future__ import annotations

DOC_TYPES = ["news_article", "report", "web_page"]
