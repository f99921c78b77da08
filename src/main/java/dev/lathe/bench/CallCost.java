package dev.lathe.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * What one libtorch call costs from Java when the work itself is negligible: an add of two 8×8 tensors, and a view
 * plus a reshape, in loops of 100 calls per PointerScope, as a training step makes them. Every call crosses JNI and
 * gets a new JavaCPP handle, so this is the fixed cost a step pays per op. It depends on JavaCPP's per-handle
 * memory check ({@code org.bytedeco.javacpp.maxPhysicalBytes}; see {@code dev.lathe.torch.NativeMemory}), which the
 * result names: run it once as is and once with {@code LATHE_JAVA_OPTS=-Dorg.bytedeco.javacpp.maxPhysicalBytes=8G}
 * to see that check's cost.
 */
public final class CallCost {
  private CallCost() {}

  /** Median and best over {@code rounds} rounds of {@code calls} calls each, in microseconds per call. */
  public record Result(Stats addUs, Stats viewReshapeUs, int calls, int rounds, long maxPhysicalBytes, int threads) {
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("mode", "calls");
      m.put("add_us", Map.of("median", addUs.median(), "min", addUs.min(), "max", addUs.max()));
      m.put("view_reshape_us", Map.of("median", viewReshapeUs.median(), "min", viewReshapeUs.min(), "max", viewReshapeUs.max()));
      m.put("calls", calls);
      m.put("rounds", rounds);
      m.put("javacpp_max_physical_bytes", maxPhysicalBytes);
      m.put("threads", threads);
      return m;
    }
  }

  public static Result measure(int calls, int rounds) {
    if (calls < 100 || rounds < 1) throw new IllegalArgumentException("calls must be >= 100 and rounds >= 1");
    dev.lathe.torch.Runtime.load();
    Tensor x = torch.randn(8, 8), y = torch.randn(8, 8);
    double[] add = new double[rounds], view = new double[rounds];
    for (int r = -2; r < rounds; r++) {   // two untimed rounds: the JIT compiles the loops
      long t0 = System.nanoTime();
      for (int i = 0; i < calls; i += 100) {
        try (PointerScope s = new PointerScope()) {
          for (int j = 0; j < 100; j++) x.add(y);
        }
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < calls; i += 100) {
        try (PointerScope s = new PointerScope()) {
          for (int j = 0; j < 100; j++) x.view(64).reshape(8, 8);
        }
      }
      long t2 = System.nanoTime();
      if (r < 0) continue;
      int n = calls / 100 * 100;
      add[r] = (t1 - t0) / 1e3 / n;
      view[r] = (t2 - t1) / 1e3 / n;
    }
    x.close();
    y.close();
    return new Result(Stats.of(add), Stats.of(view), calls / 100 * 100, rounds, Pointer.maxPhysicalBytes(), torch.get_num_threads());
  }
}
