"""Write templates/docx/reference.docx: pandoc's own reference document in the house style.

The Word edition takes its styles from this file (pandoc's --reference-doc). It starts from
the reference.docx of the pandoc inside the pypandoc-binary wheel, so it has every style
pandoc's writer names, and puts in the styles of scripts/docx-house-styles.xml: those replace
a style of the same id and add the ones briefkit names (Fact label, Commentary label,
Commentary, Masthead, Series, Edition note, Legend). Run it again, with briefkit installed in
the venv, after editing that file:

    .venv/bin/python scripts/make-reference-docx.py

The file is written the same, byte for byte, from the same pandoc and the same styles.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import zipfile
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from briefkit.rendering.docx.package import stamped_zip
from briefkit.rendering.docx.pandoc import pandoc_binary

ROOT = Path(__file__).resolve().parents[1]
STYLES = ROOT / "scripts" / "docx-house-styles.xml"
TARGET = ROOT / "templates" / "docx" / "reference.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STYLE_ID = f"{{{W}}}styleId"
# Zip's earliest time: the file names no moment of its making.
STAMP = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)


def pandoc_reference() -> bytes:
    """Return the reference.docx of the pandoc briefkit runs."""
    return subprocess.run(
        [str(pandoc_binary()), "--print-default-data-file", "reference.docx"],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout


def house_styles(styles_xml: bytes) -> bytes:
    """Return pandoc's styles.xml with the house's styles and default run properties in it."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    root = etree.fromstring(styles_xml, parser)
    house = etree.parse(str(STYLES), parser).getroot()
    defaults = root.find(f"{{{W}}}docDefaults/{{{W}}}rPrDefault")
    wanted = house.find(f"{{{W}}}rPrDefault")
    if defaults is not None and wanted is not None:
        defaults.getparent().replace(defaults, wanted)
    existing = {style.get(STYLE_ID): style for style in root.iter(f"{{{W}}}style")}
    for style in house.iter(f"{{{W}}}style"):
        old = existing.get(style.get(STYLE_ID))
        if old is None:
            root.append(style)
        else:
            root.replace(old, style)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def rezip(original: bytes, replaced: dict[str, bytes]) -> bytes:
    """Return the package with some entries replaced, every entry stamped alike."""
    with zipfile.ZipFile(io.BytesIO(original)) as source:
        entries = [
            (info.filename, replaced.get(info.filename) or source.read(info))
            for info in source.infolist()
        ]
    return stamped_zip(entries, STAMP)


def main() -> None:
    """Write the house's reference.docx."""
    original = pandoc_reference()
    with zipfile.ZipFile(io.BytesIO(original)) as package:
        styles = package.read("word/styles.xml")
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_bytes(rezip(original, {"word/styles.xml": house_styles(styles)}))
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
