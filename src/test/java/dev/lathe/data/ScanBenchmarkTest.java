package dev.lathe.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scan speed on a 50,000-image folder. Opt-in (it writes 75,000 files):
 * {@code mvn -o -B test -Dtest=ScanBenchmarkTest -Dlathe.slow=true}; prints images/s and files/s. With
 * {@code -Dlathe.bench.dir=/some/folder} the generated folder is kept there and reused by later runs.
 */
@EnabledIfSystemProperty(named = "lathe.slow", matches = "true")
class ScanBenchmarkTest {
  @TempDir Path dir;

  @Test
  void scan_50000Images() throws Exception {
    int n = Integer.getInteger("lathe.bench.images", 50_000);
    byte[][] pngs = {
        TestImages.png(TestImages.solid(1024, 1024, 0x336699)),
        TestImages.png(TestImages.solid(1920, 1080, 0x996633)),
        TestImages.jpeg(TestImages.solid(832, 1216, 0x669933))};
    String[] ext = {"png", "png", "jpg"};
    String keep = System.getProperty("lathe.bench.dir");
    Path dir = keep != null ? Path.of(keep) : this.dir;
    boolean ready = keep != null && Files.exists(dir.resolve("complete-" + n));
    long g0 = System.nanoTime();
    for (int i = 0; i < n && !ready; i++) {
      Path sub = dir.resolve("part" + i / 5000);
      if (i % 5000 == 0) Files.createDirectories(sub);
      Files.write(sub.resolve(String.format("img_%06d.%s", i, ext[i % 3])), pngs[i % 3]);
      if (i % 2 == 0) Files.writeString(sub.resolve(String.format("img_%06d.txt", i)), "caption number " + i);
    }
    if (!ready) {
      System.out.printf(Locale.ROOT, "generated %,d files in %.1f s%n", n + (n + 1) / 2, (System.nanoTime() - g0) / 1e9);
      if (keep != null) Files.writeString(dir.resolve("complete-" + n), "");
    }
    DatasetSpec spec = DatasetSpec.of(dir);
    for (int run = 0; run < 3; run++) {
      ScanReport r = DatasetScanner.scan(spec, DataOptions.DEFAULTS);
      assertThat(r.images()).hasSize(n);
      assertThat(r.captionsFound()).isEqualTo((n + 1) / 2);
      assertThat(r.issues()).isEmpty();
      double s = r.elapsedNanos() / 1e9;
      System.out.printf(Locale.ROOT, "scan %d: %,d images, %,d files in %.2f s: %,.0f images/s, %,.0f files/s (%d threads)%n",
          run, r.images().size(), r.filesSeen(), s, n / s, r.filesPerSecond(), DataOptions.DEFAULTS.threadCount());
    }
  }
}
