package dev.lathe.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.data.Fakes.HashTextEncoder;
import dev.lathe.data.Fakes.PoolCodec;
import dev.lathe.torch.SafeTensorsFile;
import dev.lathe.torch.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Latent and text-embedding caches: hits, misses, and invalidation by each input of the key. */
class CachesTest {
  @TempDir Path tmp;
  Path ds;
  Path cache;

  @BeforeEach
  void folder() {
    ds = tmp.resolve("ds");
    cache = tmp.resolve("cache");
    TestImages.write(ds, "a.png", TestImages.png(TestImages.halves(128, 128, 0xFF0000, 0x0000FF)));
    TestImages.write(ds, "a.txt", "[trigger] in red and blue");
    TestImages.write(ds, "b.png", TestImages.png(TestImages.stacked(192, 128, 0x00FF00, 0x202020)));
  }

  DatasetSpec spec() {
    return DatasetSpec.of(ds).withResolutions(List.of(64)).withCacheLatents(true).withDefaultCaption("a thing");
  }

  DataOptions opts() {
    return DataOptions.DEFAULTS.withBatchSize(2).withCacheDir(cache).withCacheTextEmbeddings(true).withTrigger("sks").withThreads(2);
  }

  /** Opens, precaches, closes; returns how many images the codec encoded. */
  int precache(DatasetSpec spec, DataOptions o, PoolCodec codec) throws Exception {
    try (TrainingData data = TrainingData.open(List.of(spec), o)) {
      data.precache(codec, null, List.of(), Progress.NONE);
    }
    return codec.images;
  }

  long files(String kind) throws Exception {
    Path d = cache.resolve(kind);
    if (!Files.isDirectory(d)) return 0;
    try (Stream<Path> s = Files.walk(d)) {
      return s.filter(p -> p.toString().endsWith(".safetensors")).count();
    }
  }

  @Test
  void latents_hitMissAndReuseAcrossRuns() throws Exception {
    PoolCodec first = new PoolCodec("fake-pool-v1");
    try (TrainingData data = TrainingData.open(List.of(spec()), opts());
         PointerScope scope = new PointerScope()) {
      Batch b = data.next();
      Tensor lat = data.latents(b, first);
      assertThat(first.images).isEqualTo(b.size());                        // miss: encoded
      assertThat(Tensors.shape(lat)).containsExactly(b.size(), 3, b.bucket().height() / 8, b.bucket().width() / 8);
      // the cached values are the codec's output for the batch's pixels
      float[] direct = Tensors.toFloats(new PoolCodec("x").encode(data.pixels(b)));
      assertThat(Tensors.toFloats(lat)).containsExactly(direct, within(1e-6f));
      data.latents(b, first);
      assertThat(first.images).isEqualTo(b.size());                        // memory hit
      data.precache(first, null, List.of(), Progress.NONE);
      assertThat(first.images).isEqualTo(2);                               // the other image only
      assertThat(data.stats().latentHits()).isEqualTo(b.size());
    }
    assertThat(files("latents")).isEqualTo(2);

    PoolCodec second = new PoolCodec("fake-pool-v1");
    try (TrainingData data = TrainingData.open(List.of(spec()), opts());
         PointerScope scope = new PointerScope()) {
      data.precache(second, null, List.of(), Progress.NONE);
      for (int i = 0; i < 6; i++) {
        Batch b = data.next();
        Tensor lat = data.latents(b, second);
        assertThat(Tensors.toFloats(lat)).containsExactly(Tensors.toFloats(new PoolCodec("x").encode(data.pixels(b))), within(1e-6f));
      }
      assertThat(second.calls).isZero();                                   // a new run encodes nothing
      assertThat(data.stats().latentHits()).isEqualTo(6);
    }
  }

