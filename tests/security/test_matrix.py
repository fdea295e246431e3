"""The authorisation matrix (service/access_matrix.py), checked by calling every route.

Every (route, method) of the application × every role (and an anonymous client) × a case inside
and outside the caller's scope (for routes taking an id) × a bearer token and the session (API):
the answer must be the one the matrix states. One world is built for the module: the calls
that pass are refused by validation afterwards (empty or invalid bodies), so they change no case
(an auditor's export, a logout or a TOTP enrolment begun do change something, harmlessly); a
refused call must change nothing about any case. The figure for the release note:
`pytest -s -k combination_count tests/security/test_matrix.py`.

Also the request rules of issue 6: CSRF on every form POST, security headers on every response,
no child data in URLs, safe `next` redirects.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from service import create_app
from service.access import Actor
from service.access_matrix import CASE, DEPARTEMENT, MATRIX, NONE, ROLES, line_for, matrix_markdown
from service.api.openapi import spec_dict
from service.extensions import db
from service.models import AuditEvent, Document, HumanTask, Procedure
from service.usecases.procedures import start_procedure
from service.usecases.tasks import complete_task
from tests.conftest import ON_POSTGRES, AuthActions, FreshContextClient, _empty_postgres
from tests.factories import PASSWORD, World, make_case, make_user, token_for
from tests.helpers import fingerprint, ready_task
from tests.ip_samples import sample

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
ID_ARGUMENTS = {"case_id", "procedure_id", "document_id", "task_id", "code"}
GHOST_TASK = "00000000-0000-0000-0000-000000000000"
LANE_TASKS = {"ass": "recueillir_faits", "direction": "viser_ip", "ctsd": "transmettre_crip"}
TO_TRANSMISSION = [("ass", "recueillir_faits"), ("ass", "qualifier_gravite"), ("ass", "evaluer_situation"),
                   ("ass", "rediger_ip"), ("ass", "informer_parents"), ("direction", "viser_ip"),
                   ("ctsd", "valider_ip")]

#: bodies that pass the API's parsing, so that the role and scope checks are reached, and that the
#: use case refuses afterwards (or that do no harm: an auditor's export)
API_BODIES = {
    "api.create_case": lambda site: {"pupil": {"last_name": "Essai", "first_name": "Matrice",
                                               "birth_date": "2013-03-14"},
                                     "establishment": site.world.lycee.uai},  # outside every ass's scope here
    "api.create_procedure": lambda site: {"procedure": "procedure_inconnue"},
    "api.complete": lambda site: {"data": {}},
    "api.draft": lambda site: {"data": []},
    "api.put_protocol": lambda site: {"protocol": {}, "reason": "Contrôle de la matrice"},
    "api.export": lambda site: {"purpose": "Contrôle de la matrice d'accès", "format": "json"},
    "api.notes": lambda site: {"kind": "autre", "body": "Contrôle de la matrice d'accès."},
}
#: screen forms are sent empty, but for the export, whose reason and password (re-authentication)
#: are checked before the case is looked at
FORM_BODIES = {"cases.export": {"motif": "Contrôle de la matrice d'accès", "format": "json", "password": PASSWORD}}
#: API calls that, by session, need the identity confirmed on a screen within the last minutes
STEP_UP = {"api.export": "cases.export"}


def url_rules(app) -> list[tuple[str, str, str, frozenset[str]]]:
    """(endpoint, method, rule, arguments) of every route, HEAD and OPTIONS aside."""
    return sorted((r.endpoint, m, r.rule, frozenset(r.arguments))
                  for r in app.url_map.iter_rules() for m in r.methods - SKIPPED_METHODS)


_SHAPE_APP = create_app({"SECRET_KEY": "-", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
ROUTES = url_rules(_SHAPE_APP)


# ------------------------------------------------------------------ the combinations


@dataclass(frozen=True)
class Combo:
    endpoint: str
    method: str
    role: str | None  # None: anonymous
    side: str  # "inside", "outside", or "-" (no id in the path)
    lane: str | None = None  # the lane of the task called, for task routes
    via: str = "session"  # "session" or "bearer" (API)

    def __str__(self) -> str:
        parts = [self.method, self.endpoint, self.role or "anonyme", self.side]
        if self.lane:
            parts.append(f"étape-{self.lane}")
        if self.endpoint.startswith("api."):
            parts.append(self.via)
        return " ".join(parts)


def combinations() -> list[Combo]:
    out = []
    for endpoint, method, _rule, arguments in ROUTES:
        line = line_for(endpoint, method)
        if line is None:
            continue  # test_every_route_has_a_line names it
        api = endpoint.startswith("api.")
        with_ids = bool(arguments & ID_ARGUMENTS)
        lanes = tuple(LANE_TASKS) if "task_id" in arguments else (None,)
        out.append(Combo(endpoint, method, None, "inside" if with_ids else "-", lanes[0], "none" if api else "session"))
        for role in ROLES:
            for via in (("bearer", "session") if api else ("session",)):
                for side in (("inside", "outside") if with_ids else ("-",)):
                    for lane in lanes:
                        out.append(Combo(endpoint, method, role, side, lane, via))
    return out


COMBOS = combinations()


def expectation(combo: Combo) -> str:
    """What the matrix says this call must get: public, login, allowed, hidden, refused, refused_or_hidden."""
    line = line_for(combo.endpoint, combo.method)
    if line.public:
        return "public"
    if combo.role is None:
        return "login"
    inside = combo.side != "outside" or line.scope == NONE or (line.scope == DEPARTEMENT and combo.role == "admin")
    if line.allows(combo.role, combo.lane):
        return "allowed" if inside else "hidden"
    return "refused" if inside else "refused_or_hidden"


# ------------------------------------------------------------------ the world, built once


@dataclass
class Side:
    """The ids of one side: a case with an IP at each lane's step, and a transmission document."""

    case_id: int
    procedure_id: int
    document_id: int
    code: str
    tasks: dict[str, str]
    names: tuple[str, ...]

    def values(self, arguments, lane) -> dict:
        found = {"case_id": self.case_id, "procedure_id": self.procedure_id, "document_id": self.document_id,
                 "code": self.code, "task_id": self.tasks.get(lane), "filename": "vigie.css"}
        return {k: v for k, v in found.items() if k in arguments}


