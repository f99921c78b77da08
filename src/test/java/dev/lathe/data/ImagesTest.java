package dev.lathe.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every image kind decodes to the expected sRGB pixels in display orientation. */
class ImagesTest {
  static final int RED = 0xFF0000, GREEN = 0x00FF00, BLUE = 0x0000FF, WHITE = 0xFFFFFF, BLACK = 0;

  @TempDir Path dir;

  BufferedImage decode(String name, byte[] bytes) throws DataException {
    return Images.decode(TestImages.write(dir, name, bytes), WHITE);
  }

  static int px(BufferedImage img, int x, int y) {
    return img.getRGB(x, y) & 0xFFFFFF;
  }

  static void assertNear(int actual, int expected, int tolerance) {
    for (int s = 16; s >= 0; s -= 8) {
      int a = actual >> s & 0xFF;
      int e = expected >> s & 0xFF;
      assertThat(Math.abs(a - e)).as("channel >>%d of %06x vs %06x", s, actual, expected).isLessThanOrEqualTo(tolerance);
    }
  }

  /** Stored quadrants: top-left red, top-right green, bottom-left blue, bottom-right white. */
  static BufferedImage quadrants(int w, int h) {
    BufferedImage img = TestImages.stacked(w, h, RED, BLUE);
    for (int y = 0; y < h / 2; y++) for (int x = w / 2; x < w; x++) img.setRGB(x, y, GREEN);
    for (int y = h / 2; y < h; y++) for (int x = w / 2; x < w; x++) img.setRGB(x, y, WHITE);
    return img;
  }

  @ParameterizedTest(name = "orientation {0}")
  @CsvSource({
      // display corners TL, TR, BL, BR worked out from the EXIF definitions ("row 0 is the visual ...")
      "1, FF0000, 00FF00, 0000FF, FFFFFF",
      "2, 00FF00, FF0000, FFFFFF, 0000FF",
      "3, FFFFFF, 0000FF, 00FF00, FF0000",
      "4, 0000FF, FFFFFF, FF0000, 00FF00",
      "5, FF0000, 0000FF, 00FF00, FFFFFF",
      "6, 0000FF, FF0000, FFFFFF, 00FF00",
      "7, FFFFFF, 00FF00, 0000FF, FF0000",
      "8, 00FF00, FFFFFF, FF0000, 0000FF",
  })
  void pngExifOrientation_cornersAsDisplayed(int orientation, String tl, String tr, String bl, String br) throws Exception {
    byte[] png = TestImages.pngWithExif(TestImages.png(quadrants(40, 20)), orientation);
    BufferedImage img = decode("q.png", png);
    boolean turned = orientation >= 5;
    assertThat(img.getWidth()).isEqualTo(turned ? 20 : 40);
    assertThat(img.getHeight()).isEqualTo(turned ? 40 : 20);
    int w = img.getWidth() - 1;
    int h = img.getHeight() - 1;
    assertThat(new int[] {px(img, 0, 0), px(img, w, 0), px(img, 0, h), px(img, w, h)})
        .containsExactly(Integer.parseInt(tl, 16), Integer.parseInt(tr, 16), Integer.parseInt(bl, 16), Integer.parseInt(br, 16));
    assertThat(ImageHeader.read(png).orientation()).isEqualTo(orientation);
  }

  @Test
  void jpegExifRotate90_turnedUpright() throws Exception {
    byte[] jpg = TestImages.withExif(TestImages.jpeg(TestImages.halves(64, 32, RED, BLUE)), 6);
    ImageHeader h = ImageHeader.read(jpg);
    assertThat(h.orientation()).isEqualTo(6);
    assertThat(h.displayWidth()).isEqualTo(32);
    assertThat(h.displayHeight()).isEqualTo(64);
    BufferedImage img = decode("r.jpg", jpg);
    assertThat(img.getWidth()).isEqualTo(32);
    assertThat(img.getHeight()).isEqualTo(64);
    assertNear(px(img, 16, 8), RED, 8);    // stored left (red) is now on top
    assertNear(px(img, 16, 56), BLUE, 8);
  }

