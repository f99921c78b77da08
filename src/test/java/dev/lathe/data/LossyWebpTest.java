package dev.lathe.data;

import static dev.lathe.data.ImagesTest.assertNear;
import static dev.lathe.data.ImagesTest.px;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lossy WebP (the VP8 bitstream most WebP files use) from a real encoder: header fields, decoded colours within a
 * lossy tolerance, lossy colour with a lossless alpha plane (VP8X + ALPH), and EXIF orientation on a lossy frame.
 * The files and how they were made: src/test/resources/webp/README.md.
 */
class LossyWebpTest {
  static final int RED = 0xFF0000, GREEN = 0x00FF00, BLUE = 0x0000FF, WHITE = 0xFFFFFF, BLACK = 0;
  /** Solid areas away from edges survive quality-90 VP8 within a few levels; 12 leaves room for other decoders. */
  static final int LOSSY = 12;

  @TempDir Path dir;

  static byte[] resource(String name) throws IOException {
    try (InputStream in = LossyWebpTest.class.getResourceAsStream("/webp/" + name)) {
      if (in == null) throw new IllegalStateException("missing test resource webp/" + name);
      return in.readAllBytes();
    }
  }

  @Test
  void simpleLossy_headerFromTheVp8FrameHeader() throws Exception {
    byte[] webp = resource("lossy-quadrants.webp");
    assertThat(new String(webp, 12, 4, "US-ASCII")).isEqualTo("VP8 ");   // really the lossy branch
    assertThat(ImageHeader.read(webp)).isEqualTo(new ImageHeader("webp", 50, 30, 1, false, false, "rgb"));
    assertThat(ImageHeader.read(TestImages.write(dir, "q.webp", webp))).isEqualTo(ImageHeader.read(webp));   // file path
  }

  @Test
  void simpleLossy_decodesToTheSourceColours() throws Exception {
    BufferedImage img = Images.decode(TestImages.write(dir, "q.webp", resource("lossy-quadrants.webp")), WHITE);
    assertThat(img.getWidth()).isEqualTo(50);
    assertThat(img.getHeight()).isEqualTo(30);
    // quadrant centres (source quadrants are 25x15)
    assertNear(px(img, 12, 7), RED, LOSSY);
    assertNear(px(img, 37, 7), GREEN, LOSSY);
    assertNear(px(img, 12, 22), BLUE, LOSSY);
    assertNear(px(img, 37, 22), WHITE, LOSSY);
  }

  @Test
  void lossyWithAlpha_headerAndCompositeOverTheBackground() throws Exception {
    byte[] webp = resource("lossy-alpha.webp");
    assertThat(new String(webp, 12, 4, "US-ASCII")).isEqualTo("VP8X");
    assertThat(new String(webp, 30, 4, "US-ASCII")).isEqualTo("ALPH");
    assertThat(ImageHeader.read(webp)).isEqualTo(new ImageHeader("webp", 48, 16, 1, true, false, "rgba"));
    Path f = TestImages.write(dir, "a.webp", webp);

    BufferedImage onWhite = Images.decode(f, WHITE);
    assertNear(px(onWhite, 8, 8), RED, LOSSY);                 // opaque
    assertNear(px(onWhite, 24, 8), 0x80FF80, LOSSY);           // green at 127/255 over white: 255·128/255 ≈ 128 in R and B
    assertThat(px(onWhite, 40, 8)).isEqualTo(WHITE);           // alpha 0 (lossless plane): the background exactly

    BufferedImage onBlack = Images.decode(f, BLACK);
    assertNear(px(onBlack, 8, 8), RED, LOSSY);
    assertNear(px(onBlack, 24, 8), 0x007F00, LOSSY);           // 255·127/255
    assertThat(px(onBlack, 40, 8)).isEqualTo(BLACK);

    BufferedImage onGrey = Images.decode(f, 0x336699);
    assertThat(px(onGrey, 40, 8)).isEqualTo(0x336699);
    assertNear(px(onGrey, 24, 8), Images.composite(GREEN, 127, 0x336699), LOSSY);
  }

  @Test
  void lossyWithExifOrientation_turnedUpright() throws Exception {
    byte[] webp = TestImages.lossyWebpWithExif(resource("lossy-quadrants.webp"), 50, 30, 6);
    assertThat(ImageHeader.read(webp)).isEqualTo(new ImageHeader("webp", 50, 30, 6, false, false, "rgb"));
    BufferedImage img = Images.decode(TestImages.write(dir, "r.webp", webp), WHITE);
    assertThat(img.getWidth()).isEqualTo(30);
    assertThat(img.getHeight()).isEqualTo(50);
    // orientation 6 (stored image turned a quarter clockwise): display TL blue, TR red, BL white, BR green
    assertNear(px(img, 7, 12), BLUE, LOSSY);
    assertNear(px(img, 22, 12), RED, LOSSY);
    assertNear(px(img, 7, 37), WHITE, LOSSY);
    assertNear(px(img, 22, 37), GREEN, LOSSY);
  }

  @Test
  void truncatedOrCorruptLossy_reportedNotThrown() throws Exception {
    byte[] webp = resource("lossy-quadrants.webp");
    Path cut = TestImages.write(dir, "cut.webp", Arrays.copyOf(webp, webp.length / 2));
    assertThatThrownBy(() -> Images.decode(cut, WHITE)).isInstanceOf(DataException.class)
        .hasMessageContaining("cut.webp: truncated WebP: " + webp.length / 2 + " bytes, the header promises " + webp.length);

    byte[] bad = webp.clone();
    bad[23] = 0;   // first byte of the VP8 start code 9D 01 2A
    Path corrupt = TestImages.write(dir, "bad.webp", bad);
    assertThatThrownBy(() -> Images.decode(corrupt, WHITE)).isInstanceOf(DataException.class)
        .hasMessageEndingWith("bad.webp: corrupt WebP: bad VP8 start code");
  }

  @Test
  void scanWithVerify_acceptsBothLossyFiles() throws Exception {
    TestImages.write(dir, "set/q.webp", resource("lossy-quadrants.webp"));
    TestImages.write(dir, "set/a.webp", resource("lossy-alpha.webp"));
    ScanReport r = DatasetScanner.scan(DatasetSpec.of(dir.resolve("set")).withResolutions(java.util.List.of(64)), DataOptions.DEFAULTS, true);
    // a full decode ran (verify) and found nothing wrong: the only problems are the sizes, smaller than 64²
    assertThat(r.issues()).extracting(ScanReport.Issue::message).containsExactlyInAnyOrder(
        "48x16 is too small for every resolution (needs about 58x58 pixels or more for 64; Lathe never upscales)",
        "50x30 is too small for every resolution (needs about 58x58 pixels or more for 64; Lathe never upscales)");
    assertThat(r.images()).extracting(ScanReport.Image::path, ScanReport.Image::width, ScanReport.Image::height, ScanReport.Image::alpha)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("q.webp", 50, 30, false), org.assertj.core.groups.Tuple.tuple("a.webp", 48, 16, true));
  }
}
