package dev.lathe.term;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.jline.terminal.impl.SixelGraphics;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SixelTest {

  @Test
  void encode_fourFlatColours_decodesToTheSamePixels() {
    BufferedImage img = TestImages.quadrants(40, 30);           // 30 rows: five bands, the last one full
    String s = Sixel.encode(img);
    BufferedImage back = SixelDecoder.decode(s);
    assertThat(back.getWidth()).isEqualTo(40);
    assertThat(back.getHeight()).isEqualTo(30);
    assertThat(TestImages.maxAbsError(img, back)).isLessThanOrEqualTo(2);    // only the percent rounding of registers
    assertThat(s).startsWith("\u001bP0;1;0q\"1;1;40;30").endsWith("\u001b\\");
    assertThat(count(s, "#\\d+;2;")).isEqualTo(4);
  }

  @Test
  void encode_solidRows_useRunLengths() {
    BufferedImage img = new BufferedImage(200, 12, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 12; y++) for (int x = 0; x < 200; x++) img.setRGB(x, y, 0x336699);
    String s = Sixel.encode(img);
    assertThat(s).contains("!200~");
    assertThat(s.length()).isLessThan(60);
    assertThat(TestImages.maxAbsError(img, SixelDecoder.decode(s))).isLessThanOrEqualTo(2);
  }

  @Test
  void encode_heightNotAMultipleOfSix_andOneColumn_roundTrips() {
    BufferedImage img = TestImages.scene(1, 17, 3);
    BufferedImage back = SixelDecoder.decode(Sixel.encode(img));
    assertThat(back.getHeight()).isEqualTo(17);
    assertThat(TestImages.maxAbsError(img, back)).isLessThanOrEqualTo(6);
  }

  @Test
  void encode_scene_isCloseWithinTolerance() {
    BufferedImage img = TestImages.scene(256, 192, 1);
    BufferedImage back = SixelDecoder.decode(Sixel.encode(img));
    assertThat(TestImages.meanAbsError(img, back)).isLessThan(4.0);
  }

  @Test
  void encode_sixteenRegisters_definesAtMostSixteen_andStaysClose() {
    BufferedImage img = TestImages.scene(128, 96, 2);
    String s = Sixel.encode(img, new Sixel.Options(16, false));
    assertThat(count(s, "#\\d+;2;")).isLessThanOrEqualTo(16);
    assertThat(TestImages.meanAbsError(img, SixelDecoder.decode(s))).isLessThan(12.0);
  }

  @Test
  void encode_ditherOn_isCloserOnAverageOverSmallAreas() {
    BufferedImage img = new BufferedImage(128, 96, BufferedImage.TYPE_INT_RGB);   // a smooth ramp: banding without dither
    for (int y = 0; y < 96; y++) for (int x = 0; x < 128; x++) img.setRGB(x, y, (x * 2) << 16 | (y * 2) << 8 | 128);
    BufferedImage plain = SixelDecoder.decode(Sixel.encode(img, new Sixel.Options(8, false)));
    BufferedImage dithered = SixelDecoder.decode(Sixel.encode(img, new Sixel.Options(8, true)));
    assertThat(TestImages.meanAbsError(img, dithered)).isLessThan(24.0);
    // what the eye sees: 4×4 averages; dithering trades per-pixel error for a better local mean
    assertThat(TestImages.meanAbsError(box4(img), box4(dithered))).isLessThan(TestImages.meanAbsError(box4(img), box4(plain)));
  }

  private static BufferedImage box4(BufferedImage img) {
    int w = img.getWidth() / 4, h = img.getHeight() / 4;
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int r = 0, g = 0, b = 0;
        for (int dy = 0; dy < 4; dy++) {
          for (int dx = 0; dx < 4; dx++) {
            int p = img.getRGB(4 * x + dx, 4 * y + dy);
            r += (p >> 16) & 0xff;
            g += (p >> 8) & 0xff;
            b += p & 0xff;
          }
        }
        out.setRGB(x, y, 0xff000000 | (r / 16) << 16 | (g / 16) << 8 | b / 16);
      }
    }
    return out;
  }

  @Test
  void encode_transparentPixels_areLeftUnpainted() {
    BufferedImage img = new BufferedImage(12, 12, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 12; y++) for (int x = 0; x < 12; x++) img.setRGB(x, y, x < 6 ? 0xffff0000 : 0x00000000);
    BufferedImage back = SixelDecoder.decode(Sixel.encode(img));
    assertThat(back.getRGB(2, 5) & 0xffffff).isEqualTo(0xff0000);
    assertThat(back.getRGB(9, 5) >>> 24).isZero();
  }

  @Test
  void decoder_readsJLinesEncoder_independentCheck() throws Exception {
    BufferedImage img = TestImages.scene(96, 64, 5);
    BufferedImage back = SixelDecoder.decode(SixelGraphics.convertToSixel(img));
    assertThat(TestImages.meanAbsError(img, back)).isLessThan(20.0);     // JLine dithers into its own palette
  }

  /** The figure README/docs quote: ours vs JLine's for the same picture. Written to target/sixel-sizes.txt. */
  @Test
  void size_ofOurs_isSmallerThanJLines_andIsRecorded() throws Exception {
    StringBuilder report = new StringBuilder("image\tours_bytes\tjline_bytes\tratio\tours_ms\tjline_ms\tours_mae\tjline_mae\n");
    for (int[] wh : new int[][] {{256, 192}, {512, 512}}) {
      BufferedImage img = TestImages.scene(wh[0], wh[1], 7);
      Sixel.encode(img);
      SixelGraphics.convertToSixel(img);                                  // warm both up
      long t0 = System.nanoTime();
      String ours = Sixel.encode(img);
      long t1 = System.nanoTime();
      String theirs = SixelGraphics.convertToSixel(img);
      long t2 = System.nanoTime();
      int a = ours.getBytes(StandardCharsets.US_ASCII).length;
      int b = theirs.getBytes(StandardCharsets.US_ASCII).length;
      assertThat(a).isLessThan(b);
      report.append(String.format(Locale.ROOT, "scene %dx%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.2f\t%.2f%n", wh[0], wh[1], a, b,
          (double) b / a, (t1 - t0) / 1e6, (t2 - t1) / 1e6, TestImages.meanAbsError(img, SixelDecoder.decode(ours)),
          TestImages.meanAbsError(img, SixelDecoder.decode(theirs))));
    }
    Path out = Path.of("target", "sixel-sizes.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report.toString());
  }

  /** ImageMagick, when present, reads our output to the same picture (CI may not have it: skipped there). */
  @Test
  void imageMagick_decodesOurOutput(@TempDir Path dir) throws Exception {
    BufferedImage img = TestImages.scene(120, 90, 8);
    Path six = dir.resolve("x.six");
    Path png = dir.resolve("x.png");
    Files.writeString(six, Sixel.encode(img), StandardCharsets.US_ASCII);
    BufferedImage back = null;
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {   // the first convert that reads sixel
      Path exe = Path.of(d, "convert");
      if (!Files.isExecutable(exe)) continue;
      Process p = new ProcessBuilder(exe.toString(), "sixel:" + six, "png:" + png).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (p.waitFor() == 0 && Files.exists(png)) {
        back = ImageIO.read(png.toFile());
        break;
      }
    }
    Assumptions.assumeTrue(back != null, "no ImageMagick with a sixel reader on PATH");
    assertThat(back.getWidth()).isEqualTo(120);
    assertThat(back.getHeight()).isEqualTo(90);
    assertThat(TestImages.meanAbsError(img, back)).isLessThan(4.0);
  }

  private static int count(String s, String regex) {
    Matcher m = Pattern.compile(regex).matcher(s);
    int n = 0;
    while (m.find()) n++;
    return n;
  }
}
