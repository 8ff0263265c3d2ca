"""What the finished PDF says outside its tags: how it opens, its images, its streams' ends.

The bookmarks show when the PDF opens (``/PageMode /UseOutlines``). PDF/A and PDF/X forbid
images that ask viewers to smooth them (``/Interpolate``). And a PDF/A checker reads a
stream's length up to the line end before ``endstream``: a stream whose data itself ends in a
carriage return (one compressed stream in 256, by the luck of its checksum) reads as one
byte short. Compressed data ends with a checksum of what it holds, so such a stream is
encoded again holding something else that decodes to the same: its rows under other tags of
a PNG predictor.
"""

from __future__ import annotations

import io
import zlib

from pikepdf import Dictionary, Name, ObjectStreamMode, Pdf, Stream

from briefkit.model.choices import PdfVariant

_AMBIGUOUS_END = b"\r\nendstream"
_CR = 0x0D
_NONE, _SUB, _UP, _AVERAGE, _PAETH = range(5)  # a PNG predictor's tags for a row


def finish_objects(pdf: Pdf, variant: PdfVariant) -> None:
    """Open the PDF at its bookmarks, and take what PDF/A and PDF/X forbid off their images."""
    open_with_bookmarks(pdf)
    if variant in (PdfVariant.A3B, PdfVariant.X4):
        stop_interpolation(pdf)


def open_with_bookmarks(pdf: Pdf) -> None:
    """Show the bookmarks when the PDF opens, if it has any."""
    outlines = pdf.Root.get("/Outlines")
    if isinstance(outlines, Dictionary) and "/First" in outlines:
        pdf.Root.PageMode = Name.UseOutlines


def stop_interpolation(pdf: Pdf) -> None:
    """Take the smoothing request off every image, as PDF/A and PDF/X ask."""
    for obj in pdf.objects:
        if isinstance(obj, Stream) and obj.get("/Subtype") == Name.Image and "/Interpolate" in obj:
            del obj["/Interpolate"]


def saved(pdf: Pdf) -> bytes:
    """Return the PDF's bytes, no stream's data ending in a carriage return."""
    for obj in pdf.objects:
        if isinstance(obj, Stream) and obj.get("/Type") != Name.Metadata:
            _settle_end(obj)
    data = _save(pdf, ObjectStreamMode.preserve)
    for mode in (ObjectStreamMode.generate, ObjectStreamMode.disable):
        if _AMBIGUOUS_END not in data:
            break
        # An object or cross-reference stream the writer compressed: group the objects anew.
        data = _save(pdf, mode)
    return data


def _settle_end(stream: Stream) -> None:
    """Re-encode a stream whose compressed data will end in CR so that it does not.

    Compressed data ends with the checksum of what it holds, so what it holds changes: a PNG
    predictor's tag, which says how a row is encoded, not what it is.
    """
    filters = stream.get("/Filter")
    raw = stream.read_raw_bytes()
    if filters is None:
        payload = raw  # the writer compresses it
    elif filters == Name.FlateDecode and raw.endswith(b"\r"):
        payload = zlib.decompress(raw)
    else:
        return
    if zlib.adler32(payload) & 0xFF != _CR:
        return
    parameters = stream.get("/DecodeParms")
    if parameters is None:
        # One row of the whole data, tagged "up" (the row above it, which is none: zeros).
        stream.write(
            zlib.compress(bytes([_UP]) + payload),
            filter=Name.FlateDecode,
            decode_parms=Dictionary(Predictor=12, Columns=len(payload)),
        )
    elif isinstance(parameters, Dictionary) and int(parameters.get("/Predictor", 1)) >= 10:
        retagged = _retag_first_row(payload, parameters)
        stream.write(zlib.compress(retagged), filter=Name.FlateDecode, decode_parms=parameters)


def _retag_first_row(payload: bytes, parameters: Dictionary) -> bytes:
    """Encode the first row of PNG-predicted data under another tag that gives the same row.

    Above the first row there is nothing, so "up" is "none" and "Paeth" is "sub"; an
    "average" row is decoded and tagged "up".
    """
    channels = int(parameters.get("/Colors", 1)) * int(parameters.get("/BitsPerComponent", 8))
    step = max(1, channels // 8)
    width = (channels * int(parameters.get("/Columns", 1)) + 7) // 8
    tag, row = payload[0], bytearray(payload[1 : 1 + width])
    swapped = {_NONE: _UP, _UP: _NONE, _SUB: _PAETH, _PAETH: _SUB, _AVERAGE: _UP}.get(tag)
    if swapped is None:
        return payload
    if tag == _AVERAGE:
        for index in range(len(row)):
            left = row[index - step] if index >= step else 0
            row[index] = (row[index] + left // 2) & 0xFF
    return bytes([swapped]) + bytes(row) + payload[1 + width :]


def _save(pdf: Pdf, objects: ObjectStreamMode) -> bytes:
    """Save the PDF, its objects grouped in object streams or not, and return the bytes."""
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, fix_metadata_version=False, object_stream_mode=objects)
    return out.getvalue()
