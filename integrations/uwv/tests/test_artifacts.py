"""`make test` leaves one exported PDF of the UWV package as PNG pages for a
human to look at: ``.artifacts/documents/uwv-*.png``."""

import json
import shutil
import subprocess
from pathlib import Path

from django.conf import settings

from accounts.models import Role
from integrations.uwv import services
from integrations.uwv.tests.helpers import unzip

ARTIFACTS = Path(settings.BASE_DIR) / ".artifacts" / "documents"


def _png_pages(pdf: bytes, name: str) -> list[Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf_path = ARTIFACTS / f"{name}.pdf"
    pdf_path.write_bytes(pdf)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm (poppler-utils) is needed: make system-deps"
    subprocess.run(  # noqa: S603 - fixed binary, our own file
        [pdftoppm, "-r", "60", "-png", str(pdf_path), str(ARTIFACTS / name)],
        check=True,
    )
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def test_sample_uwv_export_pages_are_written_as_png(uwv_case):
    w = uwv_case
    package = services.riv_package_build(
        actor=w.user(Role.HR), case=w.case, today=w.today
    )
    files = unzip(package.zip)
    scanned = package.manifest["bestanden"][4]
    pages = _png_pages(files[scanned["bestand"]], "uwv-evaluatie-met-scan")
    assert len(pages) == scanned["paginas"]
    assert all(page.stat().st_size > 1000 for page in pages)
    (ARTIFACTS / "uwv-manifest.json").write_text(
        json.dumps(package.manifest, ensure_ascii=False, indent=2)
    )
    (ARTIFACTS / "uwv-inhoud.txt").write_bytes(files["inhoud.txt"])
