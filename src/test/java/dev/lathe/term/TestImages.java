package dev.lathe.term;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Random;

/** Synthetic pictures for the image tests: reproducible, no files. */
final class TestImages {
  private TestImages() {}

  /** Something like a sample: a sky gradient, a sun, hills, a little noise (so it is not trivially compressible). */
  static BufferedImage scene(int w, int h, long seed) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Random rnd = new Random(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double t = (double) y / h;
        int r = (int) (40 + 150 * t), g = (int) (90 + 100 * t), b = (int) (200 - 60 * t);
        img.setRGB(x, y, r << 16 | g << 8 | b);
      }
    }
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(new Color(250, 210, 80));
    g.fillOval(w * 6 / 10, h / 8, w / 5, w / 5);
    g.setColor(new Color(40, 120, 50));
    g.fillOval(-w / 4, h * 6 / 10, w, h);
    g.setColor(new Color(70, 150, 60));
    g.fillOval(w / 3, h * 7 / 10, w, h);
    g.setColor(new Color(120, 60, 30));
    g.fillRect(w / 8, h / 2, w / 20, h / 3);
    g.dispose();
    for (int i = 0; i < w * h / 20; i++) {
      int x = rnd.nextInt(w), y = rnd.nextInt(h);
      int p = img.getRGB(x, y);
      int d = rnd.nextInt(13) - 6;
      int r = clamp(((p >> 16) & 0xff) + d), gg = clamp(((p >> 8) & 0xff) + d), b = clamp((p & 0xff) + d);
      img.setRGB(x, y, r << 16 | gg << 8 | b);
    }
    return img;
  }

  /** Four flat quadrants: red, green, blue, white. */
  static BufferedImage quadrants(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean left = x < w / 2, top = y < h / 2;
        img.setRGB(x, y, top ? (left ? 0xff0000 : 0x00ff00) : (left ? 0x0000ff : 0xffffff));
      }
    }
    return img;
  }

  static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  /** Mean absolute difference per channel (0..255) over pixels opaque in {@code a}; transparent in b counts 255. */
  static double meanAbsError(BufferedImage a, BufferedImage b) {
    long sum = 0, n = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        int p = a.getRGB(x, y);
        if ((p >>> 24) < 128) continue;
        int q = x < b.getWidth() && y < b.getHeight() ? b.getRGB(x, y) : 0;
        if ((q >>> 24) < 128) {
          sum += 3 * 255;
        } else {
          sum += Math.abs(((p >> 16) & 0xff) - ((q >> 16) & 0xff)) + Math.abs(((p >> 8) & 0xff) - ((q >> 8) & 0xff))
              + Math.abs((p & 0xff) - (q & 0xff));
        }
        n += 3;
      }
    }
    return (double) sum / n;
  }

  /** Largest per-channel difference. */
  static int maxAbsError(BufferedImage a, BufferedImage b) {
    int max = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        int p = a.getRGB(x, y), q = b.getRGB(x, y);
        if ((q >>> 24) < 128) return 255;
        for (int s = 0; s <= 16; s += 8) max = Math.max(max, Math.abs(((p >> s) & 0xff) - ((q >> s) & 0xff)));
      }
    }
    return max;
  }
}
