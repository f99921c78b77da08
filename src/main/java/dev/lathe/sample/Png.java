package dev.lathe.sample;

import dev.lathe.io.AtomicFiles;
import dev.lathe.torch.Tensors;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.bytedeco.pytorch.Tensor;

/** Pixels to PNG files, written atomically. */
public final class Png {
  private Png() {}

  /** [3, H, W] (or [1, 3, H, W]) in [-1, 1], clamped, to an 8-bit RGB image. */
  public static BufferedImage image(Tensor pixels) {
    long[] s = Tensors.shape(pixels);
    int off = s.length == 4 ? 1 : 0;
    if (s.length - off != 3 || s[off] != 3 || (off == 1 && s[0] != 1))
      throw new IllegalArgumentException("expected pixels [3, H, W], got " + java.util.Arrays.toString(s));
    int h = (int) s[off + 1], w = (int) s[off + 2];
    float[] v = Tensors.toFloats(pixels);
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int plane = h * w;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        img.setRGB(x, y, byteOf(v[i]) << 16 | byteOf(v[plane + i]) << 8 | byteOf(v[2 * plane + i]));
      }
    }
    return img;
  }

  private static int byteOf(float v) {
    float c = Math.max(-1f, Math.min(1f, v));
    return Math.round((c + 1f) * 127.5f);
  }

  /** Writes {@code img} as PNG through a temporary file, fsync and rename. */
  public static void write(Path file, BufferedImage img) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(img, "png", out)) throw new IOException(file + ": no PNG writer available");
    AtomicFiles.write(file, out.toByteArray());
  }
}
