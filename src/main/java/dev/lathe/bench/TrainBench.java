package dev.lathe.bench;

import dev.lathe.adapters.AdapterSet;
import dev.lathe.adapters.AdapterSpec;
import dev.lathe.nn.Keep;
import dev.lathe.train.Batch;
import dev.lathe.train.BatchSource;
import dev.lathe.train.LrSchedule;
import dev.lathe.train.NoiseSource;
import dev.lathe.train.Optimizer;
import dev.lathe.train.StepReport;
import dev.lathe.train.TimestepSampler;
import dev.lathe.train.TrainLoop;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.pytorch.Tensor;

/**
 * Times Lathe's LoRA training step ({@link TrainLoop#runStep()}, the trainer's own step) on a bench model: rank-r LoRA
 * (alpha = r) on every Linear of the main blocks, AdamW lr 1e-4 wd 1e-4, flow-matching MSE with the inputs' fixed ε
 * and σ, so that the loss of the first step can be checked against the PyTorch reference on the same files.
 */
public final class TrainBench {
  private TrainBench() {}

  /**
   * @param rank LoRA rank, 0 for the inputs' metadata (16 for generated inputs)
   * @param steps timed steps, after {@code warmup} untimed ones
   * @param jitQuiet warm up past {@code warmup} steps until the JIT is quiet (see {@link JitWarmup})
   * @param peak measure the fp32 GEMM peak after the timed steps
   * @param alternate a switch to flip step by step ({@link Alternate}), or null
   */
  public record Options(BenchSource source, int rank, boolean checkpointing, int steps, int warmup, boolean jitQuiet, boolean peak, int matmulN,
                        Alternate alternate) {
    public Options {
      if (steps < 1 || warmup < 0) throw new IllegalArgumentException("--steps must be >= 1 and --warmup >= 0");
      if (alternate != null && steps < 2) throw new IllegalArgumentException("--alternate needs --steps >= 2 (half of them on, half off)");
      if (rank < 0) throw new IllegalArgumentException("--rank must be >= 1 (or 0 for the inputs' rank)");
    }
  }

  /** Warm-up steps past the requested ones, at most, while waiting for the JIT (its time cap usually ends it first). */
  static final int MAX_EXTRA_WARMUP = 2000;

