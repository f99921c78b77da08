package dev.lathe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.adapters.AdapterSet;
import dev.lathe.adapters.AdapterSpec;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.SafeTensorsFile;
import dev.lathe.torch.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

/**
 * The loop's arithmetic on the toy model, each against a value computed here independently: EMA weights in what
 * is saved, gradient accumulation versus a larger batch, gradient clipping, and the loss value.
 */
class TrainLoopMechanicsTest {
  @TempDir Path dir;

  @BeforeAll
  static void load() {
    Runtime.load();
  }

  static final TimestepSampler SIGMOID = new TimestepSampler(TimestepSampler.Type.SIGMOID, TimestepSampler.Bias.BALANCED, 3.0);

  static TrainLoop.Settings settings(long steps, int accumulation, double maxGradNorm, TrainLoop.Loss loss, int saveEvery) {
    return new TrainLoop.Settings(steps, accumulation, maxGradNorm, 1234, loss, SIGMOID,
        new LrSchedule(LrSchedule.Kind.CONSTANT, 1e-2, 0, (int) steps), saveEvery, 0, 0, true, false, true, 0, 0);
  }

  /**
   * Noise and σ that depend only on an item's position in the step's samples (micro · batch + i), not on how the
   * step is cut into micro-batches: batch 2 and batch 1 × accumulation 2 see the same ε and σ per item.
   */
  static final NoiseSource BY_POSITION = (step, micro, x0) -> {
    int n = (int) x0.size(0);
    List<Tensor> parts = new ArrayList<>();
    double[] sigmas = new double[n];
    double[] weights = new double[n];
    for (int i = 0; i < n; i++) {
      long pos = step * 16 + (long) micro * n + i;
      long[] one = x0.sizes().vec().get();
      one[0] = 1;
      parts.add(torch.randn(one, new GeneratorOptional(Runtime.generator(1000 + pos)), new TensorOptions(ScalarType.Float)));
      sigmas[i] = 0.15 + 0.7 * ((pos * 7) % 11) / 10.0;
      weights[i] = 1;
    }
    return new NoiseSource.Draw(torch.cat(new org.bytedeco.pytorch.TensorVector(parts.toArray(new Tensor[0])), 0), sigmas, weights);
  };

  record Run(TrainLoop loop, AdapterSet adapters, Toy.Net net) {}

  static Run build(TrainLoop.Settings s, int batch, Ema[] emaOut, double emaDecay, NoiseSource noise) {
    Toy.Net net = new Toy.Net(7);
    AdapterSet a = AdapterSet.attach(net.linearLayers(), p -> true, AdapterSpec.lora(2, 2), 11);
    Optimizer opt = Optimizer.create(Optimizer.Kind.ADAMW, a.parameters(), 0);
    Ema e = emaOut == null ? null : new Ema(a.parameters(), emaDecay);
    if (emaOut != null) emaOut[0] = e;
    return new Run(new TrainLoop(s, Runtime.cpu(), net, a, new Toy.Data(batch, false), opt, e, noise), a, net);
  }

