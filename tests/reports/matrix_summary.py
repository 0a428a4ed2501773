"""Access-matrix rows for this part of the reports app: the 后备力量名单汇总表 page and its downloads.

Without `?unit=` each user gets their default unit (county users the county, the city viewer its first county, a
township user their township). Village secretaries, mentors and outsiders have no township-level unit: 404."""

from tests.matrix_helpers import ALL, everyone, only  # noqa: F401

TOWNSHIP_OR_ABOVE = {
    "county_admin",
    "county_staff",
    "township_a_admin",
    "township_a_staff",
    "township_b_admin",
    "city_viewer",
}


# A county's or the city's table is built in the background: the download redirects to 我的导出.
DOWNLOAD = only(TOWNSHIP_OR_ABOVE) | dict.fromkeys(["county_admin", "county_staff", "city_viewer"], 302)
ROWS = {
    "summary": ("GET", None, only(TOWNSHIP_OR_ABOVE), 302),
    "summary_xlsx": ("GET", None, DOWNLOAD, 302),
    "summary_pdf": ("GET", None, DOWNLOAD, 302),
}


def objects(cast, people) -> dict:
    return {}
