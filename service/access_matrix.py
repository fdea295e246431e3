"""The authorisation matrix: for every route and API endpoint, who may call it and on what scope.

This table is the specification, written out by hand: `service/access.py` and the use cases
enforce it, and `tests/security/test_matrix.py` calls every route of the application as every
role, inside and outside the caller's scope, and checks the answers against it. A route without
a line here fails that test. `matrix_markdown()` prints it for SECURITY.md.

Answers, whatever the route:
- anonymous: screens redirect to the login page (302), the API answers 401 (JSON);
- a role not listed: 403 — or, on an id outside its scope, exactly what an unknown id gets;
- a listed role on an id outside its scope: 404, the same page as for an id that does not exist
  (existence is not revealed: no name, no other message);
- API bodies are parsed before the role is checked: a malformed body gets 400/422 whoever sends
  it, which tells nothing about any case.
"""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("ass", "direction", "ctsd", "auditeur", "admin")
PUBLIC = "public"

#: scope kinds
CASE = "case"  # the case in the path: own establishments (ass, direction), own département (ctsd, auditeur)
DEPARTEMENT = "departement"  # the département in the path: own (ctsd, auditeur), of own establishments
#                              (ass, direction), every one (admin)
NONE = "none"  # no id in the path; what is shown is filtered to the caller's scope, or holds no case data

#: lane rules of task routes
LANE = "lane"  # only the role of the task's lane
LANE_OR_SUPERVISOR = "lane_or_supervisor"  # the lane's role, or the CTSD (who supervises every step)
SUPERVISORS = frozenset({"ctsd"})


@dataclass(frozen=True)
class Line:
    """One line of the matrix: an endpoint (Flask name) and its methods."""

    endpoint: str
    methods: tuple[str, ...]
    roles: frozenset[str]  # or {PUBLIC}
    scope: str = NONE
    lane: str | None = None
    note: str = ""

    @property
    def public(self) -> bool:
        return PUBLIC in self.roles

    def allows(self, role: str, lane_role: str | None = None) -> bool:
        """May `role` call this route (on a task of the lane `lane_role`, for task routes)?"""
        if self.public:
            return True
        if role not in self.roles:
            return False
        if self.lane and lane_role is not None:
            return role == lane_role or (self.lane == LANE_OR_SUPERVISOR and role in SUPERVISORS)
        return True


def _line(endpoint: str, methods: str, roles: str, scope: str = NONE, lane: str | None = None,
          note: str = "") -> Line:
    return Line(endpoint, tuple(methods.split()), frozenset(roles.split()), scope, lane, note)


EVERYONE = "ass direction ctsd auditeur admin"
CASE_READERS = "ass direction ctsd auditeur"
LANES = "ass direction ctsd"

MATRIX: tuple[Line, ...] = (
    # --- screens
    _line("static", "GET", PUBLIC, note="feuilles de style, scripts, icônes"),
    _line("auth.login", "GET POST", PUBLIC,
          note="connecté·e : renvoyé·e à l'accueil ; `next` : un chemin du site seulement"),
    _line("auth.logout", "POST", EVERYONE),
    _line("auth.code", "GET POST", PUBLIC,
          note="second écran de connexion (code TOTP) ; sans mot de passe accepté juste avant : renvoyé·e à `/login`"),
    _line("account.show", "GET", EVERYONE, note="son propre compte : double authentification"),
    _line("account.enrol", "POST", EVERYONE, note="son propre compte : nouveau QR code d'enrôlement"),
    _line("account.confirm", "POST", EVERYONE, note="son propre compte : premier code, qui active le second facteur"),
    _line("inbox.index", "GET", EVERYONE,
          note="étapes à faire de son rôle dans son périmètre ; l'auditeur va à la liste des dossiers, "
               "l'administrateur voit les comptes"),
    _line("cases.index", "GET POST", CASE_READERS, note="dossiers de son périmètre ; recherche envoyée en POST"),
    _line("cases.new", "GET POST", "ass", note="dans ses établissements seulement (sinon 422)"),
    _line("cases.show", "GET", CASE_READERS, CASE),
    _line("cases.start", "POST", "ass", CASE),
    _line("cases.diagram", "GET", CASE_READERS, CASE, note="procédure de ce dossier seulement"),
    _line("cases.notes", "GET", "ass ctsd", CASE,
          note="dossier social confidentiel : jamais la direction, les auditeurs ni les administrateurs"),
    _line("cases.notes", "POST", "ass", CASE, note="dossier social confidentiel : l'ASS seulement écrit"),
    _line("cases.timeline", "GET", "ass ctsd auditeur", CASE),
    _line("cases.timeline_csv", "GET", "ass ctsd auditeur", CASE, note="la chronologie en CSV ; téléchargement tracé"),
    _line("cases.document", "GET", CASE_READERS, CASE, note="document de ce dossier seulement"),
    _line("cases.export", "POST", "auditeur", CASE,
          note="motif et mot de passe ressaisi (5 min) vérifiés avant le dossier : 303 sinon"),
    _line("tasks.show", "GET", LANES, CASE, LANE_OR_SUPERVISOR),
    _line("tasks.submit", "POST", LANES, CASE, LANE,
          note="le CTSD lit toutes les étapes mais ne complète que les siennes"),
    _line("audit.index", "GET", "auditeur admin", note="état de la chaîne, sans contenu de dossier"),
    _line("protocols.mine", "GET", EVERYONE, note="redirige vers le protocole de son département"),
    _line("protocols.show", "GET", EVERYONE, DEPARTEMENT),
    _line("protocols.show", "POST", "ctsd admin", DEPARTEMENT),
    # --- JSON API (bearer token, or session with the X-CSRFToken header)
    _line("api.openapi", "GET", PUBLIC),
    _line("api.procedures", "GET", EVERYONE, note="le catalogue, sans donnée de dossier"),
    _line("api.create_case", "POST", "ass", note="dans ses établissements seulement (sinon 422)"),
    _line("api.get_case", "GET", CASE_READERS, CASE),
    _line("api.create_procedure", "POST", "ass", CASE),
    _line("api.notes", "GET", "ass ctsd", CASE, note="dossier social confidentiel"),
    _line("api.notes", "POST", "ass", CASE, note="dossier social confidentiel : l'ASS seulement"),
    _line("api.timeline", "GET", "ass ctsd auditeur", CASE),
    _line("api.documents", "GET", CASE_READERS, CASE),
    _line("api.document", "GET", CASE_READERS, CASE, note="document de ce dossier seulement"),
    _line("api.export", "POST", "auditeur", CASE,
          note="par la session : identité confirmée à l'écran dans les 5 minutes (403 sinon)"),
    _line("api.list_tasks", "GET", EVERYONE, note="étapes à faire de son rôle dans son périmètre"),
    _line("api.get_task", "GET", LANES, CASE, LANE_OR_SUPERVISOR),
    _line("api.complete", "POST", LANES, CASE, LANE),
    _line("api.draft", "PUT", LANES, CASE, LANE),
    _line("api.get_protocol", "GET", EVERYONE, DEPARTEMENT),
    _line("api.put_protocol", "PUT", "ctsd admin", DEPARTEMENT),
    _line("api.audit_verify", "GET", "auditeur admin"),
)


