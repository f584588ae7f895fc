"""Optical character recognition with Tesseract (pytesseract calls Debian's `tesseract` binary).

Used for images (PNG, JPEG, TIFF, GIF, WebP) and for PDF pages without a usable text layer.
"""

from __future__ import annotations

import io
import logging
import time

import pytesseract
from PIL import Image, ImageOps, UnidentifiedImageError

from transformer.errors import CorruptDocument, DocumentTooLarge, ServiceError
from transformer.reading.deadline import Deadline

log = logging.getLogger("transformer.ocr")
OCR_DPI = 300  # Tesseract's accuracy drops quickly below ~300 dpi for body text


class OcrUnavailable(ServiceError):
    status, error = 503, "ocr_unavailable"


class OcrTimeout(ServiceError):
    """A page too large or too noisy to read within the OCR time limit: the input's fault, hence a 4xx."""

    status, error = 413, "ocr_timeout"


def ocr_image(image: Image.Image, *, timeout_s: float, lang: str = "eng", deadline: Deadline | None = None) -> str:
    """Text of one page image. Raises OcrTimeout when Tesseract runs past `timeout_s`, ParseTimeout when it
    runs past the whole document's `deadline`."""
    started = time.perf_counter()
    budget = timeout_s if deadline is None else deadline.cap(timeout_s)
    gray = ImageOps.grayscale(image)
    try:
        # psm 3: automatic page segmentation, which keeps the columns of a two-column resume apart.
        text = pytesseract.image_to_string(gray, lang=lang, config="--psm 3", timeout=budget)
    except RuntimeError as exc:  # pytesseract raises RuntimeError("Tesseract process timeout")
        if "timeout" in str(exc).lower():
            if deadline is not None and budget < timeout_s:
                raise deadline.expired() from None
            raise OcrTimeout(
                f"OCR of one page took longer than {timeout_s:g} s (TRANSFORMER_OCR_TIMEOUT_S); upload a cleaner, "
                "smaller scan or a PDF with a text layer"
            ) from None
        raise
    except pytesseract.TesseractNotFoundError:
        raise OcrUnavailable("OCR is not available on this server (tesseract is not installed)") from None
    log.info(
        "ocr page",
        extra={
            "pixels": gray.width * gray.height,
            "seconds": round(time.perf_counter() - started, 3),
            "chars": len(text),
        },
    )
    return text


def ocr_image_bytes(
    data: bytes, *, max_pixels: int, max_pages: int, timeout_s: float, deadline: Deadline | None = None
) -> tuple[str, int]:
    """Text of an image file (every frame of a multi-page TIFF); returns (text, pages)."""
    try:
        image = Image.open(io.BytesIO(data))
        image.size  # noqa: B018 - reading the header is enough to refuse pixel bombs before decoding
    except (UnidentifiedImageError, OSError) as exc:
        raise CorruptDocument(f"the image could not be read ({type(exc).__name__}); is the file damaged?") from None
    frames = getattr(image, "n_frames", 1)
    if frames > max_pages:
        raise DocumentTooLarge(f"the image has {frames} pages; the limit is {max_pages}")
    texts = []
    for index in range(frames):
        image.seek(index)
        if image.width * image.height > max_pixels:
            raise DocumentTooLarge(
                f"the image is {image.width}x{image.height} pixels; the limit is {max_pixels} pixels per page"
            )
        try:
            frame = ImageOps.exif_transpose(image)  # phone photos carry their rotation in EXIF
            texts.append(ocr_image(frame, timeout_s=timeout_s, deadline=deadline).strip())
        except (OSError, ValueError) as exc:
            raise CorruptDocument(f"the image could not be decoded ({type(exc).__name__})") from None
    return "\n\n".join(t for t in texts if t), frames
