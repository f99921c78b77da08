package dev.lathe.term;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Image helpers shared by the protocol writers: fit-inside scaling and PNG bytes. */
public final class Images {
  private Images() {}

  /**
   * {@code image} scaled to fit inside {@code maxW×maxH} pixels, aspect kept, never larger than 1:1 upscaled by more
   * than {@code maxW/width}. Downscaling halves in steps, then one bilinear pass, which avoids the aliasing of a single
   * large bilinear step. Returns a new TYPE_INT_ARGB image of at least 1×1.
   */
  public static BufferedImage fit(BufferedImage image, int maxW, int maxH) {
    if (maxW < 1 || maxH < 1) throw new IllegalArgumentException("target size must be at least 1x1, was " + maxW + "x" + maxH);
    double s = Math.min((double) maxW / image.getWidth(), (double) maxH / image.getHeight());
    int tw = Math.max(1, (int) Math.round(image.getWidth() * s));
    int th = Math.max(1, (int) Math.round(image.getHeight() * s));
    return scale(image, Math.min(tw, maxW), Math.min(th, maxH));
  }

  /** {@code image} resized to exactly {@code w×h} (aspect not kept). */
  public static BufferedImage scale(BufferedImage image, int w, int h) {
    BufferedImage cur = toArgb(image);
    int cw = cur.getWidth(), ch = cur.getHeight();
    while (cw / 2 >= w && ch / 2 >= h) {
      cw /= 2;
      ch /= 2;
      cur = draw(cur, cw, ch);
    }
    return cw == w && ch == h ? cur : draw(cur, w, h);
  }

  private static BufferedImage toArgb(BufferedImage image) {
    if (image.getType() == BufferedImage.TYPE_INT_ARGB) return image;
    return draw(image, image.getWidth(), image.getHeight());
  }

  private static BufferedImage draw(BufferedImage src, int w, int h) {
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(src, 0, 0, w, h, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  /** PNG bytes of {@code image}. */
  public static byte[] png(BufferedImage image) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (!ImageIO.write(image, "png", out)) throw new IllegalStateException("no PNG writer in this JRE");
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
