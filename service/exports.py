"""The readable PDF of a case export: the timeline an inspector reads, with what proves it."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF

from .forms import PARIS

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core
_LATIN1 = str.maketrans({"œ": "oe", "Œ": "OE", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...",
                         "—": "-", "–": "-", "\u202f": " ", "·": "."})


class _Document(FPDF):
    def __init__(self, title: str):
        super().__init__(format="A4")
        self.title_text = title
        self.unicode = (FONT_DIR / "DejaVuSans.ttf").exists()
        if self.unicode:
            self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.family = "DejaVu" if self.unicode else "Helvetica"
        self.set_auto_page_break(True, margin=15)

    def text_of(self, value: Any) -> str:
        text = str(value)
        return text if self.unicode else text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 7)
        self.cell(0, 5, self.text_of(f"{self.title_text} — page {self.page_no()}/{{nb}}"), align="C")

    def line_of(self, text: str, size: float = 9, bold: bool = False, height: float = 4.6) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(0, height, self.text_of(text), new_x="LMARGIN", new_y="NEXT")


def _when(stamp: str) -> str:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(PARIS)
    return moment.strftime("%d/%m/%Y à %H:%M:%S")


def case_export_pdf(export: dict[str, Any], labels: dict[str, str], roles: dict[str, str]) -> bytes:
    """The PDF of an export made by `usecases.audit.export_case` (same content as its JSON)."""
    case, checkpoint = export["case"], export["checkpoint"]
    pdf = _Document(f"Dossier n° {case['id']} — export de la piste d'audit")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.line_of(f"Dossier n° {case['id']} — {case['pupil']}", 14, bold=True, height=7)
    pdf.line_of(f"{case['establishment']} ; dossier ouvert le {_when(case['opened_at'])}")
    pdf.line_of(f"Export du {_when(export['exported_at'])} par {export['exported_by']} ; "
                f"motif : {export['purpose']}")
    pdf.ln(2)
    pdf.line_of("Comment vérifier ce document", 10, bold=True)
    pdf.line_of(
        "Chaque événement ci-dessous porte son numéro dans la piste d'audit et son empreinte. Le "
        "fichier JSON remis avec ce PDF contient, pour chacun, sa preuve d'inclusion dans l'arbre de "
        f"Merkle du point de contrôle n° {checkpoint['tree_size']} (racine {checkpoint['root_hash']}), "
        f"signé le {_when(checkpoint['timestamp'])} avec la clé {checkpoint['key_id']}. La commande "
        "« vigie audit prove fichier.json --public-key clé.pub » le vérifie sans la base de données.", 8)
    pdf.ln(2)
    for event in export["events"]:
        who = event["actor_role"] and roles.get(event["actor_role"], event["actor_role"])
        pdf.line_of(f"n° {event['seq']} — {_when(event['created_at'])} — "
                    f"{labels.get(event['event_type'], event['event_type'])}", 9, bold=True)
        pdf.line_of(f"par l'utilisateur {event['actor_id']} ({who})" if event["actor_id"] else
                    f"par {who or 'Vigie'}", 8)
        for row in event.get("rows") or []:
            pdf.line_of(f"{row[0]} : {row[1]}", 8)
        pdf.set_text_color(90, 90, 90)
        pdf.line_of(f"empreinte {event['hash']}", 6.5, height=3.4)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1.5)
    return bytes(pdf.output())