  @Test
  void latents_invalidatedByEachInput() throws Exception {
    assertThat(precache(spec(), opts(), new PoolCodec("v1"))).isEqualTo(2);
    assertThat(precache(spec(), opts(), new PoolCodec("v1"))).as("unchanged: all hits").isZero();
    // the same file under another name is the same content: still a hit
    Files.copy(ds.resolve("a.png"), ds.resolve("a_copy.png"));
    assertThat(precache(spec(), opts(), new PoolCodec("v1"))).as("copy of a.png").isZero();
    Files.delete(ds.resolve("a_copy.png"));

    assertThat(precache(spec(), opts(), new PoolCodec("v2"))).as("encoder id").isEqualTo(2);
    assertThat(precache(spec().withResolutions(List.of(128)), opts(), new PoolCodec("v1"))).as("bucket and crop").isEqualTo(2);
    assertThat(precache(spec().withFlips(true, false), opts(), new PoolCodec("v1"))).as("flip x: the mirrored items").isEqualTo(2);
    assertThat(precache(spec().withFlips(true, true), opts(), new PoolCodec("v1"))).as("flip y and xy").isEqualTo(4);
    assertThat(precache(spec(), opts().withBackground(0x000000), new PoolCodec("v1"))).as("background").isEqualTo(2);
    // a dataset's own colour beats the job's and keys the same way: black again is a hit, white again too
    assertThat(precache(spec().withBackground(0x000000), opts(), new PoolCodec("v1"))).as("dataset background = job's black").isZero();
    assertThat(precache(spec().withBackground(0xFFFFFF), opts().withBackground(0x000000), new PoolCodec("v1"))).as("dataset white").isZero();
    assertThat(precache(spec().withBackground(0x808080), opts(), new PoolCodec("v1"))).as("dataset grey").isEqualTo(2);
    // content: same size, other pixels
    TestImages.write(ds, "a.png", TestImages.png(TestImages.halves(128, 128, 0x00FF00, 0x0000FF)));
    assertThat(precache(spec(), opts(), new PoolCodec("v1"))).as("content of a.png").isEqualTo(1);
    // caption changes do not touch latents
    TestImages.write(ds, "a.txt", "other words");
    assertThat(precache(spec(), opts(), new PoolCodec("v1"))).as("caption").isZero();
  }

  @Test
  void latents_notCachedWhenOff_encodedEveryTime() throws Exception {
    PoolCodec codec = new PoolCodec("v1");
    try (TrainingData data = TrainingData.open(List.of(spec().withCacheLatents(false)), opts());
         PointerScope scope = new PointerScope()) {
      data.precache(codec, null, List.of(), Progress.NONE);
      Batch b = data.next();
      data.latents(b, codec);
      data.latents(b, codec);
      assertThat(codec.images).isEqualTo(2 * b.size());
    }
    assertThat(files("latents")).isZero();
  }

  @Test
  void latents_damagedFile_reencodedAndRewritten() throws Exception {
    precache(spec(), opts(), new PoolCodec("v1"));
    Path one;
    try (Stream<Path> s = Files.walk(cache.resolve("latents"))) {
      one = s.filter(p -> p.toString().endsWith(".safetensors")).findFirst().orElseThrow();
    }
    Files.write(one, new byte[] {1, 2, 3});
    PoolCodec codec = new PoolCodec("v1");
    try (TrainingData data = TrainingData.open(List.of(spec()), opts());
         PointerScope scope = new PointerScope()) {
      for (int i = 0; i < 4; i++) data.latents(data.next(), codec);
    }
    assertThat(codec.images).isEqualTo(1);
    try (SafeTensorsFile f = SafeTensorsFile.open(one)) {
      assertThat(f.metadata()).containsEntry("lathe.cache", "latents").containsEntry("encoder", "v1").containsKey("source.sha256");
    }
  }

