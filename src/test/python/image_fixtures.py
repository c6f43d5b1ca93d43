"""Writes the image fixtures for ImageInputTest and, next to each, Pillow's convert("RGB") bytes.

Run with a Python that has Pillow and numpy:  python src/test/python/image_fixtures.py
Output: src/test/resources/images/<name>.<ext>, <name>.rgb (raw RGB, row-major, 3 bytes a pixel) and
manifest.json (per fixture: file, Pillow's mode on open, width, height, Pillow version).

Pillow facts these fixtures pin down (Pillow 12):
  L -> RGB copies the value; LA and RGBA drop alpha (no compositing); P looks up the palette, tRNS
  ignored; 1-bit gray is 0/255, 2- and 4-bit gray scale by 85 and 17; 16-bit gray opens as 'I;16'
  and convert("RGB") CLIPS to 255 (it does not take the high byte); 16-bit RGB/RGBA/LA PNGs open as
  'RGB'/'RGBA' keeping only the HIGH byte of each sample; gray/RGB tRNS is ignored; CMYK JPEGs are
  always read as Adobe-inverted ('CMYK;I') and converted with R = 255-K - (C*(255-K))/255 (rounded).
"""
import io
import json
import struct
import zlib
from pathlib import Path

import numpy as np
import PIL
from PIL import Image

OUT = Path(__file__).resolve().parents[1] / "resources" / "images"
W, H = 7, 5
rng = np.random.default_rng(1234)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def raw_png(w, h, bit_depth, color_type, rows, extra=b""):
    """A PNG written by hand, for sample layouts Pillow cannot save (16-bit RGB, LA, RGBA)."""
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 0)
    data = zlib.compress(b"".join(b"\0" + r for r in rows), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def bmp16(w, h, pixels, masks=None):
    """A 16-bit BMP: X1R5G5B5 (BI_RGB) or, with masks, BI_BITFIELDS (e.g. R5G6B5). Rows bottom-up."""
    row_bytes = (w * 2 + 3) & ~3
    rows = b"".join(struct.pack("<%dH" % w, *map(int, pixels[y])) + b"\0" * (row_bytes - 2 * w)
                    for y in reversed(range(h)))
    extra = struct.pack("<III", *masks) if masks else b""
    off = 14 + 40 + len(extra)
    info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 16, 3 if masks else 0, len(rows), 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", off + len(rows), 0, 0, off) + info + extra + rows


def linear_rgb_profile():
    """Pillow's built-in sRGB profile with its three tone curves replaced by gamma 1.0: a valid
    non-sRGB profile, which Java's JPEG reader would apply to the pixels and Pillow ignores."""
    from PIL import ImageCms
    p = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    curv = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0100) + b"\0\0"
    for i in range(struct.unpack(">I", p[128:132])[0]):
        sig = bytes(p[132 + 12 * i:136 + 12 * i])
        if sig in (b"rTRC", b"gTRC", b"bTRC"):
            p[132 + 12 * i:144 + 12 * i] = struct.pack(">4sII", sig, len(p), len(curv))
    p += curv
    p[0:4] = struct.pack(">I", len(p))
    p[24:36] = struct.pack(">6H", 2020, 1, 1, 0, 0, 0)  # fixed creation date: reproducible fixtures
    p[84:100] = bytes(16)  # no profile ID
    return bytes(p)


def replace_adobe_segment(jpeg, transform):
    """Drops the APP14 Adobe segment (transform None) or rewrites its colour transform byte."""
    i = jpeg.index(b"\xff\xee")
    n = int.from_bytes(jpeg[i + 2:i + 4], "big")
    seg = bytearray(jpeg[i:i + 2 + n])
    assert seg[4:9] == b"Adobe"
    if transform is None:
        return jpeg[:i] + jpeg[i + 2 + n:]
    seg[15] = transform
    return jpeg[:i] + bytes(seg) + jpeg[i + 2 + n:]


def u8(*shape):
    return rng.integers(0, 256, size=shape, dtype=np.uint8)


def u16(*shape):
    a = rng.integers(0, 65536, size=shape, dtype=np.uint16)
    flat = a.reshape(-1)
    flat[:6] = [0, 1, 50, 255, 256, 300][: flat.size]  # around the 8-bit clip point
    return a


def save(img, **kw):
    b = io.BytesIO()
    img.save(b, **kw)
    return b.getvalue()


