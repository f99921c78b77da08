package dev.lathe.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Image decoding for training: ImageIO with the TwelveMonkeys JPEG and WebP plugins. The result is 8-bit sRGB in
 * display orientation: EXIF orientation applied; CMYK/YCCK JPEGs converted; 16-bit, grayscale and palette images
 * expanded; alpha composited over a background colour; of an animated file (GIF, WebP, APNG) the first frame.
 */
public final class Images {
  /** Larger images are refused rather than risk the heap (the limit image libraries commonly use). */
  public static final long MAX_PIXELS = 178_956_970L;

  static {
    ImageIO.setUseCache(false);   // decode in memory, never through temp files
  }

  private Images() {}

  /** A decoded image: packed 0xRRGGBB pixels, row-major, {@code width × height} as displayed. */
  record Rgb(int width, int height, int[] pixels, List<String> warnings) {}

  /**
   * Decodes {@code file}.
   *
   * @param background 0xRRGGBB that transparent pixels are composited over
   * @return a TYPE_INT_RGB image in display orientation
   * @throws DataException naming the file and the reason when it is missing, truncated, corrupt or unsupported
   */
  public static BufferedImage decode(Path file, int background) throws DataException {
    Rgb rgb = decodeRgb(file, background);
    BufferedImage out = new BufferedImage(rgb.width, rgb.height, BufferedImage.TYPE_INT_RGB);
    out.setRGB(0, 0, rgb.width, rgb.height, rgb.pixels, 0, rgb.width);
    return out;
  }

  static Rgb decodeRgb(Path file, int background) throws DataException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new DataException(file, "no such file");
    } catch (IOException e) {
      throw new DataException(file, "cannot read: " + e.getMessage());
    }
    return decodeRgb(file, bytes, background);
  }

  static Rgb decodeRgb(Path file, byte[] bytes, int background) throws DataException {
    ImageHeader header;
    try {
      header = ImageHeader.read(bytes);
    } catch (ImageHeader.BadImage e) {
      throw new DataException(file, e.getMessage());
    }
    if ((long) header.width() * header.height() > MAX_PIXELS)
      throw new DataException(file, "too large to decode: " + header.width() + "x" + header.height() + " is over " + Math.round(MAX_PIXELS / 1e6) + " megapixels");
    BufferedImage img;
    List<String> warnings = new ArrayList<>();
    try (ImageInputStream in = new ByteImageStream(bytes)) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) throw new DataException(file, "no decoder for this " + header.format() + " file");
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        img = reader.read(0);   // the first frame of an animation
      } finally {
        reader.dispose();
      }
    } catch (DataException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
      throw new DataException(file, "cannot decode " + header.format() + ": " + m);
    } catch (OutOfMemoryError e) {
      throw new DataException(file, "not enough memory to decode " + header.width() + "x" + header.height());
    }
    if (img == null) throw new DataException(file, "cannot decode " + header.format() + ": the decoder returned no image");
    int w = img.getWidth();
    int h = img.getHeight();
    int[] px = toRgb(img, background & 0xFFFFFF);
    int[] shown = Exif.apply(px, w, h, header.orientation());
    boolean swap = header.orientation() >= 5;
    return new Rgb(swap ? h : w, swap ? w : h, shown, warnings);
  }

  /**
   * Packed sRGB pixels of any decoded image. Grayscale goes through the raster because Java treats a gray colour
   * space as linear and would brighten it when converting; everything else converts through the colour model.
   */
  static int[] toRgb(BufferedImage img, int background) {
    int w = img.getWidth();
    int h = img.getHeight();
    int[] out = new int[w * h];
    var cm = img.getColorModel();
    if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      Raster r = img.getRaster();
      int bands = r.getNumBands();
      int max = (1 << cm.getComponentSize(0)) - 1;
      int amax = bands > 1 ? (1 << cm.getComponentSize(1)) - 1 : 1;
      int[] g = new int[w];
      int[] a = bands > 1 ? new int[w] : null;
      for (int y = 0; y < h; y++) {
        r.getSamples(0, y, w, 1, 0, g);
        if (a != null) r.getSamples(0, y, w, 1, 1, a);
        for (int x = 0; x < w; x++) {
          int v = (int) ((g[x] * 255L + max / 2) / max);
          int alpha = a == null ? 255 : (int) ((a[x] * 255L + amax / 2) / amax);
          out[y * w + x] = composite(v << 16 | v << 8 | v, alpha, background);
        }
      }
      return out;
    }
    boolean alpha = cm.hasAlpha();
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      img.getRGB(0, y, w, 1, row, 0, w);   // non-premultiplied ARGB in sRGB
      for (int x = 0; x < w; x++) {
        int p = row[x];
        out[y * w + x] = alpha ? composite(p & 0xFFFFFF, p >>> 24, background) : p & 0xFFFFFF;
      }
    }
    return out;
  }

  /** c·a + bg·(1 − a) per channel, rounded. */
  static int composite(int rgb, int alpha, int bg) {
    if (alpha >= 255) return rgb;
    if (alpha <= 0) return bg;
    int out = 0;
    for (int shift = 16; shift >= 0; shift -= 8) {
      int c = rgb >> shift & 0xFF;
      int b = bg >> shift & 0xFF;
      out |= ((c * alpha + b * (255 - alpha) + 127) / 255) << shift;
    }
    return out;
  }
}