  @Test
  void text_hitMissInvalidationAndDropoutCaption() throws Exception {
    DatasetSpec spec = spec().withCaptionDropout(0.5);
    HashTextEncoder enc = new HashTextEncoder("te-v1");
    try (TrainingData data = TrainingData.open(List.of(spec), opts())) {
      // the empty-caption variant (trigger alone) is cached with the captions
      assertThat(data.captions()).containsExactly("sks", "sks a thing", "sks in red and blue");
      assertThat(data.preservationPrompts("person")).containsExactly("person", "person a thing", "person in red and blue");
      data.precache(null, enc, List.of("person in red and blue"), Progress.NONE);
      assertThat(enc.encoded).containsExactlyInAnyOrder("sks", "sks a thing", "sks in red and blue", "person in red and blue");
      try (PointerScope scope = new PointerScope()) {
        boolean sawDropped = false;
        for (int i = 0; i < 12; i++) {
          Batch b = data.next();
          List<Tensor> emb = data.embeddings(b, enc);
          for (int k = 0; k < b.size(); k++) {
            assertThat(Tensors.toFloats(emb.get(k))).containsExactly(Tensors.toFloats(HashTextEncoder.embed(b.captions().get(k))));
            sawDropped |= b.samples().get(k).captionDropped();
          }
        }
        assertThat(sawDropped).isTrue();
        assertThat(enc.encoded).hasSize(4);   // every draw served from the cache
        data.embeddings(List.of("person in red and blue", ""), enc);   // a DOP prompt (cached) and the blank prompt (new)
        assertThat(enc.encoded).hasSize(5).endsWith("");
      }
    }
    assertThat(files("text")).isEqualTo(5);

    HashTextEncoder again = new HashTextEncoder("te-v1");
    try (TrainingData data = TrainingData.open(List.of(spec), opts())) {
      data.precache(null, again, List.of(), Progress.NONE);
    }
    assertThat(again.encoded).as("second run").isEmpty();

    TestImages.write(ds, "a.txt", "[trigger] in green");
    HashTextEncoder afterEdit = new HashTextEncoder("te-v1");
    try (TrainingData data = TrainingData.open(List.of(spec), opts())) {
      data.precache(null, afterEdit, List.of(), Progress.NONE);
    }
    assertThat(afterEdit.encoded).as("caption edited").containsExactly("sks in green");

    HashTextEncoder other = new HashTextEncoder("te-v2");
    try (TrainingData data = TrainingData.open(List.of(spec), opts())) {
      data.precache(null, other, List.of(), Progress.NONE);
    }
    assertThat(other.encoded).as("encoder id").hasSize(3);

    HashTextEncoder trig = new HashTextEncoder("te-v1");
    try (TrainingData data = TrainingData.open(List.of(spec), opts().withTrigger("zz"))) {
      data.precache(null, trig, List.of(), Progress.NONE);
    }
    assertThat(trig.encoded).as("trigger changes the final captions").containsExactlyInAnyOrder("zz", "zz a thing", "zz in green");
  }

  @Test
  void text_cacheOff_encoderCalledEachTime() throws Exception {
    HashTextEncoder enc = new HashTextEncoder("te-v1");
    try (TrainingData data = TrainingData.open(List.of(spec()), opts().withCacheTextEmbeddings(false));
         PointerScope scope = new PointerScope()) {
      data.precache(null, enc, List.of(), Progress.NONE);
      Batch b = data.next();
      data.embeddings(b, enc);
      data.embeddings(b, enc);
      assertThat(enc.encoded).hasSize(2 * b.size());
    }
    assertThat(files("text")).isZero();
  }

  @Test
  void contentHashMemo_savedPerFolder() throws Exception {
    precache(spec(), opts(), new PoolCodec("v1"));
    try (Stream<Path> s = Files.list(cache.resolve("hashes"))) {
      List<Path> memo = s.toList();
      assertThat(memo).hasSize(1);
      assertThat(Files.readAllLines(memo.get(0))).hasSize(2).allSatisfy(l -> assertThat(l.split("\t")).hasSize(4));
    }
  }
}
