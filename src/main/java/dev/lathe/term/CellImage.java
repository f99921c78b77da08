package dev.lathe.term;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * An image drawn with ordinary cells: a glyph, a foreground and a background colour per cell ({@code 0xRRGGBB}, or
 * {@link #DEFAULT} for the terminal's own). Works in every terminal, tmux included; the console folds the colours to
 * the profile's depth when it draws. Immutable.
 */
public final class CellImage {
  /** The terminal's default colour. */
  public static final int DEFAULT = -1;

  /** Dark to bright; on the usual dark background denser glyphs read as brighter. */
  static final String RAMP = " .:-=+*#%@";

  private final int cols;
  private final int rows;
  private final String[] glyphs;
  private final int[] fg;
  private final int[] bg;

  private CellImage(int cols, int rows) {
    this.cols = cols;
    this.rows = rows;
    this.glyphs = new String[cols * rows];
    this.fg = new int[cols * rows];
    this.bg = new int[cols * rows];
    java.util.Arrays.fill(glyphs, " ");
    java.util.Arrays.fill(fg, DEFAULT);
    java.util.Arrays.fill(bg, DEFAULT);
  }

  public int cols() {
    return cols;
  }

  public int rows() {
    return rows;
  }

  public String glyph(int col, int row) {
    return glyphs[row * cols + col];
  }

  public int fg(int col, int row) {
    return fg[row * cols + col];
  }

  public int bg(int col, int row) {
    return bg[row * cols + col];
  }

  /** The glyphs row by row, for tests and logs. */
  public List<String> lines() {
    List<String> out = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      StringBuilder sb = new StringBuilder();
      for (int c = 0; c < cols; c++) sb.append(glyph(c, r));
      out.add(sb.toString());
    }
    return out;
  }

  /**
   * Upper half-blocks: each cell shows two vertically stacked pixels, {@code ▀} in the top pixel's colour over the
   * bottom pixel's colour. The image is fitted (aspect kept, a half-cell being about square) and centred in
   * {@code cols×rows}; cells outside it stay blank in the default colours.
   */
  public static CellImage halfBlocks(BufferedImage image, int cols, int rows) {
    CellImage out = new CellImage(cols, rows);
    if (cols < 1 || rows < 1) return out;
    BufferedImage img = Images.fit(image, cols, rows * 2);
    int w = img.getWidth(), h = img.getHeight();
    int[] px = img.getRGB(0, 0, w, h, null, 0, w);
    int x0 = (cols - w) / 2;
    int y0 = (rows * 2 - h) / 2 / 2 * 2;            // even, so pixel pairs align with cells
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int x = c - x0;
        if (x < 0 || x >= w) continue;
        int top = pixel(px, w, h, x, 2 * r - y0);
        int bottom = pixel(px, w, h, x, 2 * r + 1 - y0);
        if (top == DEFAULT && bottom == DEFAULT) continue;
        int i = r * out.cols + c;
        if (top == DEFAULT) {                       // only the bottom pixel: draw it as the lower half
          out.glyphs[i] = "\u2584";
          out.fg[i] = bottom;
        } else {
          out.glyphs[i] = "\u2580";
          out.fg[i] = top;
          out.bg[i] = bottom;
        }
      }
    }
    return out;
  }

  /**
   * A brightness ramp ({@value #RAMP}) in the default colours, for mono terminals and ASCII-only locales. A cell is
   * about twice as tall as wide, so the image is fitted to {@code cols × 2·rows} and each cell averages two pixels.
   */
  public static CellImage ascii(BufferedImage image, int cols, int rows) {
    CellImage out = new CellImage(cols, rows);
    if (cols < 1 || rows < 1) return out;
    BufferedImage img = Images.fit(image, cols, rows * 2);
    int w = img.getWidth(), h = img.getHeight();
    int[] px = img.getRGB(0, 0, w, h, null, 0, w);
    int x0 = (cols - w) / 2;
    int y0 = (rows * 2 - h) / 2 / 2 * 2;
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int x = c - x0;
        if (x < 0 || x >= w) continue;
        double sum = 0;
        int n = 0;
        for (int k = 0; k < 2; k++) {
          int p = pixel(px, w, h, x, 2 * r + k - y0);
          if (p == DEFAULT) continue;
          sum += ColorRounding.luminance(p);
          n++;
        }
        if (n == 0) continue;
        int level = (int) Math.min(RAMP.length() - 1, Math.round(sum / n * (RAMP.length() - 1)));
        out.glyphs[r * out.cols + c] = String.valueOf(RAMP.charAt(level));
      }
    }
    return out;
  }

  private static int pixel(int[] px, int w, int h, int x, int y) {
    if (y < 0 || y >= h) return DEFAULT;
    int p = px[y * w + x];
    return (p >>> 24) < 128 ? DEFAULT : p & 0xffffff;
  }
}