def fixtures():
    yield "gray8.png", save(Image.fromarray(u8(H, W), "L"), format="PNG")
    yield "gray_alpha.png", save(Image.fromarray(u8(H, W, 2), "LA"), format="PNG")
    yield "rgb.png", save(Image.fromarray(u8(H, W, 3), "RGB"), format="PNG")
    yield "rgba.png", save(Image.fromarray(u8(H, W, 4), "RGBA"), format="PNG")

    pal = Image.fromarray(rng.integers(0, 6, size=(H, W), dtype=np.uint8), "P")
    pal.putpalette([10, 20, 30, 200, 0, 0, 0, 200, 0, 0, 0, 200, 255, 255, 255, 77, 88, 99])
    yield "palette.png", save(pal, format="PNG")
    yield "palette_trns.png", save(pal, format="PNG", transparency=bytes([0, 128, 255, 10, 20, 30]))
    pal16 = Image.fromarray(rng.integers(0, 16, size=(H, W), dtype=np.uint8), "P")
    pal16.putpalette(list(u8(16 * 3)))
    yield "palette4bit.png", save(pal16, format="PNG", bits=4)
    yield "palette.gif", save(pal, format="GIF")
    yield "palette.bmp", save(pal, format="BMP")

    yield "gray1.png", save(Image.fromarray(u8(H, W) > 127).convert("1"), format="PNG")
    rows4 = [bytes(np.packbits(np.unpackbits(np.frombuffer(bytes(rng.integers(0, 16, W, dtype=np.uint8)), np.uint8)[:, None], axis=1)[:, 4:].reshape(-1))) for _ in range(H)]
    yield "gray4.png", raw_png(W, H, 4, 0, rows4)
    trns = chunk(b"tRNS", struct.pack(">H", 50))
    yield "gray_trns.png", raw_png(W, H, 8, 0, [bytes(r) for r in u8(H, W)], trns)
    trns = chunk(b"tRNS", struct.pack(">HHH", 1, 2, 3))
    yield "rgb_trns.png", raw_png(W, H, 8, 2, [bytes(r) for r in u8(H, W * 3)], trns)

    yield "gray16.png", save(Image.fromarray(u16(H, W)), format="PNG")  # Pillow mode I;16
    trns = chunk(b"tRNS", struct.pack(">H", 300))
    yield "gray16_trns.png", raw_png(W, H, 16, 0, [r.astype(">u2").tobytes() for r in u16(H, W)], trns)
    for name, ctype, chans in (("rgb16.png", 2, 3), ("rgba16.png", 6, 4), ("gray_alpha16.png", 4, 2)):
        a = u16(H, W * chans)
        yield name, raw_png(W, H, 16, ctype, [r.astype(">u2").tobytes() for r in a])

    yield "rgb.bmp", save(Image.fromarray(u8(H, W, 3), "RGB"), format="BMP")
    yield "rgba.bmp", save(Image.fromarray(u8(H, W, 4), "RGBA"), format="BMP")
    yield "rgb555.bmp", bmp16(W, H, u16(H, W) & 0x7FFF)
    yield "rgb565.bmp", bmp16(W, H, u16(H, W), (0xF800, 0x07E0, 0x001F))
    # Smooth content so baseline JPEG decoding is well-conditioned; quality 90, 4:2:0 subsampling.
    yy, xx = np.mgrid[0:16, 0:16]
    smooth = np.stack([xx * 15, yy * 15, (xx + yy) * 7], axis=-1).astype(np.uint8)
    yield "rgb.jpg", save(Image.fromarray(smooth, "RGB"), format="JPEG", quality=90)
    yield "gray.jpg", save(Image.fromarray(smooth[..., 0], "L"), format="JPEG", quality=90)
    cmyk = np.stack([xx * 15, yy * 15, (xx + yy) * 7, 255 - xx * 8], axis=-1).astype(np.uint8)
    yield "progressive.jpg", save(Image.fromarray(smooth, "RGB"), format="JPEG", quality=90, progressive=True)
    cmyk_jpg = save(Image.fromarray(cmyk, "CMYK"), format="JPEG", quality=95)  # Adobe marker, transform 0
    yield "cmyk.jpg", cmyk_jpg
    yield "cmyk_no_adobe.jpg", replace_adobe_segment(cmyk_jpg, None)
    yield "ycck.jpg", replace_adobe_segment(cmyk_jpg, 2)  # same data read as YCCK: libjpeg converts
    # Embedded ICC profiles: Pillow's convert("RGB") ignores them.
    icc = linear_rgb_profile()
    yield "rgb_linear_icc.jpg", save(Image.fromarray(smooth, "RGB"), format="JPEG", quality=90, icc_profile=icc)
    yield "rgb_linear_icc.png", save(Image.fromarray(u8(H, W, 3), "RGB"), format="PNG", icc_profile=icc)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = {"pillow": PIL.__version__, "images": []}
    for name, data in fixtures():
        (OUT / name).write_bytes(data)
        with Image.open(OUT / name) as im:
            mode = im.mode
            rgb = np.asarray(im.convert("RGB"))
        (OUT / (name.rsplit(".", 1)[0] + "_" + name.rsplit(".", 1)[1] + ".rgb")).write_bytes(rgb.tobytes())
        manifest["images"].append({"file": name, "mode": mode, "width": rgb.shape[1], "height": rgb.shape[0]})
        print(f"{name:20s} {mode:6s} {rgb.shape[1]}x{rgb.shape[0]} {len(data)} bytes")
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


if __name__ == "__main__":
    main()
