package dev.lathe.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.data.MemoryCache.Host;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-memory cache's byte bound: an entry weighs its floats (4 bytes each) plus a small fixed overhead
 * (16 bytes a dimension, 64 for the object) plus its key (2 bytes a char), and the total never exceeds the bound.
 */
class MemoryCacheTest {
  @TempDir Path tmp;

  static final String KEY = "0123456789";   // 10 chars: 20 bytes

  static Host floats(int n) {
    return new Host(new float[n], new long[] {n});
  }

  @Test
  void weigher_countsThePixelBytes_entryAtTheBoundStays_oneFloatMoreIsEvicted() {
    // 4·2475 + 16·1 + 64 + 2·10 = 10,000 bytes
    MemoryCache fits = new MemoryCache(10_000);
    fits.put(KEY, floats(2475));
    assertThat(fits.get(KEY)).isNotNull();
    assertThat(fits.bytes()).isEqualTo(10_000);

    MemoryCache over = new MemoryCache(10_000);
    over.put(KEY, floats(2476));   // 10,004 bytes
    assertThat(over.get(KEY)).isNull();
    assertThat(over.entries()).isZero();
    assertThat(over.bytes()).isZero();
  }

  @Test
  void entriesBeyondTheBound_areEvicted_totalStaysWithinIt() {
    long bound = 100_000;
    MemoryCache cache = new MemoryCache(bound);
    long each = 4L * 6000 + 16 + 64 + 2 * 4;   // keys "k000".."k019": 24,088 bytes each, 4 fit
    for (int i = 0; i < 20; i++) {
      cache.put(String.format("k%03d", i), floats(6000));
      assertThat(cache.bytes()).as("after put %d", i).isLessThanOrEqualTo(bound);
    }
    int held = 0;
    for (int i = 0; i < 20; i++) if (cache.get(String.format("k%03d", i)) != null) held++;
    assertThat(held).isEqualTo(4);
    assertThat(cache.bytes()).isEqualTo(4 * each);
  }

  /** 64x64 RGB pixels as fp32: 49,152 bytes plus overhead and key. */
  TrainingData open(long memoryBytes) throws DataException {
    Path ds = tmp.resolve("ds");
    TestImages.write(ds, "a.png", TestImages.png(TestImages.halves(64, 64, 0xFF0000, 0x0000FF)));
    TestImages.write(ds, "b.png", TestImages.png(TestImages.solid(64, 64, 0x00FF00)));
    return TrainingData.open(List.of(DatasetSpec.of(ds).withResolutions(List.of(64))),
        DataOptions.DEFAULTS.withBatchSize(2).withCacheDir(tmp.resolve("cache")).withMemoryCacheBytes(memoryBytes).withThreads(1));
  }

  @Test
  void pixelHits_countedWhenTheResizedPixelsComeFromMemory() throws Exception {
    try (TrainingData data = open(1 << 20); PointerScope scope = new PointerScope()) {
      Batch b = data.next();
      assertThat(b.size()).isEqualTo(2);
      float[] first = dev.lathe.torch.Tensors.toFloats(data.pixels(b));
      assertThat(data.stats().imagesDecoded()).isEqualTo(2);
      assertThat(data.stats().pixelHits()).isZero();
      float[] again = dev.lathe.torch.Tensors.toFloats(data.pixels(b));
      assertThat(data.stats().imagesDecoded()).isEqualTo(2);           // nothing decoded twice
      assertThat(data.stats().pixelHits()).isEqualTo(2);
      assertThat(again).containsExactly(first);
    }
  }

  @Test
  void pixelsLargerThanTheBound_areNeverHeld_soEveryFetchDecodes() throws Exception {
    try (TrainingData data = open(40_000); PointerScope scope = new PointerScope()) {   // one image needs ~49 kB
      Batch b = data.next();
      data.pixels(b);
      data.pixels(b);
      assertThat(data.stats().imagesDecoded()).isEqualTo(4);
      assertThat(data.stats().pixelHits()).isZero();
    }
  }
}