  @Test
  void webpExifOrientation_applied() throws Exception {
    byte[] webp = TestImages.webpWithExif(8, 4, 0xFFFF0000, 0xFF0000FF, (x, y) -> x >= 4, 8);
    assertThat(ImageHeader.read(webp)).isEqualTo(new ImageHeader("webp", 8, 4, 8, false, false, "rgb"));
    BufferedImage img = decode("w.webp", webp);
    assertThat(img.getWidth()).isEqualTo(4);
    assertThat(px(img, 0, 0)).isEqualTo(BLUE);   // turned counter-clockwise: the right half goes up
    assertThat(px(img, 0, 7)).isEqualTo(RED);
  }

  @Test
  void png_bmp_webp_exactPixels() throws Exception {
    BufferedImage src = TestImages.halves(6, 3, 0x123456, 0xABCDEF);
    for (String fmt : new String[] {"png", "bmp"}) {
      BufferedImage img = decode("h." + fmt, TestImages.encode(src, fmt));
      assertThat(px(img, 0, 0)).isEqualTo(0x123456);
      assertThat(px(img, 5, 2)).isEqualTo(0xABCDEF);
    }
    BufferedImage w = decode("h.webp", TestImages.webp(6, 3, 0xFF123456, 0xFFABCDEF, (x, y) -> x >= 3));
    assertThat(w.getWidth()).isEqualTo(6);
    assertThat(px(w, 2, 1)).isEqualTo(0x123456);
    assertThat(px(w, 3, 1)).isEqualTo(0xABCDEF);
  }

  @Test
  void jpeg_solidColour_nearExact() throws Exception {
    BufferedImage img = decode("s.jpg", TestImages.jpeg(TestImages.solid(16, 16, 0x4080C0)));
    assertNear(px(img, 8, 8), 0x4080C0, 3);
  }

  @Test
  void cmykJpeg_convertedToRgb() throws Exception {
    byte[] cyan = TestImages.cmykJpeg(16, 16, 255, 0, 0, 0);
    assertThat(ImageHeader.read(cyan).color()).isEqualTo("cmyk");
    assertNear(px(decode("c.jpg", cyan), 8, 8), 0x00FFFF, 6);
    assertNear(px(decode("k.jpg", TestImages.cmykJpeg(16, 16, 0, 0, 0, 255)), 8, 8), BLACK, 6);
    assertNear(px(decode("w.jpg", TestImages.cmykJpeg(16, 16, 0, 0, 0, 0)), 8, 8), WHITE, 6);
  }

  @Test
  void sixteenBitPng_scaledTo8Bit() throws Exception {
    byte[] g = TestImages.gray16Png(4, 4, 40000);
    assertThat(ImageHeader.read(g).color()).isEqualTo("gray 16-bit");
    assertThat(px(decode("g16.png", g), 1, 1)).isEqualTo(0x9C9C9C);   // 40000 * 255 / 65535 = 155.6 -> 156
    byte[] rgb = TestImages.rgb16Png(4, 4, 65535, 32896, 0);
    assertThat(ImageHeader.read(rgb).color()).isEqualTo("rgb 16-bit");
    assertThat(px(decode("c16.png", rgb), 1, 1)).isEqualTo(0xFF8000);   // 32896 = 128 * 257
  }

  @Test
  void grayPng_notBrightened() throws Exception {
    // Java's linear-gray colour model would give 0xBCBCBC for 128
    assertThat(px(decode("g.png", TestImages.grayPng(4, 4, 128)), 0, 0)).isEqualTo(0x808080);
  }

  @Test
  void palettePng_exact() throws Exception {
    byte[] p = TestImages.palettePng(8, 2, 0x102030, 0xF0E0D0);
    assertThat(ImageHeader.read(p).color()).isEqualTo("palette");
    BufferedImage img = decode("p.png", p);
    assertThat(px(img, 0, 0)).isEqualTo(0x102030);
    assertThat(px(img, 7, 1)).isEqualTo(0xF0E0D0);
  }

