package dev.lathe.term;

import java.awt.image.BufferedImage;

/**
 * DEC sixel encoder: median-cut palette ({@link MedianCut}) of at most {@link Options#maxColors} registers, optional
 * ordered dither (off by default: it grows the output and flickers between frames), run-length coding with
 * {@code !n}, colours absent from a six-row band skipped, raster attributes {@code "1;1;W;H} (square pixels, known
 * size). Transparent pixels (alpha &lt; 128) are left unpainted ({@code P2=1}).
 */
public final class Sixel {
  /**
   * @param maxColors colour registers to use, 2..1024 (VT340 16, xterm 256 by default)
   * @param dither    4×4 ordered (Bayer) dither
   */
  public record Options(int maxColors, boolean dither) {
    public static final Options DEFAULTS = new Options(256, false);

    public Options {
      if (maxColors < 2 || maxColors > 1024) throw new IllegalArgumentException("maxColors must be 2..1024, was " + maxColors);
    }
  }

  private Sixel() {}

  /** Encodes with {@link Options#DEFAULTS}. */
  public static String encode(BufferedImage image) {
    return encode(image, Options.DEFAULTS);
  }

  /** The complete DCS string, from {@code ESC P} to {@code ESC \}, ready to write at the cursor. */
  public static String encode(BufferedImage image, Options options) {
    int w = image.getWidth(), h = image.getHeight();
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    MedianCut q = MedianCut.quantize(argb, w, h, options.maxColors(), options.dither());
    return encode(q.palette, q.indices, w, h);
  }

  /** Encodes already indexed pixels (a register per pixel, -1 = leave unpainted). */
  static String encode(int[] palette, int[] indices, int w, int h) {
    StringBuilder sb = new StringBuilder(w * h / 4 + 64);
    sb.append("\u001bP0;1;0q\"1;1;").append(w).append(';').append(h);
    for (int i = 0; i < palette.length; i++) {
      int c = palette[i];
      sb.append('#').append(i).append(";2;").append(percent((c >> 16) & 0xff)).append(';')
          .append(percent((c >> 8) & 0xff)).append(';').append(percent(c & 0xff));
    }
    int n = palette.length;
    byte[] bits = new byte[n * w];                 // six-bit column masks per colour for the current band
    int[] minX = new int[n];
    int[] maxX = new int[n];
    boolean[] present = new boolean[n];
    int[] used = new int[n];
    for (int top = 0; top < h; top += 6) {
      int usedCount = 0;
      for (int r = 0; r < 6 && top + r < h; r++) {
        int row = (top + r) * w;
        for (int x = 0; x < w; x++) {
          int c = indices[row + x];
          if (c < 0) continue;
          if (!present[c]) {
            present[c] = true;
            used[usedCount++] = c;
            minX[c] = x;
            maxX[c] = x;
          } else if (x > maxX[c]) {
            maxX[c] = x;
          } else if (x < minX[c]) {
            minX[c] = x;
          }
          bits[c * w + x] |= (byte) (1 << r);
        }
      }
      for (int k = 0; k < usedCount; k++) {
        int c = used[k];
        sb.append('#').append(c);
        int base = c * w;
        int x = 0;
        int end = maxX[c];
        while (x <= end) {                          // columns before minX are empty ('?'), RLE folds them
          byte b = bits[base + x];
          int run = 1;
          while (x + run <= end && bits[base + x + run] == b) run++;
          char ch = (char) (63 + b);
          if (run > 3) sb.append('!').append(run).append(ch);
          else for (int i = 0; i < run; i++) sb.append(ch);
          x += run;
        }
        java.util.Arrays.fill(bits, base + minX[c], base + end + 1, (byte) 0);
        present[c] = false;
        if (k < usedCount - 1) sb.append('$');      // back to the band start for the next colour
      }
      if (top + 6 < h) sb.append('-');
    }
    sb.append("\u001b\\");
    return sb.toString();
  }

  private static int percent(int v) {
    return (v * 100 + 127) / 255;
  }
}
