package dev.lathe.data;

import java.awt.image.BufferedImage;

/** The one EXIF fact Lathe uses: the Orientation tag (0x0112) of IFD0, and how to apply it. */
final class Exif {
  private Exif() {}

  /**
   * The orientation in an EXIF block: a TIFF structure, optionally preceded by "Exif\0\0" (JPEG APP1 and some
   * WebP/PNG writers). 1 when absent, malformed or out of range: a broken tag never rejects an image.
   */
  static int orientation(byte[] b) {
    int base = 0;
    if (b.length >= 6 && b[0] == 'E' && b[1] == 'x' && b[2] == 'i' && b[3] == 'f' && b[4] == 0 && b[5] == 0) base = 6;
    if (b.length < base + 8) return 1;
    boolean little;
    if (b[base] == 'I' && b[base + 1] == 'I') little = true;
    else if (b[base] == 'M' && b[base + 1] == 'M') little = false;
    else return 1;
    if (u16(b, base + 2, little) != 42) return 1;
    long ifd = u32(b, base + 4, little);
    if (ifd < 8 || base + ifd + 2 > b.length) return 1;
    int at = (int) (base + ifd);
    int count = u16(b, at, little);
    for (int i = 0; i < count; i++) {
      int e = at + 2 + 12 * i;
      if (e + 12 > b.length) return 1;
      if (u16(b, e, little) == 0x0112) {
        int type = u16(b, e + 2, little);
        int v = type == 3 ? u16(b, e + 8, little) : type == 4 ? (int) u32(b, e + 8, little) : 1;
        return v >= 1 && v <= 8 ? v : 1;
      }
    }
    return 1;
  }

  /** {@code src} (packed RGB, w × h, as stored) turned to display orientation; returns {@code src} for 1. */
  static int[] apply(int[] src, int w, int h, int orientation) {
    if (orientation <= 1 || orientation > 8) return src;
    int[] out = new int[src.length];
    boolean swap = orientation >= 5;
    int ow = swap ? h : w;
    int oh = swap ? w : h;
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        int sx;
        int sy;
        switch (orientation) {
          case 2 -> { sx = w - 1 - x; sy = y; }              // mirrored
          case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }      // upside down
          case 4 -> { sx = x; sy = h - 1 - y; }              // flipped vertically
          case 5 -> { sx = y; sy = x; }                      // transposed
          case 6 -> { sx = y; sy = h - 1 - x; }              // turn 90° clockwise to view
          case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }      // transverse
          default -> { sx = w - 1 - y; sy = x; }             // 8: turn 90° counter-clockwise to view
        }
        out[y * ow + x] = src[sy * w + sx];
      }
    }
    return out;
  }

  static BufferedImage apply(BufferedImage img, int orientation) {
    if (orientation <= 1 || orientation > 8) return img;
    int w = img.getWidth();
    int h = img.getHeight();
    int[] px = img.getRGB(0, 0, w, h, null, 0, w);
    int[] o = apply(px, w, h, orientation);
    boolean swap = orientation >= 5;
    BufferedImage out = new BufferedImage(swap ? h : w, swap ? w : h, BufferedImage.TYPE_INT_RGB);
    out.setRGB(0, 0, out.getWidth(), out.getHeight(), o, 0, out.getWidth());
    return out;
  }

  private static int u16(byte[] b, int at, boolean little) {
    int a = b[at] & 0xFF;
    int c = b[at + 1] & 0xFF;
    return little ? a | c << 8 : a << 8 | c;
  }

  private static long u32(byte[] b, int at, boolean little) {
    long v = 0;
    for (int i = 0; i < 4; i++) {
      int x = b[at + (little ? 3 - i : i)] & 0xFF;
      v = v << 8 | x;
    }
    return v;
  }
}