  /**
   * Runs warm-up and timed steps and returns the result in the JSON shape of {@code scripts/bench/README.md}.
   *
   * @param log progress lines for a human (not part of the result)
   */
  public static Map<String, Object> run(Options o, Consumer<String> log) throws IOException {
    try (Setup s = new Setup(o.source())) {
      int rank = o.rank() > 0 ? o.rank() : s.inputs.rank();
      long seed = o.source().seed();
      AdapterSet adapters = AdapterSet.attach(s.model.linearLayers(), s.model::defaultTarget, AdapterSpec.lora(rank, rank), seed);
      s.model.setGradientCheckpointing(o.checkpointing());
      int total = o.warmup() + o.steps() + (o.jitQuiet() ? MAX_EXTRA_WARMUP : 0);   // the loop's horizon; the bench stops earlier
      TrainLoop.Settings settings = new TrainLoop.Settings(total, 1, 0, seed, TrainLoop.Loss.MSE,
          new TimestepSampler(TimestepSampler.Type.SIGMOID, TimestepSampler.Bias.BALANCED, 1.0),
          new LrSchedule(LrSchedule.Kind.CONSTANT, 1e-4, 0, total), 0, 0, 0, true, false, true, 0, 0);
      Optimizer opt = Optimizer.create(Optimizer.Kind.ADAMW, adapters.parameters(), 1e-4);
      Fixed fixed = new Fixed(s);
      TrainLoop loop = new TrainLoop(settings, s.rt, s.model, adapters, fixed, opt, null, fixed);
      if (o.alternate() != null) loop.withLookahead(false);   // it would compute one step's front under the other setting
      log.accept("training " + s.inputs.size() + ": " + o.warmup() + (o.jitQuiet() ? "+" : "") + " warm-up + " + o.steps() + " timed steps, checkpointing "
          + (o.checkpointing() ? "on" : "off") + ", " + s.rt);

      adapters.train(true);
      double[] step = new double[o.steps()];
      double[] fwd = new double[o.steps()];
      double[] bwd = new double[o.steps()];
      double[] optim = new double[o.steps()];
      double[] cpu = new double[o.steps()];
      double loss1 = Double.NaN;
      double lossLast = Double.NaN;
      JitWarmup warm = new JitWarmup(o.warmup(), o.jitQuiet());
      long jitBefore = 0;
      Boolean switchBefore = null;
      try {
        for (int i = 0, k = 0; k < o.steps(); i++) {
          boolean warming = k == 0 && warm.more() && i < o.warmup() + MAX_EXTRA_WARMUP;
          if (!warming && k == 0) jitBefore = warm.compileMs();
          if (!warming && o.alternate() != null) {
            boolean b = o.alternate().setFor(k);
            if (switchBefore == null) switchBefore = b;
          }
          long c0 = Machine.processCpuNanos();
          StepReport r = loop.runStep();
          long c1 = Machine.processCpuNanos();
          if (i == 0) loss1 = r.loss();
          lossLast = r.loss();
          if (warming) {
            warm.stepped(r.seconds());
          } else {
            step[k] = r.seconds();
            fwd[k] = r.phases().forward();
            bwd[k] = r.phases().backward();
            optim[k] = r.phases().optimizer();
            cpu[k] = (c1 - c0) / 1e9;
            k++;
          }
        }
      } finally {
        if (switchBefore != null) o.alternate().restore(switchBefore);
        loop.finish();   // the look-ahead of the step after the last uses the model and the inputs: let it end first
        fixed.release();
        adapters.detach();
      }

      Map<String, Object> res = s.describe("lathe");
      Stats st = Stats.of(step);
      Flops.Count flops = new Flops(s.config, s.inputs.batch(), s.imageLen, s.captionLen, rank).trainStep(o.checkpointing());
      res.put("trainable_params", adapters.parameterCount());
      res.put("rank", rank);
      res.put("checkpointing", o.checkpointing() ? "on" : "off");
      res.put("warmup", warm.steps());
      res.put("warmup_jit_quiet", warm.quiet());
      res.put("jit_ms_timed", warm.compileMs() - jitBefore);
      res.put("steps", o.steps());
      res.put("loss_step1", loss1);
      res.put("loss_last", lossLast);
      Map<String, Object> ms = new LinkedHashMap<>();
      ms.put("median", st.median() * 1e3);
      ms.put("min", st.min() * 1e3);
      ms.put("max", st.max() * 1e3);
      res.put("step_ms", ms);
      if (o.alternate() != null) res.put("alternate", o.alternate().result(step));
      res.put("forward_ms", Stats.of(fwd).median() * 1e3);
      res.put("backward_ms", Stats.of(bwd).median() * 1e3);
      res.put("optimizer_ms", Stats.of(optim).median() * 1e3);
      res.put("cpu_ms", Stats.of(cpu).median() * 1e3);
      s.putPeakMemory(res);
      res.put("tokens_per_s", s.inputs.batch() * s.imageTokens / st.median());
      res.put("flops_per_step", flops.total());
      res.put("flops_forward", flops.forward());
      res.put("flops_method", "analytic matmul count: forward + backward as autograd runs it + checkpoint recompute");
      res.put("achieved_gflops", flops.total() / st.median() / 1e9);
      if (o.peak()) {
        Machine.Peak pk = Machine.matmulPeak(s.rt, o.matmulN(), 8);
        res.put("matmul_peak_gflops", pk.gflopsBest());
        res.put("peak_fraction", flops.total() / st.median() / 1e9 / pk.gflopsBest());
      }
      return res;
    }
  }

  /** The same batch, noise and σ every step (what the reference does), on the runtime's device. */
  private static final class Fixed implements BatchSource, NoiseSource {
    private final Tensor x0;      // [B, C, H, W]
    private final Tensor noise;   // [B, C, H, W]
    private final double[] sigmas;
    private final double[] ones;
    private final List<Tensor> captions;

    Fixed(Setup s) {
      x0 = Keep.retained(s.inputs.x0().squeeze(2).to(s.rt.device(), org.bytedeco.pytorch.global.torch.ScalarType.Float));
      noise = Keep.retained(s.inputs.noise().squeeze(2).to(s.rt.device(), org.bytedeco.pytorch.global.torch.ScalarType.Float));
      sigmas = s.inputs.sigmas();
      ones = new double[sigmas.length];
      Arrays.fill(ones, 1.0);
      captions = s.inputs.captions();
    }

    @Override
    public Batch next() {
      return new Batch(x0, captions, null, null);
    }

    @Override
    public Draw draw(long step, int micro, Tensor latents) {
      return new Draw(noise, sigmas, ones);
    }

    @Override
    public String state() {
      return "fixed";
    }

    @Override
    public void restore(String state) {}

    @Override
    public long size() {
      return x0.size(0);
    }

    void release() {
      x0.releaseReference();
      noise.releaseReference();
    }
  }
}
