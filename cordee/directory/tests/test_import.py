"""DIR-2: the import of the Annuaire Santé extract."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from cordee.accounts.models import Profession, Structure
from cordee.core.identifiers import rpps_with_key
from cordee.directory.annuaire import ExtractError, Line, Rejected, check_extract, read_extract, split_extract
from cordee.directory.importer import Importer, ImportReport
from cordee.directory.models import Activity, DirectoryProfessional, NationalProfession, Specialty
from cordee.directory.tests.extract import HEADER, SAMPLE, opener, professional, row, text
from tests.factories import make_structure, make_user

PACA = frozenset({"04", "05", "06", "13", "83", "84"})


def run(content: str | bytes, departements: frozenset[str] | None = None) -> ImportReport:
    return Importer(opener(content), departements=departements).run()


# Parsing -------------------------------------------------------------------------------------


def test_quotes_are_kept_as_written_and_empty_fields_read_as_empty() -> None:
    content = text(professional("1000000001", 'DUPONT "DIT LE JEUNE"', "", site='CABINET "LES PINS"'))
    (line,) = list(read_extract(opener(content)))
    assert isinstance(line, Line)
    assert line.last_name == 'DUPONT "DIT LE JEUNE"'
    assert line.site_name == 'CABINET "LES PINS"'
    assert line.first_name == "" and line.phone == "" and line.specialty_code == ""


def test_bad_lines_are_rejected_with_their_number_and_reason() -> None:
    good = professional("1000000001", "DUPONT")
    bad_key = professional("1000000002", "DURAND").replace(rpps_with_key("1000000002"), "10000000020")
    content = text(
        good, bad_key, "8|123|8123", professional("1000000003", ""), good.replace("|10|", "|1X|", 1)
    )
    items = list(read_extract(opener(content)))
    assert isinstance(items[0], Line)
    assert [(i.number, i.reason) for i in items[1:] if isinstance(i, Rejected)] == [
        (3, "Numéro RPPS invalide : « 10000000020 »."),
        (4, "La ligne compte 3 champs au lieu de 57."),
        (5, "Nom d'exercice absent."),
        (6, "Code profession invalide : « 1X »."),
    ]


def test_a_line_with_a_nul_byte_or_an_over_long_name_is_rejected_alone() -> None:
    content = text(
        professional("1000000001", "DU\x00PONT"),
        professional("1000000002", "X" * 151),
        professional("1000000003", "MARTIN"),
    )
    items = list(read_extract(opener(content)))
    assert [(i.number, i.reason) for i in items if isinstance(i, Rejected)] == [
        (2, "La ligne contient un caractère nul."),
        (3, "Nom d'exercice trop long (151 caractères, 150 au plus)."),
    ]
    assert [i.last_name for i in items if isinstance(i, Line)] == ["MARTIN"]


def test_a_file_in_another_encoding_is_refused_whole_with_the_line(db) -> None:
    good = text(professional("1000000001", "DUPONT")).encode()
    content = good + (professional("1000000002", "BÉRAUD") + "\n").encode("cp1252")
    with pytest.raises(
        ExtractError, match=r"pas encodé en UTF-8 \(premier caractère illisible à la ligne 3\)"
    ):
        run(content)
    assert not DirectoryProfessional.objects.exists()
    with pytest.raises(ExtractError, match=r"à la ligne 1\)"):
        run(text(professional("1000000002", "BÉRAUD")).encode("cp1252"))


def test_a_file_without_the_extracts_columns_is_refused(db) -> None:
    with pytest.raises(ExtractError, match="Identification nationale PP"):
        check_extract(opener("Nom|Prénom\nDUPONT|ANNE\n"))
    with pytest.raises(ExtractError, match="vide"):
        check_extract(opener(b""))


def test_the_published_zip_and_a_byte_order_mark_are_read() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "PS_LibreAcces_Personne_activite_202612010000.txt",
            "\ufeff" + text(professional("1000000001", "DUPONT")),
        )
        archive.writestr("PS_LibreAcces_Dipl_AutExerc_202612010000.txt", "x|y\n")
    assert check_extract(opener(buffer.getvalue())) == 1
    assert [i.last_name for i in read_extract(opener(buffer.getvalue())) if isinstance(i, Line)] == ["DUPONT"]


# Import ----------------------------------------------------------------------------------------


def test_the_shipped_sample_loads_a_region_and_reports_its_rejections(db) -> None:
    report = run(SAMPLE.read_bytes(), PACA)
    assert (report.lines, report.out_of_scope, report.new, report.rejected) == (12, 1, 7, 3)
    assert report.rejections == [
        (11, "Numéro RPPS invalide : « 10099000093 »."),
        (12, "La ligne compte 7 champs au lieu de 57."),
        (13, "Nom d'exercice absent."),
    ]
    pediatrician = DirectoryProfessional.objects.get(last_name="AUBERT-LENOIR")
    assert pediatrician.rpps == rpps_with_key("1009900001") and pediatrician.title == "Docteur"
    assert pediatrician.specialty == Specialty.objects.get(code="SM40")
    assert pediatrician.national_profession.profession == Profession.objects.get(code="medecin")
    assert pediatrician.activities.count() == 2
    assert DirectoryProfessional.objects.get(last_name="D'ALMEIDA").adeli == "139900004"
    assert not DirectoryProfessional.objects.filter(last_name="HÉBRARD").exists()  # Paris
    hospital = Structure.objects.get(finess="069999991")
    assert hospital.kind == Structure.Kind.HOSPITAL and hospital.commune_id == "06088"
    assert Structure.objects.get(siret="99999999900013").name == 'MAISON DE SANTÉ "LES CIGALES" (FICTIVE)'


def test_the_same_file_twice_changes_nothing_the_second_time(db) -> None:
    run(SAMPLE.read_bytes())
    before = list(DirectoryProfessional.objects.order_by("pk").values())
    activities = list(Activity.objects.order_by("pk").values())
    structures = list(Structure.objects.order_by("pk").values())
    second = run(SAMPLE.read_bytes())
    counts = second.counts()
    assert counts["nouveaux"] == counts["mis_a_jour"] == counts["inactives"] == 0
    assert counts["activites_nouvelles"] == counts["activites_fermees"] == counts["structures_nouvelles"] == 0
    assert counts["structures_mises_a_jour"] == 0
    assert list(DirectoryProfessional.objects.order_by("pk").values()) == before
    assert list(Activity.objects.order_by("pk").values()) == activities
    assert list(Structure.objects.order_by("pk").values()) == structures


def test_a_professional_absent_from_the_next_extract_is_inactive_not_deleted(db) -> None:
    dupont, durand = professional("1000000001", "DUPONT"), professional("1000000002", "DURAND")
    run(text(dupont, durand))
    report = run(text(dupont))
    assert report.inactivated == 1 and report.activities_closed == 1
    durand_entry = DirectoryProfessional.objects.get(last_name="DURAND")
    assert not durand_entry.is_active and durand_entry.activities.get().is_active is False
    assert DirectoryProfessional.objects.get(last_name="DUPONT").is_active
    back = run(text(dupont, durand))
    assert back.updated == 1 and DirectoryProfessional.objects.get(last_name="DURAND").is_active


def test_a_changed_line_updates_the_professional_and_replaces_the_activity(db) -> None:
    run(text(professional("1000000001", "DUPONT", street="DES LILAS")))
    report = run(
        text(
            professional(
                "1000000001", "DUPONT-MOREL", street="DES ROSES", specialty=("S", "SM40", "Pédiatrie")
            )
        )
    )
    assert (report.new, report.updated, report.inactivated) == (0, 1, 0)
    assert (report.activities_new, report.activities_closed) == (1, 1)
    entry = DirectoryProfessional.objects.get()
    assert entry.last_name == "DUPONT-MOREL" and entry.specialty_id == "SM40" and entry.is_active
    assert list(entry.activities.order_by("pk").values_list("address", "is_active")) == [
        ("DES LILAS", False),
        ("DES ROSES", True),
    ]


def test_the_departements_filter_limits_the_import_and_the_inactivation(db) -> None:
    nice, paris = (
        professional("1000000001", "NICOIS"),
        professional("1000000002", "PARISIEN", commune="75056"),
    )
    run(text(nice, paris))
    report = run(text(professional("1000000003", "TOULONNAIS", commune="83137")), frozenset({"83", "06"}))
    assert report.new == 1 and report.inactivated == 1
    assert not DirectoryProfessional.objects.get(last_name="NICOIS").is_active
    assert DirectoryProfessional.objects.get(last_name="PARISIEN").is_active  # outside the scope


def test_registered_users_are_linked_by_rpps_or_adeli_never_created(db) -> None:
    user = make_user(username="dupont", rpps=rpps_with_key("1000000001"))
    psy = make_user(
        username="psy", rpps=None, adeli="061234567", profession=Profession.objects.get(code="psychologue")
    )
    users = type(user).objects.count()
    report = run(
        text(
            professional("1000000001", "DUPONT"), professional("", "PSY", profession="93", adeli="061234567")
        )
    )
    assert report.users_linked == 2
    assert DirectoryProfessional.objects.get(last_name="DUPONT").user == user
    assert DirectoryProfessional.objects.get(last_name="PSY").user == psy
    assert type(user).objects.count() == users
    # Someone registered after the first import is linked by the next one.
    later = make_user(username="durand", rpps=rpps_with_key("1000000002"))
    report = run(
        text(
            professional("1000000001", "DUPONT"),
            professional("", "PSY", profession="93", adeli="061234567"),
            professional("1000000002", "DURAND"),
        )
    )
    assert report.users_linked == 1 and DirectoryProfessional.objects.get(last_name="DURAND").user == later


def test_structures_are_found_by_finess_then_siret(db) -> None:
    known = make_structure(name="Ancien nom", kind=Structure.Kind.MATERNITY, finess="069999991")
    report = run(
        text(
            professional("1000000001", "DUPONT", finess="069999991", site="MATERNITÉ DES PINS"),
            professional("1000000002", "DURAND", siret="99999999900013", site="SELARL DES ROSES"),
            professional("1000000003", "MARTIN", siret="99999999900013", site="SELARL DES ROSES"),
        )
    )
    assert (report.structures_new, report.structures_updated) == (1, 1)
    known.refresh_from_db()
    assert known.name == "MATERNITÉ DES PINS" and known.kind == Structure.Kind.MATERNITY
    selarl = Structure.objects.get(siret="99999999900013")
    assert selarl.name_key == "SELARL DES ROSES"
    assert Activity.objects.filter(structure=selarl).count() == 2


def test_new_national_codes_become_reference_data_with_their_label(db) -> None:
    run(text(professional("1000000001", "DUPONT", profession="96")))
    code = NationalProfession.objects.get(code="96")
    assert code.label == "Psychomotricien"
    assert code.profession == Profession.objects.get(code="psychomotricien")  # matched by its label
    assert "Annuaire Santé" in code.source
    assert NationalProfession.objects.get(code="10").profession == Profession.objects.get(code="medecin")


def test_the_command_prints_the_counts_and_refuses_a_bad_file(db, tmp_path, capsys) -> None:
    call_command("import_annuaire", str(SAMPLE), "--departements", "04,05,06,13,83,84")
    out = capsys.readouterr()
    assert "Professionnels : 7 nouveaux, 0 mis à jour, 0 inactivés" in out.out
    assert "ligne 12 : La ligne compte 7 champs au lieu de 57." in out.out
    assert "100 %" in out.err
    latin = tmp_path / "latin1.txt"
    latin.write_bytes(SAMPLE.read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    with pytest.raises(CommandError, match="pas encodé en UTF-8"):
        call_command("import_annuaire", str(latin))
    with pytest.raises(CommandError, match="inconnu"):
        call_command("import_annuaire", str(SAMPLE), "--departements", "06,999")


def test_row_helper_matches_the_layout() -> None:
    assert row().count("|") == 56


def test_the_counts_of_a_first_import_and_of_the_same_file_again_are_pinned(db) -> None:
    # The same figures on SQLite (the ORM's bulk_create) and PostgreSQL (COPY, one-parameter lookups).
    first = run(SAMPLE.read_bytes()).counts()
    assert first == {
        "lignes": 12,
        "hors_perimetre": 0,
        "rejetees": 3,
        "nouveaux": 8,
        "mis_a_jour": 0,
        "inactives": 0,
        "activites_nouvelles": 9,
        "activites_fermees": 0,
        "structures_nouvelles": 2,
        "structures_mises_a_jour": 0,
        "comptes_relies": 0,
    }
    again = run(SAMPLE.read_bytes()).counts()
    assert again == first | {"nouveaux": 0, "activites_nouvelles": 0, "structures_nouvelles": 0}
    assert DirectoryProfessional.objects.count() == 8 and Activity.objects.filter(is_active=True).count() == 9


def test_tabs_and_backslashes_inside_fields_are_stored_as_written(db) -> None:
    run(text(professional("1000000001", "DU\\PONT", "ANNE\tMARIE", street="CHEMIN\\DES\tPINS")))
    entry = DirectoryProfessional.objects.get()
    assert (entry.last_name, entry.first_name) == ("DU\\PONT", "ANNE\tMARIE")
    assert entry.activities.get().address == "CHEMIN\\DES\tPINS"
    assert entry.public_id and entry.created_at and entry.is_active
    assert (
        run(text(professional("1000000001", "DU\\PONT", "ANNE\tMARIE", street="CHEMIN\\DES\tPINS"))).updated
        == 0
    )


def test_slices_read_by_separate_processes_give_the_lines_of_the_whole_file(monkeypatch) -> None:
    # The file cut where each slice starts a line, its first line numbered as the whole file's
    # reading numbers it ("\n", "\r\n" or a lone "\r" end a line), whatever the cut and the chunks.
    from cordee.directory import annuaire

    monkeypatch.setattr(annuaire, "_CHUNK", 5)  # chunk edges inside "\r\n", inside a line, …
    lines = [professional(f"10000000{n:02d}", f"NOM{n}") for n in range(9)] + ["8|123", ""]
    ends = ["\n", "\r\n", "\r"]
    content = "\ufeff" + HEADER + "\r\n" + "".join(line + ends[n % 3] for n, line in enumerate(lines))

    def items(source: Any, part: Any = None) -> list[tuple[int, str]]:
        read = read_extract(source, None, part)
        return [(i.number, i.reason if isinstance(i, Rejected) else i.national_id) for i in read if i]

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("PS_LibreAcces_Personne_activite_202612.txt", content)
    for source in (opener(content), opener(buffer.getvalue())):
        whole = items(source)
        assert whole[-1] == (11, "La ligne compte 2 champs au lieu de 57.") and len(whole) == 10
        for parts in (2, 3, 7):
            slices = split_extract(source, parts)
            assert 1 < len(slices) <= parts and slices[0].start == 0 and slices[-1].stop is None
            assert [item for part in slices for item in items(source, part)] == whole
