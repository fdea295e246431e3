"""The `vigie` command (also `flask --app service …`): a second adapter over the same use cases."""
from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from workflows.checks import check_bundle

from .access import LANE_ROLES, Actor
from .audit.checkpoint import Checkpoint, load_public
from .audit.proof import check_export
from .errors import VigieError
from .extensions import db
from .models import ROLES
from .usecases import accounts, audit, protocols, sessions, timers, totp

CLI = Actor.system()


def fail(error: VigieError) -> None:
    click.echo(f"Erreur : {error.message}", err=True)
    for field, messages in error.fields.items():
        for message in messages:
            click.echo(f"  {field} : {message}", err=True)
    sys.exit(1)


def read_password() -> str:
    """The password from stdin: one line, or two identical lines (entry and confirmation)."""
    if sys.stdin.isatty():
        return click.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
    lines = [line.rstrip("\r\n") for line in sys.stdin.read().splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        click.echo("Erreur : mot de passe attendu sur l'entrée standard.", err=True)
        sys.exit(1)
    if len(lines) > 1 and lines[1] != lines[0]:
        click.echo("Erreur : les deux saisies du mot de passe diffèrent.", err=True)
        sys.exit(1)
    return lines[0]


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Créer ou migrer la base de données (Alembic)."""
    from flask_migrate import upgrade
    upgrade()
    click.echo("Base de données à jour.")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Ne rien faire si des utilisateurs existent déjà.")
@with_appcontext
def demo(if_empty: bool) -> None:
    """Charger les données de démonstration (mots de passe affichés une seule fois)."""
    from .usecases.demo import load_demo
    try:
        passwords = load_demo(if_empty=if_empty)
    except VigieError as e:
        fail(e)
    if passwords is None:
        click.echo("Données de démonstration déjà présentes : rien à charger.")
        return
    click.echo("Comptes de démonstration (notez ces mots de passe : ils ne seront plus affichés) :")
    for username, (role, password) in passwords.items():
        click.echo(f"  {username:<16} {role:<10} {password}")


@click.command("create-user")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(list(ROLES)))
@click.option("--establishment", "establishments", multiple=True, help="Code UAI (répétable).")
@click.option("--departement", default=None, help="Code du département (ctsd, auditeur).")
@with_appcontext
def create_user(username: str, role: str, establishments: tuple[str, ...], departement: str | None) -> None:
    """Créer un utilisateur ; le mot de passe est lu sur l'entrée standard."""
    try:
        user = accounts.create_user(CLI, username, role, read_password(), establishments, departement)
    except VigieError as e:
        fail(e)
    click.echo(f"Utilisateur {user.username} créé ({role}).")


@click.command("set-password")
@click.option("--username", required=True)
@with_appcontext
def set_password(username: str) -> None:
    """Changer le mot de passe d'un utilisateur (lu sur l'entrée standard)."""
    try:
        accounts.set_password(CLI, username, read_password())
    except VigieError as e:
        fail(e)
    click.echo("Mot de passe changé.")


@click.group("token")
def token() -> None:
    """Jetons d'accès à l'API."""


@token.command("create")
@click.option("--username", required=True)
@with_appcontext
def token_create(username: str) -> None:
    """Créer un jeton « Bearer » (affiché une seule fois)."""
    try:
        value = accounts.create_token(CLI, username)
    except VigieError as e:
        fail(e)
    click.echo(value)


@token.command("list")
@click.option("--username", required=True)
@with_appcontext
def token_list(username: str) -> None:
    """Lister les jetons d'un utilisateur (numéro, création, révocation ; jamais leur valeur)."""
    try:
        rows = sessions.list_tokens(username)
    except VigieError as e:
        fail(e)
    for row in rows:
        state = f"révoqué le {row.revoked_at:%Y-%m-%d %H:%M} UTC" if row.revoked_at else "actif"
        click.echo(f"{row.id}\tcréé le {row.created_at:%Y-%m-%d %H:%M} UTC\t{state}")
    if not rows:
        click.echo("Aucun jeton.")


@token.command("revoke")
@click.option("--id", "token_id", required=True, type=int, help="Numéro du jeton (vigie token list).")
@with_appcontext
def token_revoke(token_id: int) -> None:
    """Révoquer un jeton d'accès à l'API : il est refusé dès la requête suivante."""
    try:
        row = sessions.revoke_token(CLI, token_id)
    except VigieError as e:
        fail(e)
    click.echo(f"Jeton {row.id} de {row.user.username} révoqué.")


@click.command("disable-user")
@click.option("--username", required=True)
@with_appcontext
def disable_user(username: str) -> None:
    """Désactiver un utilisateur : ses sessions sont fermées et ses jetons révoqués, aussitôt."""
    try:
        ended, revoked = sessions.disable_user(CLI, username)
    except VigieError as e:
        fail(e)
    click.echo(f"Utilisateur {username} désactivé : {ended} session(s) fermée(s), {revoked} jeton(s) révoqué(s).")


@click.command("enable-user")
@click.option("--username", required=True)
@with_appcontext
def enable_user(username: str) -> None:
    """Réactiver (et déverrouiller) un utilisateur ; ses anciens jetons restent révoqués."""
    try:
        sessions.enable_user(CLI, username)
    except VigieError as e:
        fail(e)
    click.echo(f"Utilisateur {username} réactivé et déverrouillé.")


@click.command("reset-totp")
@click.option("--username", required=True)
@with_appcontext
def reset_totp(username: str) -> None:
    """Retirer la double authentification d'un utilisateur (appareil perdu) : il l'active à nouveau."""
    try:
        totp.reset_totp(CLI, username)
    except VigieError as e:
        fail(e)
    click.echo(f"Double authentification de {username} retirée : elle sera à activer à la prochaine connexion.")


@click.group("establishment")
def establishment() -> None:
    """Établissements."""


@establishment.command("add")
@click.option("--uai", required=True)
@click.option("--name", required=True)
@click.option("--departement", required=True)
@with_appcontext
def establishment_add(uai: str, name: str, departement: str) -> None:
    """Ajouter un établissement par son code UAI."""
    try:
        row = accounts.add_establishment(CLI, uai, name, departement)
    except VigieError as e:
        fail(e)
    click.echo(f"Établissement {row.uai} ajouté ({row.name}, {row.departement_code}).")


@click.group("bpmn")
def bpmn() -> None:
    """Diagrammes des procédures."""


@bpmn.command("check")
@with_appcontext
def bpmn_check() -> None:
    """Valider chaque diagramme et ses formulaires ; code de sortie non nul à la moindre erreur."""
    engine = current_app.extensions["workflows"]
    problems = []
    bundles = engine.bundles()
    for bundle in bundles.values():
        found = check_bundle(engine, bundle, LANE_ROLES)
        problems += found
        if not found:
            tasks = len(engine.human_tasks(bundle))
            click.echo(f"OK {bundle.process_id} (version {bundle.content_hash[:12]}, {tasks} étapes humaines)")
    for problem in problems:
        click.echo(f"ERREUR {problem}", err=True)
    if problems or not bundles:
        sys.exit(1)


@click.group("timers")
def timers_group() -> None:
    """Délais légaux."""


@timers_group.command("run")
@click.option("--once", is_flag=True, help="Un seul passage, puis sortir.")
@click.option("--interval", default=60, show_default=True, help="Secondes entre deux passages.")
@with_appcontext
def timers_run(once: bool, interval: int) -> None:
    """Déclencher les délais échus (tâches de relance ou d'escalade)."""
    log = logging.getLogger("vigie.timers")
    while True:
        moved = timers.fire_due_timers()
        db.session.remove()  # a fresh session for each pass: nothing read before is trusted
        click.echo(f"{len(moved)} procédure(s) avancée(s) par un délai échu.")
        for procedure_id in moved:
            log.info("timer fired on procedure %s", procedure_id)
        if once:
            return
        time.sleep(interval)


@click.group("audit")
def audit_group() -> None:
    """Piste d'audit."""


@audit_group.command("verify")
@click.option("--checkpoint", "checkpoints", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Point de contrôle signé à confronter au journal (répétable).")
@click.option("--public-key", type=click.Path(exists=True, dir_okay=False),
              help="Clé publique attendue (PEM) ; par défaut celle de cette instance.")
@with_appcontext
def audit_verify(checkpoints: tuple[str, ...], public_key: str | None) -> None:
    """Recalculer la chaîne et l'arbre de Merkle ; code 0 si tout tient, 1 en nommant le premier
    seq rompu ou le point de contrôle contredit."""
    try:
        loaded = tuple(Checkpoint.read(path) for path in checkpoints)
        result = audit.verify_trail(None, loaded, audit.trusted_key(public_key))
    except ValueError as e:
        click.echo(f"Erreur : {e}", err=True)
        sys.exit(1)
    except VigieError as e:
        fail(e)
    for path, item in zip(checkpoints, result.checkpoints, strict=True):
        state = "cohérent" if item.consistent else f"CONTREDIT : {item.reason}"
        click.echo(f"point de contrôle {path} ({item.checkpoint.tree_size} événements, "
                   f"{item.checkpoint.timestamp}) : {state}")
    if result.ok:
        click.echo(f"OK {result.events} events, head {result.head}")
        click.echo(f"racine de Merkle {result.root}")
        return
    if result.broken_seq is not None:
        click.echo(f"ÉCHEC : chaîne rompue au seq {result.broken_seq} ({result.reason}) ; "
                   f"{result.events} événements vérifiés avant.")
    else:
        click.echo(f"ÉCHEC : {result.reason}.")
    sys.exit(1)


@audit_group.command("checkpoint")
@with_appcontext
def audit_checkpoint() -> None:
    """Vérifier le journal, puis signer (Ed25519) sa taille, sa racine et l'heure dans un fichier."""
    try:
        signed = audit.sign_checkpoint(None)
    except VigieError as e:
        fail(e)
    if signed.created_key:
        click.echo(f"Clé de signature créée : {audit.key_path()} (clé publique : "
                   f"{audit.key_path()}.pub). Conservez la clé hors du serveur de base de données.")
    click.echo(f"Point de contrôle : {signed.path}")
    click.echo(f"{signed.checkpoint.tree_size} événements, racine {signed.checkpoint.root_hash}, "
               f"clé {signed.checkpoint.key_id}")


@audit_group.command("prove")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--public-key", type=click.Path(exists=True, dir_okay=False),
              help="Clé publique attendue (PEM) ; sans elle, la clé nommée dans l'export.")
def audit_prove(path: str, public_key: str | None) -> None:
    """Vérifier un export de dossier seul, sans la base : empreintes, preuves d'inclusion, signature."""
    try:
        export = json.loads(Path(path).read_text(encoding="utf-8"))
        problems, checkpoint = check_export(export, load_public(public_key) if public_key else None)
    except (OSError, ValueError) as e:
        click.echo(f"Erreur : {path} illisible ({e}).", err=True)
        sys.exit(1)
    for problem in problems:
        click.echo(f"ÉCHEC : {problem}")
    if problems:
        sys.exit(1)
    click.echo(f"OK {len(export['events'])} événements du dossier {export['case']['id']} inclus dans "
               f"l'arbre signé de {checkpoint.tree_size} événements ({checkpoint.timestamp}), "
               f"racine {checkpoint.root_hash}, clé {checkpoint.key_id}"
               + ("" if public_key else " (clé non comparée : donnez --public-key)"))


@click.group("protocol")
def protocol() -> None:
    """Protocoles départementaux (circuit de l'IP, copies, destinataires, délais internes)."""


@protocol.command("show")
@click.option("--departement", required=True)
@with_appcontext
def protocol_show(departement: str) -> None:
    """Afficher le protocole en vigueur (JSON)."""
    try:
        view = protocols.view_protocol(CLI, departement)
    except VigieError as e:
        fail(e)
    click.echo(f"# {view.departement_name} ({view.departement}), version {view.version}"
               + (" (protocole par défaut)" if view.version == 0 else f" : {view.reason}"))
    click.echo(json.dumps(view.values, ensure_ascii=False, indent=2, sort_keys=True))


@protocol.command("set")
@click.option("--departement", required=True)
@click.option("--file", "path", required=True, type=click.File("r", encoding="utf-8"),
              help="Fichier JSON du protocole complet (« - » : entrée standard).")
@click.option("--reason", required=True, help="Motif de la modification (conservé dans le journal).")
@with_appcontext
def protocol_set(departement: str, path, reason: str) -> None:
    """Publier une nouvelle version du protocole ; elle vaut pour les procédures démarrées ensuite."""
    try:
        values = json.load(path)
    except ValueError as e:
        click.echo(f"Erreur : le fichier n'est pas du JSON valide ({e}).", err=True)
        sys.exit(1)
    try:
        view = protocols.set_protocol(CLI, departement, values, reason)
    except VigieError as e:
        fail(e)
    click.echo(f"Protocole de {view.departement_name} ({view.departement}) : version {view.version} "
               "en vigueur pour les procédures démarrées à partir de maintenant.")


COMMANDS = (init_db, demo, create_user, set_password, disable_user, enable_user, reset_totp, token, establishment, bpmn,
            timers_group, audit_group, protocol)


def register(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def main() -> None:
    from . import create_app
    group = FlaskGroup(name="vigie", create_app=create_app,
                       help="Vigie : procédures du service social en faveur des élèves.")
    group(prog_name="vigie")
