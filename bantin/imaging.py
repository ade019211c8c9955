"""Image decoding and re-encoding, run in a short-lived child process per upload.

Why a child: decoding a 40-megapixel image takes 120-160 MB of pixels, and the copies
made on the way (mode conversion, resampling) several times that. In a long-lived
gunicorn worker glibc keeps most of it after the request (a 40 MP PNG and a JPEG took a
worker from 86 MB to 697 MB RSS, for good). A child process returns all of it to the
system when it exits. bantin.media starts one per upload (``python -P imaging.py``), sends
the uploaded bytes on stdin and reads back a JSON header line and the encoded files.

The decoding itself takes no more than it needs: a JPEG is decoded by libjpeg's scaled
IDCT (``draft``) straight to the smallest scale still at least as wide as the largest
stored width (1600 px); other formats, decoded whole, are first reduced by an integer
factor (``reduce``, a box filter) to that width; EXIF orientation is applied on the
reduced pixels, and every stored size is resampled (Lanczos) from them.

This module imports only the standard library and Pillow, so that it starts quickly as a
script, and it never imports Flask or the app: the child sees nothing but the image.
"""

from __future__ import annotations

import io
import json
import sys
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

SLOTS = (320, 800, 1600)
# 40 megapixels: any camera photo; also the bound on the child's memory (see render()).
MAX_PIXELS = 40_000_000
MAX_SIDE = 30_000
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# Output format per input format: GIF becomes a still PNG (its first frame).
OUTPUT = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}

# EXIF orientation -> the transposition that makes the picture upright (as ImageOps does).
TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
SWAPS_SIDES = {5, 6, 7, 8}