@dataclass
class Site:
    app: object
    world: World
    tokens: dict[str, str]
    inside: Side
    outside: Side
    ghost: Side
    sessions: dict = field(default_factory=dict)  # role -> (session cookie, CSRF token)


def _side(people: dict, establishment, last_name: str, first_name: str) -> Side:
    """A case of `establishment` with three IPs: one at each lane's step, the last one past the
    CTSD's validation (so with its transmission document). `people`: role -> user."""
    actors = {role: Actor.of(user) for role, user in people.items()}
    case = make_case(people["ass"], establishment, last_name=last_name, first_name=first_name)
    procedures = {}
    for lane, done in (("ass", 0), ("direction", 5), ("ctsd", 7)):
        procedure_id = start_procedure(actors["ass"], case.id, "information_preoccupante").procedure_id
        for role, spec_id in TO_TRANSMISSION[:done]:
            complete_task(actors[role], ready_task(actors[role], spec_id, procedure_id).id, sample(spec_id))
        procedures[lane] = procedure_id
    tasks = {lane: ready_task(actors[lane], LANE_TASKS[lane], procedures[lane]).id for lane in LANE_TASKS}
    document_id = db.session.scalar(sa.select(Document.id).where(Document.procedure_id == procedures["ctsd"]))
    return Side(case.id, procedures["ass"], document_id, establishment.departement_code, tasks,
                (last_name, first_name))


