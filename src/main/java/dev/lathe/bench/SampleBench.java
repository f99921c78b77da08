package dev.lathe.bench;

import dev.lathe.adapters.AdapterSet;
import dev.lathe.adapters.AdapterSpec;
import dev.lathe.nn.Keep;
import dev.lathe.sample.FlowMatchEuler;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Times flow-matching Euler sampling steps on a bench model: per step one velocity (forward pass without gradients)
 * and the update x ← x + (σ_{k+1} − σ_k)·v, starting from the inputs' ε. With an adapter the steps cost what a
 * training preview costs (the LoRA path runs beside each targeted Linear); without, what plain inference costs.
 */
public final class SampleBench {
  private SampleBench() {}

  /**
   * @param rank LoRA rank of an attached (unmerged) adapter; 0 for the inputs' rank, -1 for no adapter
   * @param steps timed sampling steps: one schedule of that many steps
   * @param warmup untimed evaluations at the schedule's first σ before it (more while the JIT is busy, with
   *     {@code jitQuiet}; see {@link JitWarmup})
   * @param shift the schedule's static shift
   */
  public record Options(BenchSource source, int rank, int steps, int warmup, boolean jitQuiet, double shift, boolean peak, int matmulN) {
    public Options {
      if (steps < 1 || warmup < 0) throw new IllegalArgumentException("--steps must be >= 1 and --warmup >= 0");
    }
  }

  public static Map<String, Object> run(Options o, Consumer<String> log) throws IOException {
    try (Setup s = new Setup(o.source())) {
      int rank = o.rank() < 0 ? 0 : o.rank() > 0 ? o.rank() : s.inputs.rank();
      AdapterSet adapters = rank > 0
          ? AdapterSet.attach(s.model.linearLayers(), s.model::defaultTarget, AdapterSpec.lora(rank, rank), o.source().seed())
          : null;
      double[] sigmas = FlowMatchEuler.sigmas(o.steps(), o.shift());
      int b = s.inputs.batch();
      log.accept("sampling " + s.inputs.size() + ": " + o.warmup() + " warm-up + " + o.steps() + " timed steps, "
          + (rank > 0 ? "LoRA rank " + rank + " attached" : "no adapter") + ", " + s.rt);
      double[] step = new double[o.steps()];
      Tensor x = Keep.retained(s.inputs.noise().squeeze(2).to(s.rt.device(), ScalarType.Float));
      JitWarmup warm = new JitWarmup(o.warmup(), o.jitQuiet());
      long jitBefore;
      try (NoGradGuard g = new NoGradGuard()) {
        while (warm.more()) {                       // warm-up: the first step's work, x left as it is
          long t0 = System.nanoTime();
          velocityStep(s, x, sigmas[0], 0, b);
          warm.stepped((System.nanoTime() - t0) / 1e9);
        }
        jitBefore = warm.compileMs();
        for (int k = 0; k < o.steps(); k++) {
          long t0 = System.nanoTime();
          velocityStep(s, x, sigmas[k], sigmas[k + 1] - sigmas[k], b);
          step[k] = (System.nanoTime() - t0) / 1e9;
        }
        try (PointerScope scope = new PointerScope()) {
          if (!x.isfinite().all().item_bool()) throw new IllegalStateException("sampling produced non-finite latents");
        }
      } finally {
        x.releaseReference();
        if (adapters != null) adapters.detach();
      }

      Map<String, Object> res = s.describe("lathe");
      res.put("mode", "sample");
      res.put("rank", rank);
      res.put("warmup", warm.steps());
      res.put("warmup_jit_quiet", warm.quiet());
      res.put("jit_ms_timed", warm.compileMs() - jitBefore);
      res.put("steps", o.steps());
      res.put("shift", o.shift());
      Stats st = Stats.of(step);
      Map<String, Object> ms = new LinkedHashMap<>();
      ms.put("median", st.median() * 1e3);
      ms.put("min", st.min() * 1e3);
      ms.put("max", st.max() * 1e3);
      res.put("step_ms", ms);
      s.putPeakMemory(res);
      res.put("tokens_per_s", b * s.imageTokens / st.median());
      long flops = new Flops(s.config, b, s.imageLen, s.captionLen, rank).forward();
      res.put("flops_per_step", flops);
      res.put("flops_method", "analytic matmul count of one forward pass");
      res.put("achieved_gflops", flops / st.median() / 1e9);
      if (o.peak()) {
        Machine.Peak pk = Machine.matmulPeak(s.rt, o.matmulN(), 8);
        res.put("matmul_peak_gflops", pk.gflopsBest());
        res.put("peak_fraction", flops / st.median() / 1e9 / pk.gflopsBest());
      }
      return res;
    }
  }

  /** One sampling step: the velocity at σ, then x ← x + dσ·v (dσ = 0: the work without the update). */
  private static void velocityStep(Setup s, Tensor x, double sigma, double dSigma, int b) {
    try (PointerScope scope = new PointerScope()) {
      Tensor sig = torch.full(new long[] {b}, new Scalar(sigma), new TensorOptions(ScalarType.Float));
      Tensor v = s.model.velocity(x, sig, s.inputs.captions());
      if (dSigma != 0) x.add_(v.to(ScalarType.Float), new Scalar(dSigma));
      s.rt.synchronize();
    }
  }
}
