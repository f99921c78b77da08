package dev.lathe.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.data.ScanReport.CaptionSource;
import dev.lathe.data.ScanReport.Image;
import dev.lathe.data.ScanReport.Issue;
import dev.lathe.data.ScanReport.Severity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetScannerTest {
  @TempDir Path dir;

  static final DataOptions OPTS = DataOptions.DEFAULTS.withTrigger("sks");

  /** One of everything a real folder holds, good and bad. */
  void messyFolder() throws Exception {
    TestImages.write(dir, "a.png", TestImages.png(TestImages.solid(1024, 1024, 0x808080)));
    TestImages.write(dir, "a.txt", "a photo of [trigger]\n");
    TestImages.write(dir, "b.jpg", TestImages.jpeg(TestImages.solid(1920, 1080, 0x808080)));
    TestImages.write(dir, "d.png", TestImages.png(TestImages.solid(800, 800, 0x808080)));
    TestImages.write(dir, "d.txt", new byte[0]);
    TestImages.write(dir, "e.png", TestImages.png(TestImages.solid(800, 800, 0x808080)));
    TestImages.write(dir, "e.txt", "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
    TestImages.write(dir, "sub/r.jpg", TestImages.withExif(TestImages.jpeg(TestImages.solid(1344, 768, 0x808080)), 6));
    TestImages.write(dir, "sub/r.txt", "rotated, sks standing");
    TestImages.write(dir, "sub/small.webp", TestImages.webp(64, 48, 0xFF000000, 0xFFFFFFFF, (x, y) -> x > y));
    TestImages.write(dir, "anim.gif", TestImages.animatedGif(600, 500, 0xFF0000, 0x0000FF));
    byte[] png = TestImages.png(TestImages.halves(512, 512, 0, 0xFFFFFF));
    TestImages.write(dir, "broken.png", Arrays.copyOf(png, png.length - 30));
    TestImages.write(dir, "zero.jpg", new byte[0]);
    TestImages.write(dir, "fake.webp", "just text".getBytes());
    TestImages.write(dir, "notes.md", "not data");
    TestImages.write(dir, "orphan.txt", "a caption without an image");
    TestImages.write(dir, ".hidden/x.png", TestImages.png(TestImages.solid(600, 600, 0)));
    TestImages.write(dir, "metadata.jsonl", String.join("\n",
        "{\"file_name\": \"b.jpg\", \"caption\": \"a wide shot\"}",
        "{\"file_name\": \"nope.png\", \"text\": \"x\"}",
        "not json",
        "{\"file_name\": \"a.png\"}",
        ""));
    Files.createSymbolicLink(dir.resolve("sub/loop"), dir);                 // a cycle back to the root
    Files.createSymbolicLink(dir.resolve("link.png"), dir.resolve("a.png"));  // the same file twice
    Files.createSymbolicLink(dir.resolve("dead.png"), dir.resolve("gone.png"));
  }

  @Test
  void scan_messyFolder_everyFileAccountedFor() throws Exception {
    messyFolder();
    DatasetSpec spec = DatasetSpec.of(dir).withDefaultCaption("a photo");
    ScanReport r = DatasetScanner.scan(spec, OPTS);

    assertThat(r.images()).extracting(Image::path)
        .containsExactly("a.png", "anim.gif", "b.jpg", "d.png", "e.png", "sub/r.jpg", "sub/small.webp");
    Map<String, Image> by = new java.util.HashMap<>();
    r.images().forEach(i -> by.put(i.path(), i));

    assertThat(by.get("a.png").captionSource()).isEqualTo(CaptionSource.FILE);
    assertThat(by.get("a.png").caption()).isEqualTo("a photo of [trigger]");
    assertThat(by.get("a.png").fits()).extracting(f -> f.bucket().toString()).containsExactly("512x512", "768x768", "1024x1024");
    assertThat(by.get("b.jpg").captionSource()).isEqualTo(CaptionSource.METADATA);
    assertThat(by.get("b.jpg").caption()).isEqualTo("a wide shot");
    assertThat(by.get("b.jpg").fits()).extracting(f -> f.bucket().toString()).containsExactly("672x384", "1024x576", "1360x768");
    assertThat(by.get("d.png").captionSource()).isEqualTo(CaptionSource.DEFAULT);
    assertThat(by.get("d.png").caption()).isEqualTo("a photo");
    assertThat(by.get("e.png").captionSource()).isEqualTo(CaptionSource.DEFAULT);
    // EXIF orientation 6: stored 1344x768, displayed 768x1344
    Image rot = by.get("sub/r.jpg");
    assertThat(rot.width()).isEqualTo(768);
    assertThat(rot.height()).isEqualTo(1344);
    assertThat(rot.orientation()).isEqualTo(6);
    assertThat(rot.fits()).extracting(f -> f.resolution() + ":" + f.bucket()).containsExactly("512:384x672", "768:576x1008", "1024:768x1344");
    // 600x500: sqrt(300000) = 548 fills 512 only
    assertThat(by.get("anim.gif").animated()).isTrue();
    assertThat(by.get("anim.gif").fits()).extracting(BucketFit::resolution).containsExactly(512);
    assertThat(by.get("sub/small.webp").usable()).isFalse();

    assertThat(r.issues()).containsExactlyInAnyOrder(
        new Issue("anim.gif", Severity.INFO, "animated gif: the first frame is used"),
        new Issue("broken.png", Severity.ERROR, "truncated PNG: no IEND chunk at the end (file cut short?)"),
        new Issue("d.txt", Severity.WARNING, "empty caption file (0 bytes); the default caption is used"),
        new Issue("dead.png", Severity.ERROR, "broken symbolic link"),
        new Issue("e.txt", Severity.WARNING, "not valid UTF-8 (at byte 3); save it as UTF-8; the default caption is used"),
        new Issue("fake.webp", Severity.ERROR, "not an image this reader knows (PNG, JPEG, WebP, BMP, GIF): unrecognised file signature"),
        new Issue("link.png", Severity.WARNING, "same file as a.png (linked); used once"),
        new Issue("metadata.jsonl", Severity.WARNING, "line 2: no image 'nope.png' in the folder"),
        new Issue("metadata.jsonl", Severity.WARNING, "line 3: not valid JSON: Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
        new Issue("metadata.jsonl", Severity.WARNING, "line 4: needs string fields file_name and caption (or text)"),
        new Issue("orphan.txt", Severity.INFO, "caption file without an image"),
        new Issue("sub/loop", Severity.WARNING, "symbolic link loop; not followed"),
        new Issue("sub/small.webp", Severity.ERROR, "64x48 is too small for every resolution (needs about 461x461 pixels or more for 512; Lathe never upscales)"),
        new Issue("zero.jpg", Severity.ERROR, "empty file (0 bytes)"));

    assertThat(r.captionFiles()).isEqualTo(5);   // a, d, e, sub/r, orphan
    assertThat(r.metadataLines()).isEqualTo(1);
    assertThat(r.captionsFound()).isEqualTo(3);   // a (file), b (metadata), sub/r (file)
    assertThat(r.defaultCaptionImages()).extracting(Image::path).containsExactly("anim.gif", "d.png", "e.png", "sub/small.webp");
    assertThat(r.placeholderCaptions()).isEqualTo(1);
    assertThat(r.triggerCaptions()).isEqualTo(2);   // [trigger] in a, "sks" in sub/r
    assertThat(r.trigger()).isEqualTo("sks");
    assertThat(r.usable()).hasSize(6);
    assertThat(r.tooSmall()).extracting(Image::path).containsExactly("sub/small.webp");
    assertThat(r.sizeHistogram()).containsExactly(Map.entry("800x800", 2), Map.entry("1920x1080", 1), Map.entry("1024x1024", 1),
        Map.entry("768x1344", 1), Map.entry("600x500", 1), Map.entry("64x48", 1));
    assertThat(r.bucketHistogram().get(1024)).containsExactly(Map.entry(new Bucket(1024, 1024), 1), Map.entry(new Bucket(1360, 768), 1),
        Map.entry(new Bucket(768, 1344), 1));
    // 800x800: 512 and 768 (800 >= 0.9 * 768 = 691.2), not 1024 (800 < 921.6)
    assertThat(r.bucketHistogram().get(768)).containsEntry(new Bucket(768, 768), 3);
    assertThat(r.filesSeen()).isGreaterThanOrEqualTo(16);
  }

  @Test
  void scan_regularizationCaptionWithTrigger_warned() throws Exception {
    TestImages.write(dir, "a.png", TestImages.png(TestImages.solid(512, 512, 0)));
    TestImages.write(dir, "a.txt", "sks, a man");
    ScanReport r = DatasetScanner.scan(DatasetSpec.of(dir).withRegularization(true), OPTS);
    assertThat(r.issues()).containsExactly(new Issue("a.png", Severity.WARNING, "regularization caption contains the trigger 'sks'"));
  }

  @Test
  void scan_customCaptionExtension() throws Exception {
    TestImages.write(dir, "a.png", TestImages.png(TestImages.solid(512, 512, 0)));
    TestImages.write(dir, "a.txt", "ignored");
    TestImages.write(dir, "a.caption", "used");
    ScanReport r = DatasetScanner.scan(DatasetSpec.of(dir).withCaptionExt(".caption"), OPTS);
    assertThat(r.images().get(0).caption()).isEqualTo("used");
  }

  @Test
  void scan_verify_findsCorruptBody() throws Exception {
    byte[] png = TestImages.png(TestImages.halves(256, 256, 0xFF0000, 0x0000FF));
    for (int i = 60; i < png.length - 20; i++) png[i] = (byte) (i * 31);   // header and IEND intact
    TestImages.write(dir, "g.png", png);
    DatasetSpec spec = DatasetSpec.of(dir).withResolutions(List.of(256));
    assertThat(DatasetScanner.scan(spec, OPTS).usable()).hasSize(1);   // headers alone look fine
    ScanReport verified = DatasetScanner.scan(spec, OPTS, true);
    assertThat(verified.images()).isEmpty();
    assertThat(verified.errors()).singleElement().satisfies(i -> assertThat(i.message()).startsWith("cannot decode png: "));
  }

  @Test
  void scan_missingFolder_dataException() {
    assertThatThrownBy(() -> DatasetScanner.scan(DatasetSpec.of(dir.resolve("nope")), OPTS))
        .isInstanceOf(DataException.class).hasMessage(dir.resolve("nope") + ": no such folder");
  }

  @Test
  void scan_manyFiles_parallelResultSortedAndComplete() throws Exception {
    byte[] png = TestImages.png(TestImages.solid(600, 520, 0x102030));
    for (int i = 0; i < 400; i++) {
      TestImages.write(dir, String.format("d%d/img_%04d.png", i % 7, i), png);
      if (i % 3 == 0) TestImages.write(dir, String.format("d%d/img_%04d.txt", i % 7, i), "caption " + i);
    }
    ScanReport r = DatasetScanner.scan(DatasetSpec.of(dir), OPTS.withThreads(4));
    assertThat(r.images()).hasSize(400);
    assertThat(r.images()).extracting(Image::path).isSorted();
    assertThat(r.captionsFound()).isEqualTo(134);
    assertThat(r.issues()).isEmpty();
    assertThat(r.filesSeen()).isEqualTo(534);
  }
}