@pytest.fixture(scope="module")
def site(database, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("matrix")
    app = create_app(database(tmp, VIGIE_AUDIT_KEY=str(tmp / "audit.pem"),
                              VIGIE_CHECKPOINT_DIR=str(tmp / "checkpoints")))
    app.test_client_class = FreshContextClient
    with app.app_context():
        if ON_POSTGRES:
            _empty_postgres()
        world = World()
        world.direction2 = make_user("direction", establishments=[world.lycee])
        db.session.commit()
        inside = _side({"ass": world.ass, "direction": world.direction, "ctsd": world.ctsd},
                       world.college, "Dedans", "Inès")
        outside = _side({"ass": world.ass2, "direction": world.direction2, "ctsd": world.ctsd2},
                        world.lycee, "Horsperimetre", "Zoélie")
        ghost = Side(10**6, 10**6, 10**6, "00", dict.fromkeys(LANE_TASKS, GHOST_TASK), ())
        tokens = {role: token_for(getattr(world, role)) for role in ROLES}
        db.session.commit()
        yield Site(app, world, tokens, inside, outside, ghost)
        db.session.remove()
        db.engine.dispose()


# ------------------------------------------------------------------ calling a route


def _url(app, combo: Combo, side: Side) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == combo.endpoint and combo.method in r.methods)
    return app.url_map.bind("localhost").build(combo.endpoint, side.values(rule.arguments, combo.lane),
                                               method=combo.method)


def _session(site: Site, role: str) -> tuple[str, str]:
    """The session cookie of `role` signed in, and its CSRF token (one login per role and module)."""
    if role not in site.sessions:
        client = site.app.test_client()
        assert AuthActions(client).login(getattr(site.world, role).username).status_code == 302
        page = client.get("/", follow_redirects=True).get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        site.sessions[role] = client.get_cookie(site.app.config["SESSION_COOKIE_NAME"]).value, token
    return site.sessions[role]


def _client(site: Site, combo: Combo):
    """A new client: anonymous, with a bearer token, or with the role's session cookie as it was
    just after the login (no message left over from another call)."""
    client = site.app.test_client()
    headers = {}
    if combo.role and combo.via == "bearer":
        headers["Authorization"] = f"Bearer {site.tokens[combo.role]}"
    elif combo.role:
        cookie, token = _session(site, combo.role)
        client.set_cookie(site.app.config["SESSION_COOKIE_NAME"], cookie)
        if combo.endpoint in STEP_UP and combo.role in line_for(combo.endpoint, combo.method).roles:
            screen = Combo(STEP_UP[combo.endpoint], "POST", combo.role, "inside")
            assert _call(site, client, {}, screen, site.inside).status_code == 200  # identity confirmed
        if combo.endpoint.startswith("api.") and combo.method != "GET":  # same-origin session call
            headers["X-CSRFToken"] = token
    return client, headers


def _call(site: Site, client, headers, combo: Combo, side: Side):
    url = _url(site.app, combo, side)
    if combo.endpoint.startswith("api.") and combo.method in ("POST", "PUT"):
        body = API_BODIES.get(combo.endpoint, lambda s: {})(site)
        return client.open(url, method=combo.method, headers=headers, json=body)
    if combo.method == "POST":
        return client.open(url, method="POST", headers=headers, data=FORM_BODIES.get(combo.endpoint, {}))
    return client.open(url, method=combo.method, headers=headers)


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.headers.get("Location", "").startswith("/login?next=")


def _check_headers(response, authenticated: bool) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "no-referrer"
    assert "Access-Control-Allow-Origin" not in response.headers  # no other site reads an answer
    if authenticated:
        assert response.headers.get("Cache-Control") == "no-store"


INLINE = re.compile(r"<style|\sstyle=|\son[a-z]+=|<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")", re.I)
URL_ATTRIBUTES = re.compile(r'(?:href|src|action|data-[a-z-]*url)="([^"]*)"', re.I)


def _check_urls_and_inline(response, names: tuple[str, ...]) -> None:
    """No pupil's name in a URL the response gives; no inline script or style in a page."""
    text = response.get_data(as_text=True) if response.mimetype in ("text/html", "application/json") else ""
    urls = [response.headers.get("Location", "")] + URL_ATTRIBUTES.findall(text)
    if response.mimetype == "application/json":
        urls += re.findall(r'"url":\s*"([^"]*)"', text)
    for url in urls:
        for name in names:
            assert name.lower() not in url.lower() and quote(name).lower() not in url.lower(), url
    if response.mimetype == "text/html":
        assert not INLINE.search(text), INLINE.search(text).group(0)


CSRF_TOKENS = re.compile(r'(name="csrf[-_]token" (?:content|value)=")[^"]+"')


def _comparable(response) -> str:
    """The body, its CSRF tokens aside (signed with the time of each request)."""
    return CSRF_TOKENS.sub(r'\1…"', response.get_data(as_text=True))


