package dev.lathe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.adapters.AdapterSet;
import dev.lathe.adapters.AdapterSpec;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TrainLoopTest {
  @TempDir Path dir;

  @BeforeAll
  static void load() {
    Runtime.load();
  }

  record Run(TrainLoop loop, AdapterSet adapters, Toy.Net net) {}

  static TrainLoop.Settings settings(long steps, Optimizer.Kind kind, double lr) {
    return new TrainLoop.Settings(steps, 2, 1.0, 1234, TrainLoop.Loss.MSE,
        new TimestepSampler(TimestepSampler.Type.SIGMOID, TimestepSampler.Bias.BALANCED, 3.0),
        new LrSchedule(LrSchedule.Kind.COSINE, lr, 3, (int) steps), 0, 0, 0, true, false, true, 0, 0);
  }

  static Run build(TrainLoop.Settings s, Optimizer.Kind kind, boolean ema, double dropout, boolean dop) {
    Toy.Net net = new Toy.Net(7);
    AdapterSet a = AdapterSet.attach(net.linearLayers(), p -> true, AdapterSpec.lora(2, 2).withDropout(dropout), 11);
    Optimizer opt = Optimizer.create(kind, a.parameters(), 1e-4);
    Ema e = ema ? new Ema(a.parameters(), 0.9) : null;
    return new Run(new TrainLoop(s, Runtime.cpu(), net, a, new Toy.Data(2, dop), opt, e), a, net);
  }


  static List<Double> losses = new ArrayList<>();

  @Test
  void lossFalls() throws Exception {
    Run r = build(settings(150, Optimizer.Kind.ADAMW, 3e-2), Optimizer.Kind.ADAMW, false, 0, false);
    List<Double> seen = new ArrayList<>();
    r.loop().run(new Toy.Recorder(dir), null, new TrainListener() {
      @Override
      public void step(StepReport report) {
        seen.add(report.loss());
      }
    }, TrainRequests.NONE);
    double first = seen.subList(0, 15).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = seen.subList(seen.size() - 15, seen.size()).stream().mapToDouble(d -> d).average().orElseThrow();
    assertThat(last).as("mean loss of the last 15 steps vs the first 15").isLessThan(first * 0.6);
  }

  /** N steps straight vs N/2, a full-state checkpoint, a fresh process state, and N/2 more: identical bytes. */
  @ParameterizedTest
  @EnumSource(Optimizer.Kind.class)
  void resume_isBitIdentical(Optimizer.Kind kind) throws Exception {
    TrainLoop.Settings s = settings(12, kind, 1e-2);
    Run straight = build(s, kind, true, 0.1, true);
    straight.loop().run(new Toy.Recorder(dir), null, TrainListener.NONE, TrainRequests.NONE);

    Run first = build(s, kind, true, 0.1, true);
    TrainRequests stopAt6 = new TrainRequests() {
      @Override
      public boolean stop() {
        return first.loop().step() == 6;
      }
    };
    Toy.Recorder rec = new Toy.Recorder(dir);
    assertThat(first.loop().run(rec, null, TrainListener.NONE, stopAt6)).isEqualTo(TrainLoop.Outcome.STOPPED);
    assertThat(rec.saved).containsExactly(6L);

    Run resumed = build(s, kind, true, 0.1, true);   // new model, new adapters, new optimizer: only the file carries state
    resumed.loop().loadState(rec.stateFile(6));
    assertThat(resumed.loop().step()).isEqualTo(6);
    resumed.loop().run(new Toy.Recorder(dir), null, TrainListener.NONE, TrainRequests.NONE);

    try (PointerScope scope = new PointerScope()) {
      Map<String, Tensor> a = straight.adapters().snapshot();
      Map<String, Tensor> b = resumed.adapters().snapshot();
      assertThat(b.keySet()).isEqualTo(a.keySet());
      for (String k : a.keySet()) assertThat(Tensors.toFloats(b.get(k))).as(kind + " " + k).containsExactly(Tensors.toFloats(a.get(k)));
    }
  }

  @Test
  void divergence_namesTheStep() {
    Run r = build(settings(50, Optimizer.Kind.ADAMW, 1e30), Optimizer.Kind.ADAMW, false, 0, false);
    assertThatThrownBy(() -> r.loop().run(new Toy.Recorder(dir), null, TrainListener.NONE, TrainRequests.NONE))
        .isInstanceOf(TrainLoop.DivergedException.class).hasMessageMatching("loss became (NaN|-?Infinity) at step \\d+ .*");
  }

  @Test
  void preservationTerm_isReported_andPreviewsRunOnSchedule() throws Exception {
    TrainLoop.Settings base = settings(8, Optimizer.Kind.ADAMW, 1e-2);
    TrainLoop.Settings s = new TrainLoop.Settings(8, 1, 1.0, 1, TrainLoop.Loss.MAE, base.timesteps(), base.schedule(), 4, 2, 4,
        false, false, false, 0.5, 3.0);
    Run r = build(s, Optimizer.Kind.ADAMW, false, 0, true);
    List<Long> previews = new ArrayList<>();
    List<Double> pres = new ArrayList<>();
    Toy.Recorder rec = new Toy.Recorder(dir);
    r.loop().run(rec, step -> previews.add(step), new TrainListener() {
      @Override
      public void step(StepReport report) {
        pres.add(report.preservationLoss());
      }
    }, TrainRequests.NONE);
    assertThat(previews).containsExactly(0L, 4L, 8L);   // first sample, every 4, final
    assertThat(rec.saved).containsExactly(4L, 8L);
    assertThat(pres.get(0)).isZero();                     // ΔW = 0 at the start: LoRA'd model = base
    assertThat(pres.get(pres.size() - 1)).isGreaterThan(0);
  }

  // ---- blank-prompt preservation ----

  static final double[] SIGMAS = {0.3, 0.8};

  /** Fixed ε (seeded) and σ for every micro-batch, so a test can rebuild x_t on its own. */
  static Tensor fixedNoise() {
    Tensor e = torch.randn(new long[] {2, Toy.C, Toy.HW, Toy.HW}, new GeneratorOptional(Runtime.generator(5)),
        new TensorOptions(ScalarType.Float));
    e.retainReference();
    return e;
  }

  /** A toy run whose LoRA starts away from zero (so the LoRA'd and base predictions differ at step 1). */
  static Run nonZeroRun(double blankMultiplier, double dopMultiplier, boolean offerBlank, Tensor noise) {
    TrainLoop.Settings base = settings(4, Optimizer.Kind.ADAMW, 1e-2);
    TrainLoop.Settings s = new TrainLoop.Settings(4, 1, 0, 1, TrainLoop.Loss.MSE, base.timesteps(), base.schedule(), 0, 0, 0,
        true, false, true, dopMultiplier, 0, blankMultiplier);
    Toy.Net net = new Toy.Net(7);
    AdapterSet a = AdapterSet.attach(net.linearLayers(), p -> true, AdapterSpec.lora(2, 2), 11);
    Map<String, Tensor> w = a.snapshot();
    var gen = Runtime.generator(3);
    for (Map.Entry<String, Tensor> e : w.entrySet())
      e.setValue(e.getValue().add(torch.randn(e.getValue().sizes().vec().get(), new GeneratorOptional(gen),
          new TensorOptions(ScalarType.Float)).mul(new Scalar(0.3))));
    a.load(w);
    Toy.Data data = new Toy.Data(2, dopMultiplier > 0);
    if (offerBlank) data.withBlank();
    NoiseSource fixed = (step, micro, x0) -> new NoiseSource.Draw(noise, SIGMAS, new double[] {1, 1});
    return new Run(new TrainLoop(s, Runtime.cpu(), net, a, data, Optimizer.create(Optimizer.Kind.ADAMW, a.parameters(), 0), null, fixed),
        a, net);
  }

  static List<StepReport> reports(Run r) {
    List<StepReport> out = new ArrayList<>();
    r.adapters().train(true);
    for (int i = 0; i < 4; i++) out.add(r.loop().runStep());
    return out;
  }

  @Test
  void blankPromptPreservation_addsTheLoraVsBaseMseOnTheBlankPrompt_timesItsMultiplier() throws Exception {
    Tensor noise = fixedNoise();
    double m = 0.7;
    List<StepReport> on = reports(nonZeroRun(m, 0, true, noise));
    List<StepReport> off = reports(nonZeroRun(0, 0, true, noise));

    // independent computation of the term at step 1: same first batch, same x_t; the base model is a fresh
    // network with the same seed and no adapters, the LoRA'd one a fresh run before any update
    double expected;
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      Toy.Data data = new Toy.Data(2, false).withBlank();
      Tensor x0 = data.next().latents();
      Tensor sigma = Tensors.fromFloats(new float[] {(float) SIGMAS[0], (float) SIGMAS[1]}, 2);
      Tensor s4 = sigma.view(2, 1, 1, 1);
      Tensor xt = x0.mul(s4.neg().add(new Scalar(1.0))).add(noise.mul(s4));
      List<Tensor> blank = List.of(data.blankText(), data.blankText());
      Run fresh = nonZeroRun(m, 0, true, noise);
      float[] lora = Tensors.toFloats(fresh.net().velocity(xt, sigma, blank));
      float[] base = Tensors.toFloats(new Toy.Net(7).velocity(xt, sigma, blank));
      double sum = 0;
      for (int i = 0; i < lora.length; i++) sum += (lora[i] - base[i]) * (double) (lora[i] - base[i]);
      expected = sum / lora.length;
    }
    assertThat(expected).as("the LoRA starts non-zero, so the term is not trivially 0").isGreaterThan(1e-4);
    assertThat(on.get(0).preservationLoss()).isCloseTo(expected, org.assertj.core.data.Percentage.withPercentage(1e-3));
    assertThat(on.get(0).loss() - off.get(0).loss()).as("loss with the term − loss without, at step 1")
        .isCloseTo(m * expected, org.assertj.core.data.Offset.offset(1e-5 * Math.max(1, m * expected)));
    // the term trains the LoRA: the runs part ways after the first update
    assertThat(on.get(3).loss()).isNotEqualTo(off.get(3).loss());
  }

  @Test
  void blankPromptPreservation_off_leavesTheRunUnchanged() throws Exception {
    Tensor noise = fixedNoise();
    List<StepReport> withBlankOffered = reports(nonZeroRun(0, 0, true, noise));
    List<StepReport> withoutBlank = reports(nonZeroRun(0, 0, false, noise));
    assertThat(withBlankOffered).extracting(StepReport::loss).containsExactlyElementsOf(
        withoutBlank.stream().map(StepReport::loss).toList());
    assertThat(withBlankOffered).allMatch(r -> Double.isNaN(r.preservationLoss()));
  }

  @Test
  void blankPromptPreservation_withoutABlankEmbedding_isRefusedUpFront() {
    assertThatThrownBy(() -> nonZeroRun(1.0, 0, false, fixedNoise()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank-prompt");
  }

  @Test
  void withDop_bothTermsAreAdded_eachAgainstItsOwnPrompt() throws Exception {
    Tensor noise = fixedNoise();
    double dopOnly = reports(nonZeroRun(0, 1.0, true, noise)).get(0).preservationLoss();
    double blankOnly = reports(nonZeroRun(1.0, 0, true, noise)).get(0).preservationLoss();
    double both = reports(nonZeroRun(1.0, 1.0, true, noise)).get(0).preservationLoss();
    assertThat(dopOnly).isGreaterThan(0);
    assertThat(both).isCloseTo(dopOnly + blankOnly, org.assertj.core.data.Percentage.withPercentage(1e-3));
  }
}
