"""WeasyPrint and its system libraries are installed and render for real."""

from weasyprint import HTML
from weasyprint.text import ffi


def test_system_libraries_for_weasyprint_are_installed():
    # `make system-deps` installs these; font subsetting needs HarfBuzz-Subset.
    assert ffi.pango is not None
    assert ffi.pangoft2 is not None
    assert ffi.harfbuzz_subset is not None


def test_weasyprint_renders_a_pdf():
    pdf = HTML(string="<h1>Plan van aanpak</h1><p>Hervat</p>").write_pdf()
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 1000