def _state() -> tuple:
    """What a refused call must leave as it was: the rows of every table but the audit trail, the
    procedures' versions, the inbox, and the events about a case (a refused call may record a
    security event, such as a re-authentication, but nothing about any case). Four queries."""
    db.session.rollback()  # a fresh snapshot: not the one of a read made before the call
    tables = [t for t in db.metadata.sorted_tables if t.name != "audit_event"]
    counts = db.session.execute(sa.union_all(*(sa.select(sa.literal(t.name), sa.func.count()).select_from(t)
                                               for t in tables))).all()
    procedures = db.session.execute(sa.select(Procedure.id, Procedure.version, Procedure.status)
                                    .order_by(Procedure.id)).all()
    tasks = db.session.execute(sa.select(HumanTask.id, HumanTask.state).order_by(HumanTask.id)).all()
    about_cases = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                    .where(AuditEvent.case_id.is_not(None)))
    db.session.rollback()
    return sorted(counts), procedures, tasks, about_cases


def _without_names(response, side: Side) -> None:
    body = response.get_data().decode("utf-8", "replace").lower()
    for name in side.names:
        assert name.lower() not in body, name


# ------------------------------------------------------------------ the tests


def test_every_route_has_a_line_and_every_line_a_route():
    routes = {(endpoint, method) for endpoint, method, _rule, _args in ROUTES}
    lines = {(line.endpoint, method) for line in MATRIX for method in line.methods}
    assert not routes - lines, f"routes sans ligne dans service/access_matrix.py : {sorted(routes - lines)}"
    assert not lines - routes, f"lignes sans route : {sorted(lines - routes)}"
    assert len(lines) == sum(len(line.methods) for line in MATRIX), "une route a deux lignes"


def test_the_matrix_holds_only_known_roles_and_scopes():
    for line in MATRIX:
        assert line.public or line.roles <= set(ROLES), line
        assert line.scope in (CASE, DEPARTEMENT, NONE), line
        rule_arguments = next(args for e, m, _r, args in ROUTES if e == line.endpoint and m in line.methods)
        takes_id = bool(rule_arguments & ID_ARGUMENTS)
        assert (line.scope != NONE) == takes_id, f"{line.endpoint}: périmètre {line.scope}, arguments {rule_arguments}"
        assert bool(line.lane) == ("task_id" in rule_arguments), line.endpoint


def test_the_matrix_reads_as_a_markdown_table():
    table = matrix_markdown(_SHAPE_APP)
    assert sum(row.startswith("| ") for row in table.splitlines()) == len(MATRIX) + 1  # header, one row per line
    assert "`/api/v1/tasks/<task_id>/complete` (`api.complete`)" in table
    security = ROOT / "SECURITY.md"
    if security.exists() and table.splitlines()[0] in security.read_text(encoding="utf-8"):
        text = security.read_text(encoding="utf-8")
        missing = [row for row in table.splitlines() if row.startswith("| ") and row not in text]
        assert not missing, "SECURITY.md : matrice à régénérer (python -m service.access_matrix)\n" + "\n".join(missing)


def test_the_openapi_document_states_the_refusals_of_the_matrix():
    """What the matrix says an endpoint may answer (401, 403, 404) is documented for it."""
    paths = spec_dict()["paths"]
    for endpoint, method, rule, _arguments in ROUTES:
        line = line_for(endpoint, method)
        if not endpoint.startswith("api.") or line.public:
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.removeprefix("/api/v1"))
        documented = set(paths[path][method.lower()]["responses"])
        wanted = {"401"} | ({"403"} if line.lane or not line.roles >= set(ROLES) else set()) | (
            {"404"} if line.scope != NONE else set())
        assert wanted <= documented, f"{method} {path}: {sorted(wanted - documented)} non documenté(s)"


def test_the_combination_count():
    """The figure for the release note: every (route, method) × caller × scope × transport."""
    count = len(COMBOS)
    print(f"\n{count} combinaisons (route × rôle × périmètre) sur {len(ROUTES)} routes")
    assert count > 10 * len(ROUTES)  # guards the generator itself


