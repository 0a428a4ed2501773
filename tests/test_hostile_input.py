"""No input gives a 500 (issue 14): every URL of the access matrix, as every role that may open it, gets random and
hostile values (Unicode and full-width digits, 20-digit numbers, negatives, empty, NUL, very long strings, a
right-to-left override) in every query parameter and every field of its forms. No response is a 500, and a refused
POST leaves the database unchanged.

The parameters are discovered, not listed: the GET and POST forms of the rendered page (its HTML, so raw fields such as
`v12_yes` are found too), the Django forms in its context, and every name a view reads with request.GET / request.POST
anywhere in the project. A new view is covered by its access-matrix row alone.

CI runs one example per URL and role, the same each run (about a minute): each parameter gets a different value of
HOSTILE, rotated across roles and URLs so that together they send every one. Locally HOSTILE_EXAMPLES=200 adds random
examples, and HOSTILE_SWEEP=1 sends each hostile value to every parameter at once (slow). A POST is "refused" when it
answers 4xx or shows its form again with errors. Each example is rolled back, so each starts from the matrix's objects.
Run it on PostgreSQL too (DATABASE_URL=postgres://…): NUL characters and integer overflow fail only there."""

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.urls import resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_access_matrix import MATRIX, objects  # noqa: F401  (the fixture is used by name)

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "1"))
ROOT = Path(__file__).resolve().parent.parent
PROJECT_APPS = {
    *("org", "notices", "reserves", "selection", "training", "mentoring", "assessment", "lifecycle"),
    *("reports", "reminders", "dashboards", "imports"),
}

HOSTILE = [
    "99999999999999999999",  # 20 digits: beyond bigint
    "²",  # superscript two: str.isdigit() is true, int() refuses it
    "٥",  # Arabic-Indic five: int() accepts it
    "５",  # full-width five
    "-1",
    "-99999999999999999999",
    "",
    "0",
    "a\x00b",
    "\u202e1202",
    "x" * 5000,
    "9" * 400,
    "1e9",
    "2026-13-45",
    "'; --",
    "<script>",
    "1.5",
    " 1 ",
    "9223372036854775808",
    "2147483648",
]
value = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.text(alphabet="0123456789²³¹٠١٢٣٤٥６７８９０\u202e\x00-", min_size=1, max_size=25),
)


def _names_read_by_views(method: str) -> set[str]:
    """Every literal parameter name a view reads with request.GET / request.POST, across the project."""
    pattern = re.compile(
        rf"request\.{method}(?:\.get|\.getlist)\(\s*[\"'](\w+)[\"']|request\.{method}\[[\"'](\w+)[\"']\]"
    )
    names = set()
    for app in PROJECT_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for match in pattern.finditer(path.read_text(encoding="utf-8")):
                names.add(match.group(1) or match.group(2))
    return names


GET_NAMES = _names_read_by_views("GET") | {"page", "year", "quarter", "township", "unit", "village", "record"}
POST_NAMES = _names_read_by_views("POST")


