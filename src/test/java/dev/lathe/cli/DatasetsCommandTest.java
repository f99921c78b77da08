package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsCommandTest {
  @TempDir Path dir;

  static void png(Path file, int w, int h) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", out);
    Files.createDirectories(file.getParent());
    Files.write(file, out.toByteArray());
  }

  @Test
  void scan_printsReportAndBuckets() throws Exception {
    Path ds = dir.resolve("ds");
    png(ds.resolve("a.png"), 1920, 1080);
    Files.writeString(ds.resolve("a.txt"), "[trigger] on a street");
    png(ds.resolve("b.png"), 900, 900);
    CliTest.Result r = CliTest.run("datasets", "scan", ds.toString(), "--resolutions", "768,1024", "--family", "zimage", "--trigger", "sks");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith(ds + ": 2 images (2 usable, 0 too small), 0 unusable files; 3 files scanned")
        .contains("captions  1 from caption files, 0 from metadata.jsonl, 1 use no caption")
        .contains("trigger   sks: 1 captions hold it or [trigger], 1 get it prepended")
        .contains("    768   1024x576 ×1  768x768 ×1\n")
        .contains("   1024   1360x768 ×1\n")
        .containsPattern("a\\.png +1920x1080 +png +768:1024x576  1024:1360x768 +file +\"\\[trigger\\] on a street\"")
        .containsPattern("b\\.png +900x900 +png +768:768x768 +default +\"\"")
        .doesNotContain("problems");
  }

  @Test
  void scan_problems_exitOneAndListed() throws Exception {
    Path ds = dir.resolve("ds");
    png(ds.resolve("a.png"), 600, 600);
    Files.write(ds.resolve("bad.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16});
    CliTest.Result r = CliTest.run("datasets", "scan", ds.toString(), "--resolutions", "512", "--summary");
    assertThat(r.code()).isEqualTo(ExitCode.PROBLEMS);
    assertThat(r.out()).contains("  error    bad.jpg: truncated JPEG: ends before its frame header").doesNotContain("images\n");
  }

  @Test
  void scan_badInput_oneLineErrors() throws Exception {
    CliTest.Result missing = CliTest.run("datasets", "scan", dir.resolve("nope").toString());
    assertThat(missing.code()).isEqualTo(ExitCode.DATA);
    assertThat(missing.err().strip()).isEqualTo("lathe: " + dir.resolve("nope") + ": no such folder");

    Files.createDirectories(dir.resolve("empty"));
    CliTest.Result empty = CliTest.run("datasets", "scan", dir.resolve("empty").toString());
    assertThat(empty.code()).isEqualTo(ExitCode.DATA);
    assertThat(empty.err().strip()).isEqualTo("lathe: " + dir.resolve("empty") + ": no usable images");

    CliTest.Result fam = CliTest.run("datasets", "scan", dir.toString(), "--family", "nosuch");
    assertThat(fam.code()).isEqualTo(ExitCode.USAGE);
    assertThat(fam.err().strip()).isEqualTo("lathe: unknown family 'nosuch' (known: zimage); give --divisor instead");

    CliTest.Result res = CliTest.run("datasets", "scan", dir.toString(), "--resolutions", "32");
    assertThat(res.code()).isEqualTo(ExitCode.USAGE);
    assertThat(res.err().strip()).isEqualTo("lathe: resolution must be in [64, 8192], got 32");
  }

  @Test
  void prune_dryRunThenRemove() throws Exception {
    Path cache = dir.resolve("cache");
    Path stale = cache.resolve("latents/ab/abc.safetensors");
    Files.createDirectories(stale.getParent());
    Files.write(stale, new byte[] {1, 2, 3});
    Path temp = cache.resolve("text/cd/.lathe-tmp-x.safetensors-1234");
    Files.createDirectories(temp.getParent());
    Files.write(temp, new byte[10]);

    CliTest.Result dry = CliTest.run("datasets", "prune", "--cache", cache.toString(), "--dry-run");
    assertThat(dry.code()).as(dry.err()).isZero();
    assertThat(dry.out()).contains(cache + ": 2 entries, 13 B").contains("stale: 2 entries, 13 B")
        .contains("latents/ab/abc.safetensors  unreadable: truncated: 3 bytes, shorter than the 8-byte header length")
        .contains("text/cd/.lathe-tmp-x.safetensors-1234  unfinished write (interrupted)")
        .contains("dry run: nothing removed");
    assertThat(stale).exists();

    CliTest.Result rm = CliTest.run("datasets", "prune", "--cache", cache.toString());
    assertThat(rm.out()).contains("removed 2 entries, 13 B");
    try (Stream<Path> s = Files.walk(cache)) {
      assertThat(s.filter(Files::isRegularFile)).isEmpty();
    }
    assertThat(CliTest.run("datasets", "prune", "--cache", cache.toString()).out()).contains("nothing stale");
    assertThat(CliTest.run("datasets", "prune", "--cache", dir.resolve("none").toString()).err().strip())
        .isEqualTo("lathe: " + dir.resolve("none") + ": no such cache folder");
  }
}
