#!/usr/bin/env python3
"""Copy the minimal subset of the npm packages that Vigie serves into static/vendor/, with a manifest.

    scripts/vendor_assets.py           install package-lock.json's versions, copy, write MANIFEST.sha256
    scripts/vendor_assets.py --check   install them again in a scratch folder and fail if a committed
                                       file differs from the package, is missing or is not in the manifest

The packages come from the npm registry with `npm ci --ignore-scripts` (no install script runs).
Only what a page loads is copied: the DSFR stylesheet and script, the fonts and icons that
stylesheet names, the bpmn-js navigated viewer and its two stylesheets, axe-core for the browser
tests, and each package's licence.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
MANIFEST = VENDOR / "MANIFEST.sha256"

# package -> (folder under static/vendor, files to copy relative to the package)
PACKAGES = {
    "@gouvfr/dsfr": ("dsfr", ["dist/dsfr.min.css", "dist/dsfr.module.min.js", "LICENSE.md"]),
    "bpmn-js": ("bpmn-js", ["dist/bpmn-navigated-viewer.production.min.js", "dist/assets/diagram-js.css",
                            "dist/assets/bpmn-js.css", "LICENSE"]),
    "axe-core": ("axe-core", ["axe.min.js", "LICENSE"]),
}
CSS_URL = re.compile(r"url\(\s*['\"]?(?!data:)([^'\")]+)['\"]?\s*\)")


def referenced_assets(css_path: Path) -> list[str]:
    """The files a stylesheet loads (fonts in woff2 only, icons), relative to the stylesheet."""
    names = sorted(set(CSS_URL.findall(css_path.read_text(encoding="utf-8"))))
    return [n for n in names if not n.endswith(".woff")]  # every browser Vigie supports reads woff2


def install(workdir: Path) -> Path:
    for name in ("package.json", "package-lock.json"):
        shutil.copy(ROOT / name, workdir / name)
    subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                   cwd=workdir, check=True)
    return workdir / "node_modules"


def strip_prefix(relative: str) -> str:
    return relative.removeprefix("dist/assets/").removeprefix("dist/")


def copy_subset(modules: Path, target: Path) -> dict[str, str]:
    """Copy into `target`; returns {path under target: sha256}."""
    copied: dict[str, str] = {}

    def put(source: Path, destination: str) -> None:
        out = target / destination
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, out)
        copied[destination] = hashlib.sha256(out.read_bytes()).hexdigest()

    for package, (folder, files) in PACKAGES.items():
        base = modules / package
        for relative in files:
            source, destination = base / relative, f"{folder}/{strip_prefix(relative)}"
            put(source, destination)
            if source.suffix == ".css":  # its fonts and icons, at the same place relative to it
                for asset in referenced_assets(source):
                    if (source.parent / asset).is_file():
                        put(source.parent / asset, f"{destination.rpartition('/')[0]}/{asset}")
    return copied


def versions(modules: Path) -> dict[str, str]:
    return {p: json.loads((modules / p / "package.json").read_text())["version"] for p in PACKAGES}


def manifest_text(files: dict[str, str], pinned: dict[str, str]) -> str:
    header = "".join(f"# {name} {version}\n" for name, version in pinned.items())
    return header + "".join(f"{digest}  {path}\n" for path, digest in sorted(files.items()))


def committed_files() -> set[str]:
    return {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file() and p != MANIFEST}


def write() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        modules = install(Path(scratch))
        if VENDOR.exists():
            shutil.rmtree(VENDOR)
        files = copy_subset(modules, VENDOR)
        MANIFEST.write_text(manifest_text(files, versions(modules)))
    size = sum((VENDOR / p).stat().st_size for p in files)
    print(f"{len(files)} fichiers copiés dans static/vendor/ ({size / 1024:.0f} Kio)")
    return 0


def check() -> int:
    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "npm").mkdir()
        modules = install(Path(scratch) / "npm")
        expected = copy_subset(modules, Path(scratch) / "out")
        if MANIFEST.read_text() != manifest_text(expected, versions(modules)):
            problems.append("MANIFEST.sha256 ne correspond pas aux paquets de package-lock.json")
    for path in sorted(committed_files() | set(expected)):
        local = VENDOR / path
        if path not in expected:
            problems.append(f"{path} : fichier en trop, absent des paquets")
        elif not local.is_file():
            problems.append(f"{path} : manquant")
        elif hashlib.sha256(local.read_bytes()).hexdigest() != expected[path]:
            problems.append(f"{path} : contenu différent du paquet npm")
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"static/vendor/ : {len(expected)} fichiers identiques aux paquets npm de package-lock.json")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="vérifier au lieu d'écrire")
    return check() if parser.parse_args().check else write()


if __name__ == "__main__":
    sys.exit(main())
