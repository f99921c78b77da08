package dev.lathe.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.data.Fakes.HashTextEncoder;
import dev.lathe.data.Fakes.PoolCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachePruneTest {
  @TempDir Path tmp;

  @Test
  void find_staleReasons_thenRemove() throws Exception {
    Path ds = tmp.resolve("ds");
    Path cache = tmp.resolve("cache");
    Path a = TestImages.write(ds, "a.png", TestImages.png(TestImages.solid(64, 64, 0x112233)));
    Path b = TestImages.write(ds, "b.png", TestImages.png(TestImages.solid(64, 64, 0x445566)));
    Path c = TestImages.write(ds, "c.png", TestImages.png(TestImages.solid(64, 64, 0x778899)));
    TestImages.write(ds, "a.txt", "apple");
    DatasetSpec spec = DatasetSpec.of(ds).withResolutions(List.of(64)).withCacheLatents(true);
    DataOptions o = DataOptions.DEFAULTS.withCacheDir(cache).withCacheTextEmbeddings(true);
    try (TrainingData data = TrainingData.open(List.of(spec), o)) {
      data.precache(new PoolCodec("vae-1"), new HashTextEncoder("te-1"), List.of(), Progress.NONE);
    }
    assertThat(CachePrune.find(cache, Set.of(), null).stale()).isEmpty();
    CachePrune.Result all = CachePrune.find(cache, Set.of(), null);
    assertThat(all.entries()).isEqualTo(5);   // 3 latents + "apple" and "" (the two captions)

    Files.delete(a);                                                                       // gone
    TestImages.write(ds, "b.png", TestImages.png(TestImages.solid(64, 64, 0x000000)));     // changed
    Files.setLastModifiedTime(c, FileTime.from(Instant.now().minusSeconds(3600)));         // touched only
    CachePrune.Result r = CachePrune.find(cache, Set.of(), null);
    assertThat(r.stale()).extracting(CachePrune.Entry::reason)
        .containsExactlyInAnyOrder("source image gone: " + a.toAbsolutePath(), "source image changed: " + b.toAbsolutePath());

    // keep only other encoders: every remaining entry is stale
    assertThat(CachePrune.find(cache, Set.of("vae-2", "te-2"), null).stale()).hasSize(5);
    assertThat(CachePrune.find(cache, Set.of("vae-1", "te-1"), null).stale()).hasSize(2);

    // age: make the text entries look unread for 40 days
    try (var s = Files.walk(cache.resolve("text"))) {
      for (Path p : s.filter(Files::isRegularFile).toList()) Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofDays(40))));
    }
    assertThat(CachePrune.find(cache, Set.of(), Duration.ofDays(30)).stale()).extracting(CachePrune.Entry::reason)
        .contains("not used for 40 days").hasSize(4);

    long freed = CachePrune.remove(r.stale());
    assertThat(freed).isEqualTo(r.staleBytes()).isPositive();
    assertThat(CachePrune.find(cache, Set.of(), null).stale()).isEmpty();
    assertThat(CachePrune.find(cache, Set.of(), null).entries()).isEqualTo(3);
  }
}
