package dev.lathe.bench;

import dev.lathe.nn.Linear;
import dev.lathe.torch.Blas;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * How the ops of one transformer block scale from one intra-op thread to several, at a bench size's activation shapes:
 * elementwise ops on [tokens, dim] and [tokens, ffn], and the Linears as the trainer runs them ({@link Linear#forward}:
 * oneDNN above its size threshold when there is more than one thread, OpenBLAS otherwise). Also what switching
 * libtorch's thread count costs ({@code at::set_num_threads}), which decides whether a per-op thread count could pay.
 * OpenBLAS gets the trainer's setting (one thread unless LATHE_BLAS_THREADS says otherwise) for the whole run.
 *
 * <p>The thread counts alternate round by round, so a machine whose speed drifts hits both alike.
 */
public final class ThreadScaling {
  private ThreadScaling() {}

  /** One op: its median (and range) in microseconds per call on one thread and on {@code threads}. */
  public record Op(String name, String shape, Stats oneUs, Stats manyUs) {
    /** Time on many threads over time on one: below 1 when the extra threads pay. */
    public double ratio() {
      return manyUs.median() / oneUs.median();
    }
  }

  public record Result(String size, long tokens, long dim, long ffn, int threads, int blasThreads, List<Op> ops, double switchUs, int rounds,
      int calls) {
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("mode", "threads");
      m.put("size", size);
      m.put("tokens", tokens);
      m.put("dim", dim);
      m.put("ffn", ffn);
      m.put("threads", threads);
      m.put("blas_threads", blasThreads);
      List<Map<String, Object>> list = new ArrayList<>();
      for (Op o : ops) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("op", o.name());
        e.put("shape", o.shape());
        e.put("one_thread_us", o.oneUs().median());
        e.put("threads_us", o.manyUs().median());
        e.put("ratio", o.ratio());
        list.add(e);
      }
      m.put("ops", list);
      m.put("set_num_threads_us", switchUs);
      m.put("rounds", rounds);
      m.put("calls", calls);
      return m;
    }
  }

  /** The joint sequence of one step of {@code size}: image tokens and caption, each padded to 32, times the batch. */
  public static long tokens(BenchSize size) {
    int[] l = size.latent();                        // [C, F, H, W], patch 2×2×1
    long image = (long) l[1] * (l[2] / 2) * (l[3] / 2);
    return size.batch * (pad32(image) + pad32(size.captionTokens));
  }

  private static long pad32(long n) {
    return (n + 31) / 32 * 32;
  }

  /**
   * @param threads the many-thread count, at least 2
   * @param rounds timed rounds per thread count, after one untimed
   * @param calls calls per op and round
   */
  public static Result measure(BenchSize size, int threads, int rounds, int calls) {
    if (threads < 2 || rounds < 1 || calls < 1) throw new IllegalArgumentException("threads must be >= 2, rounds and calls >= 1");
    dev.lathe.torch.Runtime.load();
    int before = torch.get_num_threads(), blasBefore = Blas.threads();
    Blas.setThreads(Blas.threadsFor(threads));   // as the trainer sets it (one by default): spinning workers would skew both sides
    long t = tokens(size), d = size.dim, f = Flops.Arch.of(size.config()).ffn();
    try (PointerScope keep = new PointerScope()) {
      torch.manual_seed(0);
      Tensor xd = torch.randn(t, d), yd = torch.randn(t, d), xf = torch.randn(t, f);
      Linear square = linear(d, d), wide = linear(d, f);
      List<String> names = List.of("add", "mul", "silu", "linear", "linear");
      List<String> shapes = List.of(t + "x" + d, t + "x" + d, t + "x" + f, t + "x" + d + " by " + d + "x" + d, t + "x" + d + " by " + f + "x" + d);
      List<Supplier<Tensor>> ops = List.of(() -> xd.add(yd), () -> xd.mul(yd), () -> torch.silu(xf),
          () -> square.forward(xd), () -> wide.forward(xd));
      double[][][] us = new double[2][ops.size()][rounds];
      for (int r = -1; r < rounds; r++) {
        for (int k = 0; k < 2; k++) {
          torch.set_num_threads(k == 0 ? 1 : threads);
          for (int i = 0; i < ops.size(); i++) {
            double v = perCall(ops.get(i), calls);
            if (r >= 0) us[k][i][r] = v;
          }
        }
      }
      List<Op> result = new ArrayList<>();
      for (int i = 0; i < ops.size(); i++) result.add(new Op(names.get(i), shapes.get(i), Stats.of(us[0][i]), Stats.of(us[1][i])));
      return new Result(size.id(), t, d, f, threads, Blas.threads(), result, switchCost(threads), rounds, calls);
    } finally {
      torch.set_num_threads(before);
      if (blasBefore > 0) Blas.setThreads(blasBefore);   // -1: never set, unknown; leave the trainer's setting
    }
  }

  private static Linear linear(long in, long out) {
    Linear l = new Linear(in, out, false, new TensorOptions());
    try (PointerScope s = new PointerScope(); var g = new org.bytedeco.pytorch.NoGradGuard()) {
      // random, not uninitialised memory (denormals would skew the times)
      l.weight().normal_(0, 1 / Math.sqrt(in), new org.bytedeco.pytorch.GeneratorOptional());
    }
    return l;
  }

  private static double perCall(Supplier<Tensor> op, int calls) {
    long t0 = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      try (PointerScope s = new PointerScope()) {
        op.get();
      }
    }
    return (System.nanoTime() - t0) / 1e3 / calls;
  }

  /** Microseconds per {@code set_num_threads} call, alternating between 1 and {@code threads}. */
  private static double switchCost(int threads) {
    int n = 200;
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      torch.set_num_threads(1);
      torch.set_num_threads(threads);
    }
    return (System.nanoTime() - t0) / 1e3 / (2 * n);
  }
}