class _FormFields(HTMLParser):
    """Names of the fields of the page's forms, split by method; POST forms only when they post back to the page."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.get: set[str] = set()
        self.post: set[str] = set()
        self._current: set[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            action = urlsplit(attrs.get("action") or "").path
            if method == "get":
                self._current = self.get
            elif not action or action == self.page_path:
                self._current = self.post
            else:
                self._current = None
        elif (
            tag in {"input", "select", "textarea", "button"}
            and self._current is not None
            and attrs.get("name")
            and attrs.get("type") != "file"
            and attrs["name"] != "csrfmiddlewaretoken"
        ):
            self._current.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _context_fields(response) -> tuple[set[str], set[str]]:
    """Field names of the Django forms (and formsets) in the response context: (all names, multi-valued names)."""
    names, multi = set(), set()
    context = response.context
    if context is None:
        return names, multi
    seen = set()
    for sub in context:
        for item in sub.dicts if hasattr(sub, "dicts") else [sub]:
            for obj in dict(item).values() if isinstance(item, dict) else []:
                forms = []
                if isinstance(obj, BaseForm):
                    forms = [obj]
                elif isinstance(obj, BaseFormSet):
                    forms = [obj.management_form, *obj.forms]
                for form in forms:
                    if id(form) in seen:
                        continue
                    seen.add(id(form))
                    for name, field in form.fields.items():
                        key = form.add_prefix(name)
                        names.add(key)
                        if field.widget.__class__.__name__.startswith(("SelectMultiple", "CheckboxSelectMultiple")):
                            multi.add(key)
    return names, multi


def _app_models(url: str):
    app = resolve(urlsplit(url).path).func.__module__.split(".")[0]
    chosen = list(apps.get_app_config(app).get_models()) if app in PROJECT_APPS else []
    return chosen + [apps.get_model("org", "AuditLog")]


def _counts(models) -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in models}


def _refused(response) -> bool:
    """A POST that was turned down: an error status, or the form shown again with errors."""
    if response.status_code >= 400:
        return True
    if response.status_code != 200 or response.context is None:
        return False
    for sub in response.context:
        for item in sub.dicts if hasattr(sub, "dicts") else [sub]:
            for obj in dict(item).values() if isinstance(item, dict) else []:
                if isinstance(obj, BaseForm | BaseFormSet) and obj.is_bound and not obj.is_valid():
                    return True
    return False


def _rows_by_app() -> dict[str, list[str]]:
    """Matrix rows grouped by the app of their view: one test per app, so a failure names its app."""
    from django.urls import get_resolver

    def walk(patterns):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns)
            elif p.name:
                yield p

    app_of = {p.name: p.callback.__module__.split(".")[0] for p in walk(get_resolver().url_patterns)}
    by_app: dict[str, list[str]] = {}
    for name in sorted(MATRIX):
        by_app.setdefault(app_of.get(name, "other"), []).append(name)
    return by_app


ROWS_BY_APP = _rows_by_app()


SWEEP = os.environ.get("HOSTILE_SWEEP") == "1"  # also send each hostile value to every parameter at once


def _send(client, url, method, query, form, models) -> str | None:
    """One hostile request pair, rolled back; a description of what went wrong, or None."""
    if query is not None:
        with transaction.atomic():
            response = client.get(url, query)
            transaction.set_rollback(True)
        if response.status_code == 500:
            return f"GET {url} 500 with {query!r}"[:600]
    if form:
        with transaction.atomic():
            before = _counts(models)
            response = client.post(url, form)
            after = _counts(models) if _refused(response) else before
            transaction.set_rollback(True)
        if response.status_code == 500:
            return f"POST {url} 500 with {form!r}"[:600]
        if after != before:
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            return f"POST {url} refused but changed {changed} with {form!r}"[:600]
    return None


_DOWNLOADS: set[str] = set()  # URLs that answered with a file: no form to discover, so no plain GET first


def _probe(client, url: str, method: str, salt: int) -> list[str]:
    """Hostile examples for one URL as the logged-in user: its query parameters (GET pages), then its POST fields."""
    page_get, page_post, multi = set(GET_NAMES), set(), set()
    if method == "GET" and url not in _DOWNLOADS:
        response = client.get(url)
        if response.status_code == 500:
            return [f"GET {url} 500 without parameters"]
        if response.status_code != 200:
            return []
        if response.get("Content-Type", "").startswith("text/html"):
            parser = _FormFields(urlsplit(url).path)
            parser.feed(response.content.decode("utf-8", "replace"))
            page_get |= parser.get
            page_post |= parser.post
        else:
            _DOWNLOADS.add(url)
        fields, multi = _context_fields(response)
        page_post |= fields
    elif method == "POST":
        page_post = set(POST_NAMES)
    get_names = sorted(page_get) if method == "GET" else None
    post_names = sorted(page_post | {"confirm"}) if page_post else []
    models = _app_models(url)
    failures = []

    def values(draw):
        # The first (simplest) example gives each parameter a different hostile value, rotated by `salt` so the
        # roles and URLs of a CI run together cover the whole list; later examples are random.
        def one(i, name):
            strategy = st.one_of(st.just(HOSTILE[(i + salt) % len(HOSTILE)]), value)
            return (
                [draw(strategy, label=name), draw(value, label=name)] if name in multi else draw(strategy, label=name)
            )

        query = None if get_names is None else {n: one(i, n) for i, n in enumerate(get_names)}
        form = {n: one(i + 7, n) for i, n in enumerate(post_names)} if post_names else None
        return query, form

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=EXAMPLES <= 3,  # CI: the same few examples each run, so a red build is reproducible
    )
    @given(data=st.data())
    def check(data):
        problem = _send(client, url, method, *values(data.draw), models)
        assert problem is None, problem

    try:
        check()
    except AssertionError as exc:
        failures.append(str(exc).split("\n")[0])
    if SWEEP:
        for bad in HOSTILE:
            query = None if get_names is None else dict.fromkeys(get_names, bad)
            form = {n: [bad, bad] if n in multi else bad for n in post_names} if post_names else None
            problem = _send(client, url, method, query, form, models)
            if problem:
                failures.append(problem)
    return failures


@pytest.mark.parametrize("app", sorted(ROWS_BY_APP))
def test_no_input_gives_a_500(client, cast, objects, app):  # noqa: F811
    client.raise_request_exception = False  # a server error is a 500 to report, with every other one found
    failures = []
    for name in ROWS_BY_APP[app]:
        method, key, expected, _anonymous = MATRIX[name]
        url = reverse(name, kwargs=objects[key] if key else None)
        for salt, (role, user) in enumerate(cast.users().items()):
            if expected[role] >= 400 or name in {"logout", "logout_all", "login"}:
                continue
            client.force_login(user)
            failures += [f"{role}: {f}" for f in _probe(client, url, method, salt + len(name))]
    assert not failures, "\n".join(failures)