def line_for(endpoint: str, method: str) -> Line | None:
    """The matrix line of an endpoint and method, or None when the matrix has none."""
    for line in MATRIX:
        if line.endpoint == endpoint and method in line.methods:
            return line
    return None


SCOPE_LABELS = {CASE: "dossier", DEPARTEMENT: "département", NONE: "—"}
LANE_LABELS = {LANE: "couloir de l'étape seulement", LANE_OR_SUPERVISOR: "couloir de l'étape, ou ctsd"}


def matrix_markdown(app=None) -> str:
    """The matrix as a Markdown table, in French, for SECURITY.md; with a Flask `app`, each line
    also gives the route's address (`.venv/bin/python -m service.access_matrix` prints it)."""
    rules = {r.endpoint: r.rule for r in app.url_map.iter_rules()} if app is not None else {}
    rows = ["| méthode | adresse | rôles autorisés | périmètre | rôle non autorisé | hors périmètre | remarque |",
            "|---|---|---|---|---|---|---|"]
    for line in MATRIX:
        where = f"`{rules[line.endpoint]}`" if rules and line.endpoint in rules else ""
        where = f"{where} (`{line.endpoint}`)" if where else f"`{line.endpoint}`"
        roles = "tous, sans connexion" if line.public else ", ".join(r for r in ROLES if r in line.roles)
        if line.lane:
            roles += f" ({LANE_LABELS[line.lane]})"
        refused = "—" if line.public or line.roles >= set(ROLES) else "403"
        outside = "404 (comme un id inconnu)" if line.scope != NONE else "—"
        rows.append(f"| {' '.join(line.methods)} | {where} | {roles} | {SCOPE_LABELS[line.scope]} | "
                    f"{refused} | {outside} | {line.note} |")
    footer = ("\nPérimètre « dossier » : les dossiers de ses établissements (ass, direction), de son "
              "département (ctsd, auditeur). Périmètre « département » : le sien (ctsd, auditeur), ceux de "
              "ses établissements (ass, direction), tous (admin). « — » : pas d'identifiant dans l'adresse ; "
              "ce qui est montré est filtré sur son périmètre ou ne contient aucune donnée de dossier.\n\n"
              "Sans connexion : les écrans renvoient vers `/login` (302), l'API répond 401. Un rôle non "
              "autorisé reçoit 403 ; sur un identifiant hors de son périmètre, exactement la réponse d'un "
              "identifiant inconnu. Hors périmètre, un rôle autorisé reçoit 404, la même page que pour un "
              "dossier, une étape, un document ou un département inexistant.")
    return "\n".join(rows) + "\n" + footer + "\n"


if __name__ == "__main__":  # pragma: no cover - a convenience for writing SECURITY.md
    from . import create_app
    print(matrix_markdown(create_app({"SECRET_KEY": "-", "SQLALCHEMY_DATABASE_URI": "sqlite://"})), end="")


__all__ = ["MATRIX", "Line", "line_for", "matrix_markdown", "PUBLIC", "CASE", "DEPARTEMENT", "NONE",
           "LANE", "LANE_OR_SUPERVISOR", "ROLES"]
