package dev.lathe.demo;

import dev.lathe.io.AtomicFiles;
import dev.lathe.torch.Tensors;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.bytedeco.pytorch.Tensor;

/**
 * The demo's dataset, drawn in code: an orange disc on a teal gradient, the disc's place and size varying, each
 * image with a caption naming the trigger. A model that learns it turns grey noise into orange-on-teal pictures,
 * which anyone can see in the previews and which a test can measure (mean colours).
 */
public final class DemoData {
  static final Color DISC = new Color(240, 140, 40);
  static final Color TEAL_TOP = new Color(30, 120, 130);
  static final Color TEAL_BOTTOM = new Color(10, 70, 90);
  private static final String[] WHERE = {"in the top left", "in the top right", "in the bottom left", "in the bottom right", "in the middle"};

  private DemoData() {}

  /** One picture and its caption. */
  public record Item(BufferedImage image, String caption) {}

  /** {@code n} items of {@code size}×{@code size} from {@code seed}. */
  public static List<Item> generate(int n, int size, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Item> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
      Graphics2D g = img.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setPaint(new GradientPaint(0, 0, TEAL_TOP, 0, size, TEAL_BOTTOM));
      g.fillRect(0, 0, size, size);
      int where = r.nextInt(WHERE.length);
      double radius = size * (0.18 + 0.12 * r.nextDouble());
      double cx = where == 4 ? size / 2.0 : (where % 2 == 0 ? size * 0.32 : size * 0.68);
      double cy = where == 4 ? size / 2.0 : (where < 2 ? size * 0.32 : size * 0.68);
      cx += (r.nextDouble() - 0.5) * size * 0.1;
      cy += (r.nextDouble() - 0.5) * size * 0.1;
      g.setColor(DISC);
      g.fillOval((int) Math.round(cx - radius), (int) Math.round(cy - radius), (int) Math.round(2 * radius), (int) Math.round(2 * radius));
      g.dispose();
      String size3 = radius > size * 0.24 ? "large" : "small";
      out.add(new Item(img, "[trigger], a " + size3 + " orange disc " + WHERE[where] + " on a teal background"));
    }
    return out;
  }

  /** Writes {@code items} as image_NN.png + image_NN.txt. */
  public static void write(Path dir, List<Item> items) throws IOException {
    for (int i = 0; i < items.size(); i++) {
      String stem = String.format("image_%02d", i);
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      ImageIO.write(items.get(i).image(), "png", png);
      AtomicFiles.write(dir.resolve(stem + ".png"), png.toByteArray());
      AtomicFiles.writeString(dir.resolve(stem + ".txt"), items.get(i).caption() + "\n");
    }
  }

  /** An image as [3, H, W] in [-1, 1]. */
  public static Tensor tensor(BufferedImage img) {
    int w = img.getWidth(), h = img.getHeight();
    float[] v = new float[3 * w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb = img.getRGB(x, y);
        v[y * w + x] = ((rgb >> 16) & 255) / 127.5f - 1;
        v[w * h + y * w + x] = ((rgb >> 8) & 255) / 127.5f - 1;
        v[2 * w * h + y * w + x] = (rgb & 255) / 127.5f - 1;
      }
    }
    return Tensors.fromFloats(v, 3, h, w);
  }

  /** Mean (r, g, b) of an image in 0..255. */
  public static double[] meanColour(BufferedImage img) {
    double[] m = new double[3];
    int n = img.getWidth() * img.getHeight();
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y);
        m[0] += ((rgb >> 16) & 255) / (double) n;
        m[1] += ((rgb >> 8) & 255) / (double) n;
        m[2] += (rgb & 255) / (double) n;
      }
    }
    return m;
  }
}