  @Test
  void alpha_compositedOverBackground() throws Exception {
    Path f = TestImages.write(dir, "a.png", TestImages.rgbaPng(4, 4, RED, 128));
    assertThat(ImageHeader.read(f).alpha()).isTrue();
    // r: (255*128 + 255*127 + 127) / 255 = 255; g, b: (255*127 + 127) / 255 = 127
    assertThat(Images.decode(f, WHITE).getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFF7F7F);
    assertThat(Images.decode(f, BLACK).getRGB(0, 0) & 0xFFFFFF).isEqualTo(0x800000);   // (255*128 + 127) / 255 = 128
    // fully transparent WebP pixels become the background exactly
    Path w = TestImages.write(dir, "a.webp", TestImages.webp(4, 2, 0x00FF0000, 0xFF00FF00, (x, y) -> x >= 2));
    BufferedImage img = Images.decode(w, 0x336699);
    assertThat(img.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0x336699);
    assertThat(img.getRGB(3, 0) & 0xFFFFFF).isEqualTo(GREEN);
  }

  @Test
  void animated_firstFrame() throws Exception {
    byte[] gif = TestImages.animatedGif(8, 8, RED, BLUE, GREEN);
    assertThat(ImageHeader.read(gif).animated()).isTrue();
    assertThat(px(decode("a.gif", gif), 4, 4)).isEqualTo(RED);
    assertThat(ImageHeader.read(TestImages.encode(TestImages.solid(8, 8, RED), "gif")).animated()).isFalse();

    byte[] webp = TestImages.animatedWebp(8, 8, 0xFF0000FF, 0xFFFF0000);
    assertThat(ImageHeader.read(webp)).isEqualTo(new ImageHeader("webp", 8, 8, 1, true, true, "rgba"));
    assertThat(px(decode("a.webp", webp), 4, 4)).isEqualTo(BLUE);
  }

  @Test
  void apng_firstFrameAndFlagged() throws Exception {
    // an acTL chunk before IDAT marks an APNG; decoders without APNG support show the default image
    byte[] png = TestImages.png(TestImages.solid(8, 8, RED));
    byte[] actl = TestImages.pngChunk("acTL", ByteBuffer.allocate(8).putInt(2).putInt(0).array());
    byte[] apng = TestImages.insert(png, 33, actl);
    assertThat(ImageHeader.read(apng).animated()).isTrue();
    assertThat(px(decode("a.png", apng), 1, 1)).isEqualTo(RED);
  }

  @Test
  void badFiles_oneLineReasons() {
    byte[] png = TestImages.png(TestImages.halves(64, 64, RED, BLUE));
    assertThatThrownBy(() -> decode("t.png", Arrays.copyOf(png, png.length / 2)))
        .isInstanceOf(DataException.class).hasMessageEndingWith("t.png: truncated PNG: no IEND chunk at the end (file cut short?)");
    byte[] jpg = TestImages.jpeg(TestImages.halves(64, 64, RED, BLUE));
    assertThatThrownBy(() -> decode("t.jpg", Arrays.copyOf(jpg, jpg.length - 40)))
        .hasMessageEndingWith("t.jpg: truncated JPEG: no end-of-image marker (file cut short?)");
    assertThatThrownBy(() -> decode("z.png", new byte[0])).hasMessageEndingWith("z.png: empty file (0 bytes)");
    assertThatThrownBy(() -> decode("x.png", "hello, not an image at all".getBytes()))
        .hasMessageEndingWith("x.png: not an image this reader knows (PNG, JPEG, WebP, BMP, GIF): unrecognised file signature");
    assertThatThrownBy(() -> Images.decode(dir.resolve("missing.png"), WHITE)).hasMessageEndingWith("missing.png: no such file");
    // a PNG whose IHDR claims 20000 x 20000
    byte[] huge = png.clone();
    ByteBuffer.wrap(huge).putInt(16, 20000).putInt(20, 20000);
    assertThatThrownBy(() -> decode("huge.png", huge)).hasMessageContaining("too large to decode: 20000x20000");
    // a corrupt body behind an intact header and end marker
    byte[] garbled = png.clone();
    for (int i = 60; i < garbled.length - 20; i++) garbled[i] = (byte) (i * 31);
    assertThatThrownBy(() -> decode("g.png", garbled)).isInstanceOf(DataException.class).hasMessageContaining("g.png: cannot decode png: ");
  }
}