class ImageRefused(ValueError):
    """A file we refuse; `code` names the reason: not_image, too_big, corrupt, mode."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Rendered:
    """An upload made safe: its output format, upright size and encoded file per slot."""

    fmt: str
    width: int
    height: int
    files: dict[int, bytes]


def slot_sizes(width: int, height: int) -> dict[int, tuple[int, int]]:
    """The stored (width, height) per slot; 320 and 800 always, 1600 when wider than 800."""
    sizes = {}
    for slot in SLOTS:
        if slot <= 800 or width > 800:
            w = min(slot, width)
            sizes[slot] = (w, max(1, round(height * w / width)))
    return sizes


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(0x0112, 1)
        return value if value in TRANSPOSE else 1
    except (OSError, ValueError, TypeError, KeyError, SyntaxError):
        return 1  # broken EXIF: keep the pixels as they are


def _target_mode(image: Image.Image, fmt: str) -> str:
    if fmt == "JPEG":
        return "L" if image.mode in {"L", "1"} else "RGB"
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )
    return "RGBA" if has_alpha else "RGB"


def _convert(image: Image.Image, mode: str) -> Image.Image:
    if image.mode == mode:
        return image
    try:
        return image.convert(mode)
    except ValueError as exc:  # e.g. 16-bit greyscale PNG
        raise ImageRefused("mode") from exc


def _decode(data: bytes) -> tuple[Image.Image, str, int, int, int]:
    """Identify, check and decode the first frame, no larger than the stored sizes need.

    Returns the image, its output format, its upright width and height at full size and
    its EXIF orientation.
    """
    with warnings.catch_warnings():
        # Pillow warns before it refuses; either way the answer is no.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            width, height = probe.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise ImageRefused("too_big")
            if width < 1 or height < 1:
                raise ImageRefused("not_image")
            probe.verify()  # structure and checksums; the object is unusable afterwards
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            if image.format not in ACCEPTED_FORMATS:
                raise ImageRefused("not_image")
            image.seek(0)  # GIF/APNG/animated WebP: the first frame
            if image.format == "JPEG":
                orientation = _orientation(image)  # from the header: nothing decoded yet
                wide = height if orientation in SWAPS_SIDES else width
                if wide >= 2 * SLOTS[-1]:
                    # libjpeg decodes at 1/2, 1/4 or 1/8 scale, never below 1600 px wide.
                    want = (1, SLOTS[-1]) if orientation in SWAPS_SIDES else (SLOTS[-1], 1)
                    image.draft(image.mode, want)
                image.load()  # decodes every block: a truncated file fails here
            else:
                image.load()
                orientation = _orientation(image)  # a PNG's eXIf may follow its pixels
        except ImageRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRefused("too_big") from exc
        except UnidentifiedImageError as exc:
            raise ImageRefused("not_image") from exc
        except (OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
            raise ImageRefused("corrupt") from exc
    fmt = OUTPUT[image.format]
    if orientation in SWAPS_SIDES:
        width, height = height, width
    return image, fmt, width, height, orientation


def _fresh(image: Image.Image) -> Image.Image:
    """A new image with only the pixels: no EXIF, ICC, XMP, comments or text chunks."""
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, "JPEG", quality=82, progressive=True, optimize=True)
    elif fmt == "PNG":
        image.save(buffer, "PNG", optimize=True)
    else:
        image.save(buffer, "WEBP", quality=82, method=4)
    return buffer.getvalue()


def resize_all(image: Image.Image, fmt: str, width: int, height: int) -> dict[int, bytes]:
    """Encode every slot of an upright image whose full size is width x height.

    `image` may be a reduced copy (at least as wide as the largest slot): each size is
    computed from the full size, so that it matches what Media records.
    """
    files = {}
    for slot, size in slot_sizes(width, height).items():
        sized = image if image.size == size else image.resize(size, Image.Resampling.LANCZOS)
        files[slot] = encode(_fresh(sized), fmt)
        del sized
    return files


STRIP_PIXELS = 1_000_000  # converted and reduced a strip at a time: ~4 MB of copies


def _shrunk(image: Image.Image, factor: int, mode: str) -> Image.Image:
    """The image in `mode`, reduced by `factor` (a box filter), one strip at a time.

    Converting or reducing the whole frame at once would copy it (reduce() premultiplies
    RGBA into a second full-size frame): strips of whole boxes give the same pixels and
    keep the peak to the decoded frame and the small result.
    """
    if factor == 1 and image.mode == mode:
        return image
    width, height = image.size
    rows = max(1, STRIP_PIXELS // width // factor) * factor
    result = Image.new(mode, (-(-width // factor), -(-height // factor)))
    for top in range(0, height, rows):
        strip = _convert(image.crop((0, top, width, min(height, top + rows))), mode)
        if factor > 1:
            strip = strip.reduce(factor)
        result.paste(strip, (0, top // factor))
    return result


def render(data: bytes) -> Rendered:
    """Check, decode, clean and encode an uploaded image in every stored width.

    Raises ImageRefused. Peak memory is one decoded frame (4 bytes a pixel at most: 160 MB
    at the 40 MP cap) plus a few MB; a large JPEG is decoded at 1/2-1/8 scale and takes a
    few MB in all.
    """
    image, fmt, width, height, orientation = _decode(data)
    wide = image.height if orientation in SWAPS_SIDES else image.width
    factor = max(1, wide // SLOTS[-1])  # never below the largest stored width
    image = _shrunk(image, factor, _target_mode(image, fmt))  # the full frame is freed
    if orientation in TRANSPOSE:
        image = image.transpose(TRANSPOSE[orientation])
    return Rendered(fmt, width, height, resize_all(image, fmt, width, height))


# ---------------------------------------------------------------- the child process

CPU_SECONDS = 60  # a backstop: the parent gives up (and kills the child) sooner


def _limit_self() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    except (ImportError, ValueError, OSError):
        pass


def child_main() -> int:
    """Read an upload on stdin; write a JSON header line, then the files' bytes in order."""
    _limit_self()
    data = sys.stdin.buffer.read()
    out = sys.stdout.buffer
    try:
        result = render(data)
    except ImageRefused as exc:
        out.write(json.dumps({"error": exc.code}).encode() + b"\n")
        out.flush()
        return 0
    slots = sorted(result.files)
    header = {
        "format": result.fmt,
        "width": result.width,
        "height": result.height,
        "files": [[slot, len(result.files[slot])] for slot in slots],
    }
    out.write(json.dumps(header).encode() + b"\n")
    for slot in slots:
        out.write(result.files[slot])
    out.flush()
    return 0


def parse_reply(raw: bytes) -> Rendered:
    """The parent's side of child_main(): a Rendered, or ImageRefused with the child's code."""
    line, sep, body = raw.partition(b"\n")
    if not sep:
        raise ValueError("no header from the image process")
    header = json.loads(line)
    if "error" in header:
        raise ImageRefused(str(header["error"]))
    files, offset = {}, 0
    for slot, size in header["files"]:
        files[int(slot)] = body[offset : offset + size]
        offset += size
    if offset != len(body) or header["format"] not in EXTENSIONS:
        raise ValueError("a malformed reply from the image process")
    return Rendered(header["format"], int(header["width"]), int(header["height"]), files)


EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


if __name__ == "__main__":
    sys.exit(child_main())
