"""The README stays true: one row per procedure of `bpmn/` with its lanes, the DSFR terms accepted."""
from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from workflows import read_bundles
from workflows.checks import NS

ROOT = Path(__file__).resolve().parents[1]


def procedure_rows() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Les procédures", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): line for line in section.splitlines()
            if (m := re.match(r"\| `([a-z_]+)`", line))}


def test_the_readme_table_has_one_row_per_procedure_with_its_lanes():
    rows = procedure_rows()
    bundles = read_bundles(ROOT / "bpmn")
    assert set(rows) == set(bundles)
    for process_id, bundle in bundles.items():
        root = etree.fromstring(bundle.bpmn.encode("utf-8"))
        lanes = {lane.get("name") for lane in root.iterfind(".//bpmn:lane", NS)}
        short = {"Assistant·e de service social": "ASS", "Direction d'établissement": "direction",
                 "Conseiller·ère technique départemental·e": "CTSD"}
        cells = [cell.strip() for cell in rows[process_id].strip("|").split("|")]
        assert len(cells) == 5, f"{process_id}: procedure, purpose, legal basis, lanes, timers"
        assert {short[lane] for lane in lanes} == set(re.split(r",\s*", cells[3])), process_id


def test_every_event_a_diagram_declares_has_a_french_label():
    from service.routes.presentation import EVENT_LABELS
    declared = set()
    for bundle in read_bundles(ROOT / "bpmn").values():
        for value in re.findall(r'name="(?:decisionEvents|completionEvent)" value="([^"]*)"', bundle.bpmn):
            declared |= {item.rsplit(":", 1)[-1] for item in value.split(",")}
    assert declared - set(EVENT_LABELS) == set()


def test_the_dsfr_terms_are_accepted_for_the_version_vendored():
    import json
    terms = (ROOT / ".dsfr.yml").read_text(encoding="utf-8")
    locked = json.loads((ROOT / "package-lock.json").read_text())["packages"]["node_modules/@gouvfr/dsfr"]
    assert re.search(r"^conditions_acceptees: true$", terms, re.M)
    assert re.search(rf"^version: {re.escape(locked['version'])}$", terms, re.M)
    manifest = (ROOT / "static" / "vendor" / "MANIFEST.sha256").read_text()
    assert f"# @gouvfr/dsfr {locked['version']}\n" in manifest
    assert "`.dsfr.yml`" in (ROOT / "README.md").read_text(encoding="utf-8")
