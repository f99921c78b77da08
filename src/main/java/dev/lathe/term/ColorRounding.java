package dev.lathe.term;

/**
 * Folds 24-bit colours to what the terminal shows: the xterm 256-colour palette (6×6×6 cube + 24 greys, never the
 * 16 system colours, whose values vary between terminals), or the 16 ANSI colours. Pure; colours are {@code 0xRRGGBB}.
 */
public final class ColorRounding {
  private ColorRounding() {}

  private static final int[] CUBE = {0, 95, 135, 175, 215, 255};

  /** xterm's default values of the 16 ANSI colours, the reference for {@link #to16}. */
  static final int[] ANSI16 = {
      0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
      0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff};

  /** The palette index 16..255 nearest to {@code rgb}: the cube colour or the grey, whichever is closer. */
  public static int to256(int rgb) {
    int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
    int ri = cubeIndex(r), gi = cubeIndex(g), bi = cubeIndex(b);
    int cube = 16 + 36 * ri + 6 * gi + bi;
    int cubeRgb = (CUBE[ri] << 16) | (CUBE[gi] << 8) | CUBE[bi];
    int avg = (r + g + b) / 3;
    int greyIndex = avg > 238 ? 23 : Math.max(0, (avg - 3) / 10);
    int grey = 8 + 10 * greyIndex;
    int greyRgb = (grey << 16) | (grey << 8) | grey;
    return distance(rgb, greyRgb) < distance(rgb, cubeRgb) ? 232 + greyIndex : cube;
  }

  /** The colour {@code 0xRRGGBB} of xterm palette index {@code i} (0..255). */
  public static int rgbOf256(int i) {
    if (i < 0 || i > 255) throw new IllegalArgumentException("palette index " + i + " is outside 0..255");
    if (i < 16) return ANSI16[i];
    if (i >= 232) {
      int v = 8 + 10 * (i - 232);
      return (v << 16) | (v << 8) | v;
    }
    int c = i - 16;
    return (CUBE[c / 36] << 16) | (CUBE[(c / 6) % 6] << 8) | CUBE[c % 6];
  }

  /** The ANSI colour 0..15 (0–7 normal, 8–15 bright) nearest to {@code rgb}. */
  public static int to16(int rgb) {
    int best = 0;
    long bestD = Long.MAX_VALUE;
    for (int i = 0; i < 16; i++) {
      long d = distance(rgb, ANSI16[i]);
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  /** Relative luminance 0..1 (Rec. 709 weights on the sRGB values), used for ASCII ramps and mono decisions. */
  public static double luminance(int rgb) {
    return (0.2126 * ((rgb >> 16) & 0xff) + 0.7152 * ((rgb >> 8) & 0xff) + 0.0722 * (rgb & 0xff)) / 255.0;
  }

  /** "Redmean" weighted distance squared: cheap and closer to perception than plain RGB distance. */
  static long distance(int a, int b) {
    int r1 = (a >> 16) & 0xff, g1 = (a >> 8) & 0xff, b1 = a & 0xff;
    int r2 = (b >> 16) & 0xff, g2 = (b >> 8) & 0xff, b2 = b & 0xff;
    long rm = (r1 + r2) / 2;
    long dr = r1 - r2, dg = g1 - g2, db = b1 - b2;
    return ((512 + rm) * dr * dr >> 8) + 4 * dg * dg + ((767 - rm) * db * db >> 8);
  }

  private static int cubeIndex(int v) {
    return v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40;
  }
}