  static Map<String, float[]> floats(Map<String, Tensor> m) {
    Map<String, float[]> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, Tensors.toFloats(v)));
    return out;
  }

  static double maxAbs(Map<String, float[]> m) {
    double x = 0;
    for (float[] a : m.values()) for (float f : a) x = Math.max(x, Math.abs(f));
    return x;
  }

  // ---- EMA ----

  @Test
  void ema_savedAdapterAndCheckpointHoldTheAverage_notTheRawWeights() throws Exception {
    double decay = 0.8;
    TrainLoop.Settings s = settings(6, 1, 0, TrainLoop.Loss.MSE, 3);
    Ema[] ema = new Ema[1];
    Run r = build(s, 2, ema, decay, NoiseSource.seeded(1234, SIGMOID));
    // the independent average: starts at the initial weights, then shadow ← d·shadow + (1 − d)·θ after every step
    Map<String, double[]> avg = new LinkedHashMap<>();
    floats(r.adapters().snapshot()).forEach((k, v) -> {
      double[] d = new double[v.length];
      for (int i = 0; i < v.length; i++) d[i] = v[i];
      avg.put(k, d);
    });
    Map<Long, Map<String, double[]>> avgAt = new LinkedHashMap<>();
    Map<Long, Map<String, float[]>> rawAt = new LinkedHashMap<>();
    List<Path> adapterFiles = new ArrayList<>();
    TrainLoop.Checkpoints sink = new TrainLoop.Checkpoints() {
      @Override
      public Path writeAdapter(long step, AdapterSet adapters) throws IOException {
        Path p = dir.resolve("a_" + step + ".safetensors");
        adapters.save(p, "", ScalarType.Float, Map.of());
        adapterFiles.add(p);
        return p;
      }

      @Override
      public Path stateFile(long step) {
        return dir.resolve("s_" + step + ".safetensors");
      }

      @Override
      public void recorded(long step) {}
    };
    r.loop().run(sink, null, new TrainListener() {
      @Override
      public void step(StepReport report) {
        Map<String, float[]> raw = floats(r.adapters().snapshot());   // the live weights just after the update
        rawAt.put(report.step(), raw);
        Map<String, double[]> copy = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : avg.entrySet()) {
          float[] th = raw.get(e.getKey());
          double[] a = e.getValue();
          for (int i = 0; i < a.length; i++) a[i] = decay * a[i] + (1 - decay) * th[i];
          copy.put(e.getKey(), a.clone());
        }
        avgAt.put(report.step(), copy);
      }
    }, TrainRequests.NONE);

    assertThat(adapterFiles).extracting(p -> p.getFileName().toString()).containsExactly("a_3.safetensors", "a_6.safetensors");
    for (long step : List.of(3L, 6L)) {
      Map<String, double[]> expected = avgAt.get(step);
      Map<String, float[]> raw = rawAt.get(step);
      double differs = 0;
      try (SafeTensorsFile f = SafeTensorsFile.open(dir.resolve("a_" + step + ".safetensors"));
          SafeTensorsFile st = SafeTensorsFile.open(dir.resolve("s_" + step + ".safetensors"))) {
        for (String k : expected.keySet()) {
          float[] saved = Tensors.toFloats(f.load(k));
          float[] shadow = Tensors.toFloats(st.load("ema/" + k));
          float[] stateRaw = Tensors.toFloats(st.load("adapter/" + k));
          double[] e = expected.get(k);
          for (int i = 0; i < e.length; i++) {
            assertThat((double) saved[i]).as("step %d %s[%d] in the LoRA file", step, k, i).isCloseTo(e[i], within(1e-5));
            assertThat((double) shadow[i]).as("step %d %s[%d] EMA in the checkpoint", step, k, i).isCloseTo(e[i], within(1e-5));
            differs = Math.max(differs, Math.abs(saved[i] - raw.get(k)[i]));
          }
          // the full state keeps the raw weights too, so training resumes from them
          assertThat(stateRaw).as("raw weights in the checkpoint").containsExactly(raw.get(k));
        }
      }
      assertThat(differs).as("the file must not hold the raw weights").isGreaterThan(1e-3);
    }
    // and the live weights are the raw ones again after the saves
    Map<String, float[]> live = floats(r.adapters().snapshot());
    for (String k : live.keySet()) assertThat(live.get(k)).containsExactly(rawAt.get(6L).get(k));
  }

  // ---- gradient accumulation ----

  @Test
  void accumulation2xBatch1_equalsBatch2() throws Exception {
    int steps = 3;
    Run big = build(settings(steps, 1, 0, TrainLoop.Loss.MSE, 0), 2, null, 0, BY_POSITION);
    Run acc = build(settings(steps, 2, 0, TrainLoop.Loss.MSE, 0), 1, null, 0, BY_POSITION);
    List<StepReport> a = new ArrayList<>();
    List<StepReport> b = new ArrayList<>();
    big.adapters().train(true);
    acc.adapters().train(true);
    for (int i = 0; i < steps; i++) {
      a.add(big.loop().runStep());
      b.add(acc.loop().runStep());
    }
    for (int i = 0; i < steps; i++) {
      assertThat(b.get(i).loss()).as("loss of step %d", i + 1).isCloseTo(a.get(i).loss(), within(1e-5 * a.get(i).loss()));
      assertThat(b.get(i).gradNorm()).as("grad norm of step %d", i + 1).isCloseTo(a.get(i).gradNorm(), within(1e-4 * a.get(i).gradNorm()));
    }
    try (PointerScope scope = new PointerScope()) {
      Map<String, float[]> x = floats(big.adapters().snapshot());
      Map<String, float[]> y = floats(acc.adapters().snapshot());
      double tol = 1e-4 * maxAbs(x);
      for (String k : x.keySet())
        for (int i = 0; i < x.get(k).length; i++)
          assertThat((double) y.get(k)[i]).as("%s[%d]", k, i).isCloseTo(x.get(k)[i], within(tol));
    }
    assertThat(maxAbs(floats(big.adapters().snapshot()))).isGreaterThan(0);
  }

  // ---- max grad norm ----

  /** The gradients left on the trainable tensors by the last step, as floats. */
  static Map<String, float[]> grads(AdapterSet a) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : a.parameters().entrySet()) out.put(e.getKey(), Tensors.toFloats(e.getValue().grad()));
    return out;
  }

  static double norm(Map<String, float[]> g) {
    double s = 0;
    for (float[] a : g.values()) for (float f : a) s += (double) f * f;
    return Math.sqrt(s);
  }

  @Test
  void maxGradNorm_clipsTheGlobalNormToTheLimit_keepingTheDirection() throws Exception {
    Run free = build(settings(1, 1, 0, TrainLoop.Loss.MSE, 0), 2, null, 0, BY_POSITION);
    free.adapters().train(true);
    StepReport rf = free.loop().runStep();
    Map<String, float[]> raw = grads(free.adapters());
    double rawNorm = norm(raw);
    assertThat(rf.gradNorm()).as("reported norm is the global L2 norm before clipping").isCloseTo(rawNorm, within(1e-5 * rawNorm));

    double limit = rawNorm / 4;
    Run clipped = build(settings(1, 1, limit, TrainLoop.Loss.MSE, 0), 2, null, 0, BY_POSITION);
    clipped.adapters().train(true);
    StepReport rc = clipped.loop().runStep();
    Map<String, float[]> g = grads(clipped.adapters());
    assertThat(rc.gradNorm()).isCloseTo(rawNorm, within(1e-5 * rawNorm));
    assertThat(norm(g)).as("global norm after clipping").isCloseTo(limit, within(1e-5 * limit));
    for (String k : g.keySet())
      for (int i = 0; i < g.get(k).length; i++)
        assertThat((double) g.get(k)[i]).as("%s[%d] scaled by limit / norm", k, i).isCloseTo(raw.get(k)[i] * limit / rawNorm, within(1e-6 * rawNorm));

    // below the limit nothing changes
    Run loose = build(settings(1, 1, rawNorm * 2, TrainLoop.Loss.MSE, 0), 2, null, 0, BY_POSITION);
    loose.adapters().train(true);
    loose.loop().runStep();
    Map<String, float[]> u = grads(loose.adapters());
    for (String k : u.keySet()) assertThat(u.get(k)).containsExactly(raw.get(k));
  }

  // ---- loss value ----

  @ParameterizedTest
  @EnumSource(TrainLoop.Loss.class)
  void lossValue_isTheMeanErrorOfPredictionAndTarget(TrainLoop.Loss kind) throws Exception {
    Run r = build(settings(1, 1, 0, kind, 0), 2, null, 0, BY_POSITION);
    r.adapters().train(true);
    StepReport report = r.loop().runStep();

    // the same first batch, noise and σ, through the same (untrained, so ΔW = 0) network, computed here
    double expected;
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      Toy.Net net = new Toy.Net(7);
      Batch b = new Toy.Data(2, false).next();
      Tensor x0 = b.latents();
      NoiseSource.Draw d = BY_POSITION.draw(0, 0, x0);
      float[] x = Tensors.toFloats(x0);
      float[] eps = Tensors.toFloats(d.noise());
      int per = x.length / 2;
      float[] xt = new float[x.length];
      float[] target = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        double s = d.sigmas()[i / per];
        xt[i] = (float) ((1 - s) * x[i] + s * eps[i]);
        target[i] = eps[i] - x[i];
      }
      Tensor sig = Tensors.fromFloats(new float[] {(float) d.sigmas()[0], (float) d.sigmas()[1]}, 2);
      float[] pred = Tensors.toFloats(net.velocity(Tensors.fromFloats(xt, x0.sizes().vec().get()), sig, b.text()));
      double sum = 0;
      for (int i = 0; i < x.length; i++) {
        double e = pred[i] - target[i];
        sum += kind == TrainLoop.Loss.MAE ? Math.abs(e) : e * e;
      }
      expected = sum / x.length;
    }
    assertThat(report.loss()).isCloseTo(expected, within(1e-5 * expected));
  }

  // ---- first-sample flags ----

  /**
   * Preview steps of an 8-step run sampling every 4, started fresh or resumed from the step-4 checkpoint. Besides
   * the schedule (4, and the end), baseline previews come at a fresh start unless skipped, and on a resumed start
   * only when forced; skip beats force and disable beats both (ai-toolkit's order).
   */
  List<Long> previews(boolean resumed, boolean skip, boolean force, boolean disable) throws Exception {
    TrainLoop.Settings s = new TrainLoop.Settings(8, 1, 0, 1234, TrainLoop.Loss.MSE, SIGMOID,
        new LrSchedule(LrSchedule.Kind.CONSTANT, 1e-2, 0, 8), 4, 0, 4, skip, force, disable, 0, 0);
    Path state = dir.resolve("first_" + resumed + skip + force + disable + ".safetensors");
    TrainLoop.Checkpoints sink = new TrainLoop.Checkpoints() {
      @Override
      public Path writeAdapter(long step, AdapterSet adapters) {
        return state;
      }

      @Override
      public Path stateFile(long step) {
        return state;
      }

      @Override
      public void recorded(long step) {}
    };
    if (resumed) {
      Run first = build(s, 2, null, 0, BY_POSITION);
      TrainRequests stopAt4 = new TrainRequests() {
        @Override
        public boolean stop() {
          return first.loop().step() == 4;
        }
      };
      assertThat(first.loop().run(sink, step -> {}, TrainListener.NONE, stopAt4)).isEqualTo(TrainLoop.Outcome.STOPPED);
    }
    Run r = build(s, 2, null, 0, BY_POSITION);
    if (resumed) r.loop().loadState(state);
    List<Long> seen = new ArrayList<>();
    r.loop().run(sink, seen::add, TrainListener.NONE, TrainRequests.NONE);
    return seen;
  }

  @Test
  void firstSample_skipForceAndDisable_decideTheBaselinePreviews() throws Exception {
    assertThat(previews(false, false, false, false)).containsExactly(0L, 4L, 8L);
    assertThat(previews(false, true, false, false)).containsExactly(4L, 8L);
    assertThat(previews(true, false, false, false)).containsExactly(8L);       // a resumed run draws no baseline
    assertThat(previews(true, false, true, false)).containsExactly(4L, 8L);    // unless forced
    assertThat(previews(true, true, true, false)).containsExactly(8L);         // skip beats force
    assertThat(previews(false, false, true, true)).isEmpty();                  // disable beats everything
  }
}
