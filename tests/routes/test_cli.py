"""The `vigie` commands of DESIGN.md's external contract."""
from __future__ import annotations

import json

import sqlalchemy as sa

from service.extensions import db
from service.models import ApiToken, Establishment, User
from service.usecases.audit import export_case
from tests.factories import World, make_case


def test_establishment_add_checks_the_uai(runner):
    ok = runner.invoke(args=["establishment", "add", "--uai", "0751234J", "--name", "Collège Jean Moulin",
                             "--departement", "75"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(args=["establishment", "add", "--uai", "0751234A", "--name", "X", "--departement", "75"])
    assert bad.exit_code == 1 and "Code UAI invalide" in bad.output
    again = runner.invoke(args=["establishment", "add", "--uai", "0751234J", "--name", "X", "--departement", "75"])
    assert again.exit_code == 1 and "existe déjà" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Establishment)) == 1


def test_create_user_reads_the_password_from_stdin_and_mints_a_token(runner, client):
    runner.invoke(args=["establishment", "add", "--uai", "0751234J", "--name", "Collège", "--departement", "75"])
    result = runner.invoke(args=["create-user", "--username", "acc_ass", "--role", "ass",
                                 "--establishment", "0751234J"], input="Vigie-long-secret\nVigie-long-secret\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "acc_ass"))
    assert user.password_hash.startswith("$argon2id$")
    short = runner.invoke(args=["create-user", "--username", "b", "--role", "admin"], input="court\n")
    assert short.exit_code == 1 and "12 caractères" in short.output
    scope = runner.invoke(args=["create-user", "--username", "ctsd1", "--role", "ctsd"], input="Vigie-long-secret\n")
    assert scope.exit_code == 1 and "département" in scope.output
    token = runner.invoke(args=["token", "create", "--username", "acc_ass"])
    value = token.output.strip().splitlines()[-1].split()[-1]
    assert value.startswith("vigie_")
    assert db.session.scalar(sa.select(ApiToken.token_hash)) != value  # only its hash is stored
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {value}"}).status_code == 200


def test_audit_verify_prints_ok_or_the_broken_seq(app, runner):
    world = World()
    make_case(world.ass)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and result.output.startswith("OK 1 events, head ")
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(sa.text("DROP TRIGGER audit_event_no_update"))
        else:
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        conn.execute(sa.text("UPDATE audit_event SET payload = '{}' WHERE seq = 1"))
    db.session.rollback()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1 and "seq 1" in broken.output


def test_bpmn_check_passes_on_the_shipped_diagrams(runner):
    result = runner.invoke(args=["bpmn", "check"])
    assert result.exit_code == 0, result.output
    assert "OK information_preoccupante" in result.output


def test_bpmn_check_fails_on_a_broken_diagram(app, runner, tmp_path):
    import shutil
    from pathlib import Path
    copy = tmp_path / "bpmn"
    shutil.copytree(Path(app.config["VIGIE_BPMN_DIR"]), copy)
    form = copy / "information_preoccupante" / "forms" / "valider_ip.json"
    form.write_text(form.read_text().replace('"required": [', '"required": ["absent", ', 1))
    app.extensions["workflows"].bpmn_dir = copy
    result = runner.invoke(args=["bpmn", "check"])
    assert result.exit_code == 1 and "« absent » est requis mais n'est pas une propriété" in result.output


def test_timers_run_once(runner):
    result = runner.invoke(args=["timers", "run", "--once"])
    assert result.exit_code == 0 and "0 procédure(s)" in result.output


def test_demo_loads_once(runner):
    first = runner.invoke(args=["demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "ass.demo" in first.output and "ctsd.demo" in first.output
    second = runner.invoke(args=["demo", "--if-empty"])
    assert "déjà présentes" in second.output
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0


def test_checkpoint_then_verify_against_it_then_prove_a_case_export(app, runner, tmp_path):
    app.config.update(VIGIE_AUDIT_KEY=str(tmp_path / "k" / "audit.pem"),
                      VIGIE_CHECKPOINT_DIR=str(tmp_path / "cp"))
    world = World()
    case = make_case(world.ass)
    signed = runner.invoke(args=["audit", "checkpoint"])
    assert signed.exit_code == 0, signed.output
    assert "Clé de signature créée" in signed.output and "Point de contrôle :" in signed.output
    checkpoint = next((tmp_path / "cp").glob("checkpoint-*.json"))
    verified = runner.invoke(args=["audit", "verify", "--checkpoint", str(checkpoint)])
    assert verified.exit_code == 0, verified.output
    assert ": cohérent" in verified.output and "racine de Merkle" in verified.output

    export = tmp_path / "dossier.json"
    export.write_text(json.dumps(export_case(world.actor("auditeur"), case.id, "Contrôle")), encoding="utf-8")
    proved = runner.invoke(args=["audit", "prove", str(export), "--public-key",
                                 str(tmp_path / "k" / "audit.pem.pub")])
    assert proved.exit_code == 0 and proved.output.startswith("OK ")
    altered = json.loads(export.read_text(encoding="utf-8"))
    altered["events"][0]["actor_role"] = "admin"
    export.write_text(json.dumps(altered), encoding="utf-8")
    refused = runner.invoke(args=["audit", "prove", str(export)])
    assert refused.exit_code == 1
    assert f"ÉCHEC : événement {altered['events'][0]['seq']} : contenu modifié" in refused.output
