package dev.lathe.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplerTest {
  @TempDir Path tmp;

  static final List<Integer> RES = List.of(64, 128);

  /** Writes PNGs named name → WxH (solid grey) into a fresh folder. */
  Path folder(String name, Object... nameWh) {
    Path d = tmp.resolve(name);
    for (int i = 0; i < nameWh.length; i += 3) {
      TestImages.write(d, (String) nameWh[i], TestImages.png(TestImages.solid((int) nameWh[i + 1], (int) nameWh[i + 2], 0x777777)));
    }
    return d;
  }

  DataOptions opts(long seed, int batch) {
    return DataOptions.DEFAULTS.withSeed(seed).withBatchSize(batch).withCacheDir(tmp.resolve("cache")).withThreads(2);
  }

  static String sig(Batch b) {
    return b.dataset() + "/" + b.epoch() + (b.regularization() ? " reg " : " ") + b.samples();
  }

  @Test
  void order_goldenForFixedSeed() throws Exception {
    Path d = folder("g", "a.png", 128, 128, "b.png", 128, 128, "c.png", 192, 128, "d.png", 192, 128, "e.png", 96, 96);
    TestImages.write(d, "a.txt", "alpha");
    TestImages.write(d, "c.txt", "[trigger] charlie");
    DatasetSpec spec = DatasetSpec.of(d).withResolutions(List.of(64)).withCaptionDropout(0.5).withTrigger("sks")
        .withDefaultCaption("plain");
    try (TrainingData data = TrainingData.open(List.of(spec), opts(7, 2))) {
      // 64x64: a, b, e -> batches of 2 + 1; 80x48: c, d -> one batch; 3 batches an epoch
      assertThat(data.batchesPerEpoch(0)).isEqualTo(3);
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 6; i++) got.add(sig(data.next()));
      assertThat(got).containsExactly(GOLDEN.toArray(String[]::new));
    }
  }

  // pinned: a change here changes what resumed runs of older checkpoints draw
  static final List<String> GOLDEN = List.of(
      "0/0 [a.png 64:64x64 \"sks\", b.png 64:64x64 \"sks\"]",
      "0/0 [c.png 64:80x48 \"sks charlie\", d.png 64:80x48 \"sks plain\"]",
      "0/0 [e.png 64:64x64 \"sks plain\"]",
      "0/1 [a.png 64:64x64 \"sks\", e.png 64:64x64 \"sks plain\"]",
      "0/1 [b.png 64:64x64 \"sks plain\"]",
      "0/1 [c.png 64:80x48 \"sks\", d.png 64:80x48 \"sks\"]");

  @Test
  void everyBatch_oneBucket_andAnEpochVisitsEachItemOnce() throws Exception {
    Path d = folder("m", "a.png", 128, 128, "b.png", 192, 128, "c.png", 128, 192, "d.png", 96, 96, "e.png", 140, 140,
        "f.png", 200, 120, "g.png", 130, 130, "h.png", 64, 64);
    DatasetSpec spec = DatasetSpec.of(d).withResolutions(RES).withFlips(true, true);
    try (TrainingData data = TrainingData.open(List.of(spec), opts(1, 3))) {
      // images x resolutions they fill x 4 flip variants; d (96) and h (64) fill 64 only
      assertThat(data.items(0)).isEqualTo((6 * 2 + 2) * 4);
      Map<String, Integer> seen = new HashMap<>();
      int n = data.batchesPerEpoch(0);
      for (int i = 0; i < n; i++) {
        Batch b = data.next();
        assertThat(b.epoch()).isZero();
        assertThat(b.size()).isBetween(1, 3);
        for (Sample s : b.samples()) {
          assertThat(s.fit().bucket()).isEqualTo(b.bucket());
          seen.merge(s.path() + " " + s.fit().resolution() + " " + s.flipX() + s.flipY(), 1, Integer::sum);
        }
      }
      assertThat(seen).hasSize(data.items(0)).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(1));
      assertThat(data.next().epoch()).isEqualTo(1);
    }
  }

  @Test
  void sameSeed_sameOrder_otherSeed_otherOrder() throws Exception {
    Path d = folder("s", "a.png", 128, 128, "b.png", 128, 128, "c.png", 128, 128, "d.png", 128, 128, "e.png", 128, 128);
    DatasetSpec spec = DatasetSpec.of(d).withResolutions(RES);
    List<String> one = draw(spec, 1, 20);
    assertThat(draw(spec, 1, 20)).isEqualTo(one);
    assertThat(draw(spec, 2, 20)).isNotEqualTo(one);
  }

  List<String> draw(DatasetSpec spec, long seed, int n) throws Exception {
    try (TrainingData data = TrainingData.open(List.of(spec), opts(seed, 2))) {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < n; i++) out.add(sig(data.next()));
      return out;
    }
  }

  @Test
  void weights_drawFrequencyProportional() throws Exception {
    DatasetSpec a = DatasetSpec.of(folder("wa", "a.png", 64, 64, "b.png", 64, 64)).withResolutions(List.of(64));
    DatasetSpec b = DatasetSpec.of(folder("wb", "c.png", 64, 64)).withResolutions(List.of(64)).withWeight(3);
    try (TrainingData data = TrainingData.open(List.of(a, b), opts(5, 1))) {
      int n = 4000;
      int fromB = 0;
      for (int i = 0; i < n; i++) if (data.next().dataset() == 1) fromB++;
      // expected 3/4; the binomial standard deviation is 0.007
      assertThat(fromB / (double) n).isBetween(0.72, 0.78);
    }
  }

  @Test
  void dropout_rateAndTriggerOnly() throws Exception {
    Path d = folder("dr", "a.png", 64, 64);
    TestImages.write(d, "a.txt", "a red ball");
    DatasetSpec spec = DatasetSpec.of(d).withResolutions(List.of(64)).withCaptionDropout(0.25);
    try (TrainingData data = TrainingData.open(List.of(spec), opts(3, 1).withTrigger("zball"))) {
      int dropped = 0;
      for (int i = 0; i < 2000; i++) {
        Sample s = data.next().samples().get(0);
        assertThat(s.caption()).isEqualTo(s.captionDropped() ? "zball" : "zball a red ball");
        if (s.captionDropped()) dropped++;
      }
      assertThat(dropped / 2000.0).isBetween(0.22, 0.28);
      assertThat(data.captions()).containsExactly("zball", "zball a red ball");
    }
  }

  @Test
  void regularization_ownStream_noPrepend_doesNotShiftTraining() throws Exception {
    DatasetSpec train = DatasetSpec.of(folder("t", "a.png", 64, 64, "b.png", 64, 64, "c.png", 64, 64)).withResolutions(List.of(64));
    Path rd = folder("r", "x.png", 64, 64, "y.png", 64, 64);
    TestImages.write(rd, "x.txt", "a man");
    DatasetSpec reg = DatasetSpec.of(rd).withResolutions(List.of(64)).withRegularization(true).withCaptionDropout(0.5);
    List<String> alone = new ArrayList<>();
    try (TrainingData data = TrainingData.open(List.of(train), opts(9, 2).withTrigger("sks"))) {
      for (int i = 0; i < 12; i++) alone.add(sig(data.next()));
    }
    try (TrainingData data = TrainingData.open(List.of(train, reg), opts(9, 2).withTrigger("sks"))) {
      assertThat(data.hasRegularization()).isTrue();
      List<String> mixed = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        mixed.add(sig(data.next()));
        Batch r = data.nextRegularization();
        assertThat(r.regularization()).isTrue();
        assertThat(r.dataset()).isEqualTo(1);
        for (Sample s : r.samples()) assertThat(s.caption()).isIn("a man", "");   // never "sks ..."
      }
      assertThat(mixed).isEqualTo(alone);
    }
    try (TrainingData data = TrainingData.open(List.of(train), opts(9, 2))) {
      assertThatThrownBy(data::nextRegularization).isInstanceOf(IllegalStateException.class).hasMessage("no regularization dataset");
    }
  }

  @Test
  void onlyRegularizationDatasets_refused() throws Exception {
    DatasetSpec reg = DatasetSpec.of(folder("ro", "x.png", 64, 64)).withResolutions(List.of(64)).withRegularization(true);
    assertThatThrownBy(() -> TrainingData.open(List.of(reg), opts(1, 1)))
        .isInstanceOf(DataException.class).hasMessageEndingWith("every dataset is a regularization set; at least one must be training data");
  }

  @Test
  void noUsableImage_refused() throws Exception {
    Path d = folder("tiny", "a.png", 16, 16);
    assertThatThrownBy(() -> TrainingData.open(List.of(DatasetSpec.of(d)), opts(1, 1)))
        .isInstanceOf(DataException.class).hasMessage(d + ": no usable images (1 readable, 1 too small, 1 unusable files); see lathe datasets scan");
  }

  /** Three datasets, weights, flips, dropout, triggers at both levels and a regularization stream. */
  List<DatasetSpec> resumeSpecs() {
    Path a = folder("ra", "a1.png", 128, 128, "a2.png", 192, 128, "a3.png", 128, 192, "a4.png", 100, 100, "a5.png", 150, 130);
    TestImages.write(a, "a1.txt", "[trigger] smiling");
    TestImages.write(a, "a2.txt", "a wide view");
    Path b = folder("rb", "b1.png", 128, 128, "b2.png", 64, 64, "b3.png", 140, 90);
    Path r = folder("rr", "r1.png", 128, 128, "r2.png", 128, 128, "r3.png", 96, 96);
    return List.of(
        DatasetSpec.of(a).withResolutions(RES).withFlips(true, false).withCaptionDropout(0.3).withTrigger("sks"),
        DatasetSpec.of(b).withResolutions(RES).withWeight(2).withDefaultCaption("a thing").withCaptionDropout(0.1),
        DatasetSpec.of(r).withResolutions(RES).withRegularization(true).withCaptionDropout(0.5).withDefaultCaption("a person"));
  }

  List<String> run(TrainingData data, int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(sig(data.next()));
      if (i % 3 == 0) out.add(sig(data.nextRegularization()));
    }
    return out;
  }

  @Test
  void resume_midRun_drawsTheIdenticalSequence() throws Exception {
    List<DatasetSpec> specs = resumeSpecs();
    DataOptions o = opts(123, 2).withTrigger("tok");
    List<String> straight;
    try (TrainingData data = TrainingData.open(specs, o)) {
      straight = run(data, 0, 60);   // several epochs of each dataset
    }
    String saved;
    List<String> resumed;
    try (TrainingData data = TrainingData.open(specs, o)) {
      resumed = new ArrayList<>(run(data, 0, 31));
      saved = data.state().toJson();
    }
    // a new process, even with another seed configured: the state carries the run's seed
    try (TrainingData data = TrainingData.open(specs, o.withSeed(999))) {
      assertThat(data.restore(SamplerState.fromJson(saved))).isEmpty();
      resumed.addAll(run(data, 31, 60));
    }
    assertThat(resumed).containsExactlyElementsOf(straight);
    assertThat(straight).anyMatch(s -> s.contains("\"sks\""));        // dropped, trigger alone
    assertThat(straight).anyMatch(s -> s.contains(" x \""));          // flipped
    assertThat(straight).anyMatch(s -> s.contains("\"tok a thing\"")); // job trigger on dataset b
  }

  @Test
  void restore_changedFolder_saysSoAndContinues() throws Exception {
    List<DatasetSpec> specs = resumeSpecs();
    String saved;
    try (TrainingData data = TrainingData.open(specs, opts(1, 2))) {
      run(data, 0, 10);
      saved = data.state().toJson();
    }
    TestImages.write(specs.get(1).folder(), "b4.png", TestImages.png(TestImages.solid(128, 128, 0)));
    try (TrainingData data = TrainingData.open(specs, opts(1, 2))) {
      List<String> notes = data.restore(SamplerState.fromJson(saved));
      assertThat(notes).singleElement().asString().startsWith(specs.get(1).folder().toAbsolutePath() + ": files, sizes or settings changed");
      assertThat(run(data, 10, 20)).hasSize(13);   // 10 training batches + regularization at 12, 15, 18
    }
  }

  @Test
  void state_jsonRoundTrip() throws Exception {
    SamplerState s = new SamplerState(1, -5, Long.MIN_VALUE, Long.MAX_VALUE, List.of(new SamplerState.Stream("/d", "ab", 3, 4)));
    assertThat(SamplerState.fromJson(s.toJson())).isEqualTo(s);
    assertThatThrownBy(() -> SamplerState.fromJson("{\"version\":9,\"streams\":[]}")).hasMessageContaining("version 9");
  }
}
