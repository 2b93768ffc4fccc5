"""Strict readers of the shipped data releases: corrupted copies of the release
files in ``tmp_path`` give a ``ValueError`` that names the file (and the line)
instead of a wrong array, a dropped row or a numpy error. The releases ship in the
package, so these tests always run."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from coherency import coherent_release
from coherency.data import release_dir

CSI_DATA = "data_coincidence_beamOn.txt"
CSI_PDF = "arrivalTimePDF_promptNeutrinos.txt"


def _copy(tmp_path: Path, release: str) -> Path:
    dst = tmp_path / release
    shutil.copytree(release_dir(release), dst)
    return dst


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n")


def _replace_row(i: int, text: str) -> Callable[[list[str]], list[str]]:
    return lambda rows: rows[:i] + [text] + rows[i + 1:]


# (id, file, edit of its lines, message after "<file> ...")
CSI_CASES = [
    ("corrupt-first-row", CSI_DATA, _replace_row(0, "1.0, 0.25, two"),
     r"line 1: expected 3 numbers; got '1\.0, 0\.25, two'"),
    ("extra-column", CSI_DATA, _replace_row(5, "1.0, 2.75, 0, 7"),
     r"line 6: expected 3 columns; got 4"),
    ("short-row", CSI_DATA, _replace_row(5, "1.0, 2.75"), r"line 6: expected 3 columns; got 2"),
    ("fractional-count", CSI_DATA, _replace_row(0, "1.0, 0.25, 2.5"),
     r"line 1: column 3 holds counts, whole numbers >= 0; got '2\.5'"),
    ("negative-count", CSI_DATA, _replace_row(0, "1.0, 0.25, -2"),
     r"line 1: column 3 holds counts, whole numbers >= 0; got '-2'"),
    # bin (1.0, 0.25) twice, (1.0, 0.75) missing: still 25 x 24 distinct values
    ("duplicated-bin", CSI_DATA, _replace_row(1, "1.0, 0.25, 5"),
     r"the bin \(PE 1, time 0\.25 us\) appears 2 times \(data rows 1, 2\)"),
    ("pdf-short-file", CSI_PDF, lambda rows: rows[:-1],
     r"23 rows; the data files have 24 time bins"),
    ("pdf-short-row", CSI_PDF, _replace_row(3, "1.75"), r"line 4: expected 2 columns; got 1"),
    ("pdf-negative", CSI_PDF, _replace_row(3, "1.75, -0.1"),
     r"line 4: column 2 must be >= 0; got '-0\.1'"),
    ("pdf-zero-sum", CSI_PDF, lambda rows: [r.split(",")[0] + ", 0.0" for r in rows],
     r"the arrival-time PDF sums to 0\.0; it must be > 0"),
]


@pytest.mark.parametrize("fname, edit, match", [c[1:] for c in CSI_CASES],
                         ids=[c[0] for c in CSI_CASES])
def test_csi_2017_reader_refuses_corrupt_files(tmp_path: Path, fname: str,
                                               edit: Callable[[list[str]], list[str]],
                                               match: str) -> None:
    folder = _copy(tmp_path, "coherent_csi_2017")
    path = folder / fname
    _write(path, edit(_lines(path)))
    with pytest.raises(ValueError, match=rf"^{fname}: {match}|^{fname} {match}"):
        coherent_release.read_csi_2017(folder)


@pytest.mark.parametrize("fname", [CSI_DATA, CSI_PDF, "qfData_tunl.txt"])
def test_non_utf8_byte_names_the_file_and_line(tmp_path: Path, fname: str) -> None:
    folder = _copy(tmp_path, "coherent_csi_2017")
    path = folder / fname
    raw = path.read_bytes().splitlines(keepends=True)
    raw[2] = b"\xff" + raw[2]
    path.write_bytes(b"".join(raw))
    with pytest.raises(ValueError, match=rf"^{fname} line 3: not UTF-8 text \(byte 0xff"):
        coherent_release.read_csi_2017(folder)


AR_DATA = "energydata1d.txt"
AR_CASES = [
    ("title-missing", AR_DATA, lambda rows: rows[1:],
     r"line 1: expected the line of column titles; got numbers"),
    ("corrupt-first-row", AR_DATA, lambda rows: rows[:1] + ["5 180.88 x 98 100 198 188 212"]
     + rows[2:], r"line 2: expected 8 numbers"),
    ("extra-column", AR_DATA, lambda rows: rows[:2] + [rows[2] + " 1.0"] + rows[3:],
     r"line 3: expected 8 columns; got 9"),
    ("efficiency-negative", "CENNS10AnlAEfficiency.txt", _replace_row(1, "0.75 3.01972 -0.5"),
     r"line 2: column 3 must be >= 0"),
]


@pytest.mark.parametrize("fname, edit, match", [c[1:] for c in AR_CASES],
                         ids=[c[0] for c in AR_CASES])
def test_ar_2020_reader_refuses_corrupt_files(tmp_path: Path, fname: str,
                                              edit: Callable[[list[str]], list[str]],
                                              match: str) -> None:
    folder = _copy(tmp_path, "coherent_ar_2020")
    path = folder / fname
    _write(path, edit(_lines(path)))
    with pytest.raises(ValueError, match=rf"^{fname} {match}"):
        coherent_release.derive_ar_2020(folder)
