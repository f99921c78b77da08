package dev.lathe.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cut and scrambled files of every format: header reading and decoding fail with a reason, never otherwise. */
class ImageHeaderFuzzTest {
  @TempDir Path dir;

  static List<byte[]> samples() {
    return List.of(
        TestImages.png(TestImages.halves(40, 30, 0xFF0000, 0x0000FF)),
        TestImages.pngWithExif(TestImages.rgbaPng(20, 20, 0x00FF00, 100), 6),
        TestImages.withExif(TestImages.jpeg(TestImages.halves(40, 30, 0xFF0000, 0x0000FF)), 8),
        TestImages.cmykJpeg(16, 16, 10, 20, 30, 40),
        TestImages.webp(9, 5, 0xFF102030, 0x80FFFFFF, (x, y) -> x > y),
        TestImages.webpWithExif(6, 4, 0xFF000000, 0xFFFFFFFF, (x, y) -> x > 2, 3),
        TestImages.animatedWebp(5, 5, 0xFF0000FF, 0xFF00FF00),
        TestImages.animatedGif(12, 10, 0xFF0000, 0x00FF00),
        TestImages.bmp(TestImages.solid(7, 3, 0x123456)),
        TestImages.gray16Png(5, 5, 1234));
  }

  static void headerOrReason(byte[] b) {
    try {
      ImageHeader h = ImageHeader.read(b);
      assertThat(h.width()).isPositive();
      assertThat(h.height()).isPositive();
      assertThat(h.orientation()).isBetween(1, 8);
    } catch (ImageHeader.BadImage e) {
      assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
    }
  }

  @Test
  void everyTruncation_headerOrReason() throws Exception {
    for (byte[] full : samples()) {
      for (int n = 0; n < full.length; n++) {
        byte[] cut = Arrays.copyOf(full, n);
        headerOrReason(cut);
        if (n % 7 == 0) {   // the file path reads through the prefix/tail buffers
          Path f = dir.resolve("f");
          Files.write(f, cut);
          try {
            ImageHeader.read(f);
          } catch (ImageHeader.BadImage expected) {
            // a reason
          }
        }
      }
    }
  }

  @Test
  void randomByteDamage_headerOrReason_decodeOrDataException() throws Exception {
    Random rnd = new Random(1234);
    for (byte[] full : samples()) {
      for (int round = 0; round < 100; round++) {
        byte[] b = full.clone();
        int flips = 1 + rnd.nextInt(6);
        for (int i = 0; i < flips; i++) b[rnd.nextInt(Math.min(b.length, 120))] = (byte) rnd.nextInt(256);
        headerOrReason(b);
        if (round % 10 == 0) {
          try {
            Images.decodeRgb(dir.resolve("x"), b, 0xFFFFFF);
          } catch (DataException e) {
            assertThat(e.problem()).isNotBlank().doesNotContain("\n");
          }
        }
      }
    }
  }
}