@pytest.mark.parametrize("combo", COMBOS, ids=str)
def test_the_matrix(site, combo):
    expected = expectation(combo)
    client, headers = _client(site, combo)
    side = site.outside if combo.side == "outside" else site.inside
    before = _state() if expected not in ("public", "allowed") else None
    response = _call(site, client, headers, combo, side)
    status = response.status_code
    _check_headers(response, combo.role is not None and expected != "public")
    _check_urls_and_inline(response, site.inside.names + site.outside.names)
    _without_names(response, site.outside)  # every caller here works in the other département
    if expected == "public":
        assert status < 500 and status not in (403, 404) and not _is_login_redirect(response), status
    elif expected == "login":
        if combo.endpoint.startswith("api."):
            assert status == 401 and response.json["error"] == "unauthorized", status
        else:
            assert _is_login_redirect(response), (status, response.headers.get("Location"))
    elif expected == "allowed":
        assert status < 400 or status == 422, (status, response.get_data(as_text=True)[:500])
        assert not _is_login_redirect(response)
    elif expected == "refused":
        assert status == 403, (status, response.get_data(as_text=True)[:300])
    else:  # hidden, refused_or_hidden: exactly what an id that does not exist gets
        assert status == 404 if expected == "hidden" else status in (403, 404), status
        ghost = _call(site, client, headers, combo, site.ghost)
        assert (ghost.status_code, _comparable(ghost)) == (status, _comparable(response)), \
            "la réponse hors périmètre diffère de celle d'un identifiant inconnu"
    if combo.endpoint == "auth.logout":
        site.sessions.pop(combo.role, None)  # the server-side session is over
    if expected not in ("public", "allowed"):
        _without_names(response, site.inside if combo.side != "outside" else site.outside)
        assert _state() == before, "un appel refusé a changé l'état"


# ------------------------------------------------------------------ the request rules of issue 6


def _logged_in_with_csrf(site: Site, username: str):
    """A client logged in through the real form, CSRF token included."""
    client = site.app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"username": username, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    return client


def _first_allowed(line) -> tuple[str | None, str | None]:
    """A role the line allows on the inside case (and the lane of the task to call)."""
    if line.public:
        return None, "ass"
    role = next(r for r in ROLES if r in line.roles)
    return role, role if line.lane else None


def test_every_form_post_needs_the_csrf_token(site):
    posts = [(e, m) for e, m, _r, _a in ROUTES if m in ("POST", "PUT", "PATCH", "DELETE") and not e.startswith("api.")]
    assert posts
    site.app.config["WTF_CSRF_ENABLED"] = True
    try:
        for endpoint, method in posts:
            role, lane = _first_allowed(line_for(endpoint, method))
            client = _logged_in_with_csrf(site, getattr(site.world, role).username) if role else site.app.test_client()
            combo = Combo(endpoint, method, role, "inside", lane)
            before = fingerprint()
            response = _call(site, client, {}, combo, site.inside)
            assert response.status_code == 400, (endpoint, response.status_code)
            assert "CSRF" in response.get_data(as_text=True), endpoint
            assert fingerprint() == before, endpoint
    finally:
        site.app.config["WTF_CSRF_ENABLED"] = False
    assert _SHAPE_APP.config.get("WTF_CSRF_ENABLED", True) is True  # on unless a test turns it off


def test_the_api_takes_a_bearer_token_or_a_same_origin_session_call(site):
    payload = API_BODIES["api.create_case"](site)
    site.app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = _logged_in_with_csrf(site, site.world.ass.username)
        assert client.get("/api/v1/tasks").status_code == 200  # a read needs no token
        refused = client.post("/api/v1/cases", json=payload)
        assert refused.status_code == 400 and refused.json["error"] == "csrf_failed"
        page = client.get("/").get_data(as_text=True)
        header = {"X-CSRFToken": re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)}
        assert client.post("/api/v1/cases", json=payload, headers=header).status_code == 422  # reached the use case
        bearer = {"Authorization": f"Bearer {site.tokens['ass']}"}
        assert site.app.test_client().post("/api/v1/cases", json=payload, headers=bearer).status_code == 422
        for header in ("Basic YXNzOm1vdCBkZSBwYXNzZQ==", "Bearer", "Bearer inconnu", f"Token {site.tokens['ass']}"):
            response = client.get("/api/v1/tasks", headers={"Authorization": header})  # the session is not used
            assert response.status_code == 401 and response.json["error"] == "unauthorized", header
    finally:
        site.app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize("path, method", [("/nulle-part", "GET"), ("/cases", "DELETE"), ("/static/vigie.css", "GET"),
                                          ("/api/v1/nulle-part", "GET"), ("/login", "GET")])
