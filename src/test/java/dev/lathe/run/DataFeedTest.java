package dev.lathe.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.data.DataOptions;
import dev.lathe.data.DatasetSpec;
import dev.lathe.data.TrainingData;
import dev.lathe.demo.DemoData;
import dev.lathe.models.LatentCodec;
import dev.lathe.models.TextEncoder;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.Tensors;
import dev.lathe.train.Batch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's conditioning: captions through the encoder, or one fixed prompt once the encoder is gone. */
class DataFeedTest {
  @TempDir Path dir;

  @BeforeAll
  static void load() {
    Runtime.load();
  }

  /** Embeds a prompt as one row [1, 4] holding its hash code: different prompts give different rows. */
  static final class HashEncoder implements TextEncoder {
    final List<String> seen = new ArrayList<>();

    @Override
    public String cacheId() {
      return "hash-test";
    }

    @Override
    public long embeddingDim() {
      return 4;
    }

    @Override
    public List<Tensor> encode(List<String> prompts) {
      seen.addAll(prompts);
      List<Tensor> out = new ArrayList<>();
      for (String p : prompts) {
        float h = p.hashCode();
        out.add(Tensors.fromFloats(new float[] {h, h / 2, h / 3, p.length()}, 1, 4));
      }
      return out;
    }
  }

  /** Averages 8×8 blocks; enough latents for the feed. */
  static final LatentCodec POOL = new dev.lathe.data.Fakes.PoolCodec("pool");

  TrainingData data(double dropout) throws Exception {
    Path folder = Files.createDirectories(dir.resolve("d" + (int) (dropout * 100)));
    DemoData.write(folder, DemoData.generate(6, 64, 3));   // six captions, each different
    DataOptions o = DataOptions.DEFAULTS.withTrigger("sks").withDivisor(16).withBatchSize(2).withSeed(1)
        .withCacheDir(dir.resolve("cache"));
    return TrainingData.open(List.of(DatasetSpec.of(folder).withCaptionDropout(dropout)
        .withResolutions(List.of(64))), o);
  }

  static float[] row(Tensor t) {
    return Tensors.toFloats(t);
  }

  @Test
  void captions_conditionEachItem_whenTheEncoderIsKept() throws Exception {
    HashEncoder te = new HashEncoder();
    try (TrainingData d = data(0); PointerScope s = new PointerScope()) {
      DataFeed feed = new DataFeed(d, POOL, te, null);
      Batch b = feed.next();
      assertThat(te.seen).hasSize(2).allMatch(c -> c.startsWith("sks, a "));
      assertThat(row(b.text().get(0))).isNotEqualTo(row(b.text().get(1)));
    }
  }

  @Test
  void fixedPrompt_ignoresCaptions_andNeverCallsTheEncoder() throws Exception {
    HashEncoder te = new HashEncoder();
    float[] trigger = row(te.encode(List.of("sks")).get(0));
    float[] blank = row(te.encode(List.of("")).get(0));
    float[] cls = row(te.encode(List.of("disc")).get(0));
    te.seen.clear();
    try (TrainingData d = data(0.5); PointerScope s = new PointerScope()) {
      DataFeed feed = new DataFeed(d, POOL, te, "disc")
          .withBlank(Tensors.fromFloats(blank, 1, 4))
          .withFixedPrompt(Tensors.fromFloats(trigger, 1, 4), Tensors.fromFloats(cls, 1, 4));
      int dropped = 0, kept = 0;
      for (int i = 0; i < 12; i++) {
        Batch b = feed.next();
        for (int k = 0; k < b.text().size(); k++) {
          // every item: the trigger's embedding, or the blank one where caption dropout fired; DOP gets the class
          boolean isBlank = java.util.Arrays.equals(row(b.text().get(k)), blank);
          if (isBlank) {
            dropped++;
            assertThat(row(b.preservationText().get(k))).isEqualTo(blank);
          } else {
            kept++;
            assertThat(row(b.text().get(k))).isEqualTo(trigger);
            assertThat(row(b.preservationText().get(k))).isEqualTo(cls);
          }
        }
      }
      assertThat(te.seen).as("prompts encoded while training").isEmpty();
      assertThat(kept).isPositive();
      assertThat(dropped).as("dropout 0.5 over 24 draws").isPositive();
      assertThat(feed.blankText()).isNotNull();
    }
  }
}
