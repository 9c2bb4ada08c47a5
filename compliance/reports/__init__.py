"""Reports from verdicts: CSV/XLSX tables, bilingual HTML, the GeoJSON layer, rectification notices.

Each writer has a ``render_*`` form returning bytes or text (for the REST routes) and, where useful, a
``write_*`` form taking a path (for the CLI). None of them evaluates anything.
"""

from compliance.reports.geojson import feature_collection, render_geojson
from compliance.reports.html import render_html
from compliance.reports.notice import render_notice, write_notices
from compliance.reports.notice_text import NoticeConfig
from compliance.reports.summary import district_summary, status_counts
from compliance.reports.tables import (
    VERDICT_COLUMNS,
    render_verdicts_csv,
    render_verdicts_xlsx,
    write_verdicts_csv,
)

__all__ = [
    "VERDICT_COLUMNS",
    "NoticeConfig",
    "district_summary",
    "feature_collection",
    "render_geojson",
    "render_html",
    "render_notice",
    "render_verdicts_csv",
    "render_verdicts_xlsx",
    "status_counts",
    "write_notices",
    "write_verdicts_csv",
]