def test_security_headers_are_on_every_kind_of_answer(site, path, method):
    anonymous, signed_in = site.app.test_client(), site.app.test_client()
    AuthActions(signed_in).login(site.world.ass.username)
    _check_headers(anonymous.open(path, method=method), authenticated=False)
    _check_headers(signed_in.open(path, method=method), authenticated=True)


def _request_arguments() -> set[str]:
    """Every name read from a query string (`request.args`) in the application's code."""
    names = set()
    for path in (ROOT / "service").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("args", "values") and \
                    isinstance(node.value, ast.Name) and node.value.id == "request":
                names.add(f"{path.relative_to(ROOT)}:{node.lineno}:{node.attr}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and \
                    isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "args" and node.args and \
                    isinstance(node.args[0], ast.Constant):
                names.add(node.args[0].value)
    return names


def test_no_child_data_goes_into_a_url():
    # path: ids and a static file name only
    for _endpoint, _method, rule, arguments in ROUTES:
        assert arguments <= ID_ARGUMENTS | {"filename"}, f"{rule}: {arguments}"
    # query strings: the login's target, and the timeline's filters (a staff user name, two days)
    read = {name for name in _request_arguments() if ":" not in name}
    assert read <= {"next", "utilisateur", "du", "au"}, read
    assert not {name for name in _request_arguments() if name.endswith(":values")}, "request.values mêle l'URL au corps"
    # forms sent by GET carry none of the case search's or case opening's fields
    for template in (ROOT / "templates").rglob("*.html"):
        for form in re.findall(r"<form\b[^>]*method=\"get\"[^>]*>.*?</form>", template.read_text(encoding="utf-8"),
                               re.S | re.I):
            fields = set(re.findall(r'name="([^"]+)"', form))
            assert fields <= {"utilisateur", "du", "au"}, f"{template.name}: {fields}"


def test_the_case_search_is_posted_and_a_query_string_filters_nothing(site):
    client = site.app.test_client()
    AuthActions(client).login(site.world.ass.username)
    page = client.get("/cases").get_data(as_text=True)
    assert re.search(r'<form\b[^>]*method="post"[^>]*>(?:(?!</form>).)*name="q"', page, re.S)
    assert "DEDANS" in client.get("/cases?q=personne").get_data(as_text=True)  # ignored in a URL
    assert "DEDANS" not in client.post("/cases", data={"q": "personne"}).get_data(as_text=True)


OFF_SITE = ["https://evil.example/", "http:evil.example", "//evil.example", "///evil.example", "/\\evil.example",
            "\\\\evil.example", "\\/evil.example", "/\t/evil.example", "/\n/evil.example", " //evil.example",
            "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "https:/evil.example",
            "/\\/evil.example", "%2F%2Fevil.example", "evil.example", ""]


def _stays_on_site(location: str) -> bool:
    """How a browser reads a Location (WHATWG URL parsing): tabs and newlines removed, leading
    spaces and controls trimmed, backslashes as slashes: a path of this site, not `//host`."""
    seen = re.sub(r"[\t\n\r]", "", location).lstrip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f "
                                                     ).replace("\\", "/")
    return seen.startswith("/") and not seen.startswith("//")


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_login_sends_nowhere_off_the_site(site, target):
    client = site.app.test_client()
    response = client.post("/login", query_string={"next": target},
                           data={"username": site.world.ass.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/", response.headers["Location"]


@pytest.mark.parametrize("target", ["/cases", "/cases/1/timeline?du=2026-01-01", "/protocole/75"])
def test_the_login_goes_back_to_the_page_asked_for(site, target):
    client = site.app.test_client()
    response = client.post("/login", query_string={"next": target},
                           data={"username": site.world.ass.username, "password": PASSWORD})
    assert response.headers["Location"] == target and _stays_on_site(target)
