package dev.lathe.adapters;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * LoKr (LyCORIS convention): ΔW = scale · kron(W1, W2) with W1 [a, c], W2 [b, d], out = a·b, in = c·d.
 * W2 is full, or decomposed as w2_a [b, r] · w2_b [r, d]. Scale is alpha / r when W2 is decomposed, 1 when
 * both factors are full. W2 (or w2_b) starts at zero so ΔW = 0.
 *
 * <p>The forward never builds ΔW: with x viewed as X [..., c, d], (W1 ⊗ W2)·x = W1 · X · W2ᵀ flattened.
 */
final class LokrAdapter extends Adapter {
  final Tensor w1;
  final Tensor w2;     // null when decomposed
  final Tensor w2a;    // [b, r]
  final Tensor w2b;    // [r, d]
  final int rank;      // 0 for a full W2
  final double alpha;
  private final long a;
  private final long b;
  private final long c;
  private final long d;
  private final Scalar scale;

  LokrAdapter(String path, long in, long out, int rank, double alpha, int factor, Generator gen,
      org.bytedeco.pytorch.Device device) {
    super(path, in, out);
    long[] of = factorization(out, factor);
    long[] inf = factorization(in, factor);
    this.a = of[0];
    this.b = of[1];
    this.c = inf[0];
    this.d = inf[1];
    this.rank = rank;
    this.alpha = alpha;
    GeneratorOptional g = new GeneratorOptional(gen);
    this.w1 = param(uniform(a, c, gen), device);
    if (rank > 0 && rank < Math.min(b, d)) {
      this.w2 = null;
      Tensor w2a0 = torch.empty(new long[] {b, rank}, new TensorOptions(ScalarType.Float), new org.bytedeco.pytorch.MemoryFormatOptional());
      w2a0.uniform_(-1 / Math.sqrt(rank), 1 / Math.sqrt(rank), g);
      this.w2a = param(w2a0, device);
      this.w2b = param(torch.zeros(new long[] {rank, d}, new TensorOptions(ScalarType.Float)), device);
    } else {
      this.w2 = param(torch.zeros(new long[] {b, d}, new TensorOptions(ScalarType.Float)), device);
      this.w2a = null;
      this.w2b = null;
    }
    this.scale = new Scalar(scale());
  }

  /** Wraps loaded factors: w2 full (w2a, w2b null) or decomposed (w2 null). */
  LokrAdapter(String path, Tensor w1, Tensor w2, Tensor w2a, Tensor w2b, double alpha) {
    super(path, w1.size(1) * (w2 != null ? w2.size(1) : w2b.size(1)), w1.size(0) * (w2 != null ? w2.size(0) : w2a.size(0)));
    this.w1 = param(w1, null);
    this.w2 = w2 == null ? null : param(w2, null);
    this.w2a = w2a == null ? null : param(w2a, null);
    this.w2b = w2b == null ? null : param(w2b, null);
    this.a = w1.size(0);
    this.c = w1.size(1);
    this.b = w2 != null ? w2.size(0) : w2a.size(0);
    this.d = w2 != null ? w2.size(1) : w2b.size(1);
    this.rank = w2 != null ? 0 : (int) w2a.size(1);
    this.alpha = alpha;
    this.scale = new Scalar(scale());
  }

  private static Tensor uniform(long rows, long cols, Generator gen) {
    double bound = 1 / Math.sqrt(cols);
    Tensor t = torch.empty(new long[] {rows, cols}, new TensorOptions(ScalarType.Float), new org.bytedeco.pytorch.MemoryFormatOptional());
    t.uniform_(-bound, bound, new GeneratorOptional(gen));
    return t;
  }

  private static Tensor param(Tensor t, org.bytedeco.pytorch.Device device) {
    return owned(device == null ? t : t.to(device, ScalarType.Float));
  }

  /**
   * The most balanced divisor pair m ≤ n of {@code dim} (m·n = dim), as LyCORIS factorises: with factor > 0 that
   * divides dim, (factor, dim/factor) ordered; otherwise m grows through the divisors while m ≤ factor (factor
   * -1 = no cap) and the split stays at least as balanced. 3840 → (60, 64), 1024 → (32, 32).
   */
  static long[] factorization(long dim, int factor) {
    if (factor > 0 && dim % factor == 0) {
      long m = factor;
      long n = dim / factor;
      return m <= n ? new long[] {m, n} : new long[] {n, m};
    }
    long cap = factor < 0 ? dim : factor;
    long m = 1;
    long n = dim;
    while (m < n) {
      long next = m + 1;
      while (dim % next != 0) next++;
      long nn = dim / next;
      if (next + nn > m + n || next > cap) break;
      m = next;
      n = nn;
    }
    return m <= n ? new long[] {m, n} : new long[] {n, m};
  }

  boolean decomposed() {
    return w2 == null;
  }

  @Override
  Map<String, Tensor> tensors() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("lokr_w1", w1);
    if (w2 != null) {
      m.put("lokr_w2", w2);
    } else {
      m.put("lokr_w2_a", w2a);
      m.put("lokr_w2_b", w2b);
    }
    return m;
  }

  @Override
  double scale() {
    return decomposed() ? alpha / rank : 1.0;
  }

  @Override
  double alpha() {
    return alpha;
  }

  private Tensor fullW2() {
    return w2 != null ? w2 : w2a.matmul(w2b);
  }

  @Override
  Tensor delta() {
    return torch.kron(w1, fullW2()).mul(scale);
  }

  @Override
  Tensor compute(Tensor x) {
    long[] shape = x.sizes().vec().get();
    long[] lead = java.util.Arrays.copyOf(shape, shape.length - 1);
    long[] xs = java.util.Arrays.copyOf(lead, lead.length + 2);
    xs[lead.length] = c;
    xs[lead.length + 1] = d;
    Tensor X = x.reshape(xs);                                      // [..., c, d]
    Tensor Y = as(w1, x).matmul(X).matmul(as(fullW2(), x).t());   // [..., a, c]·[c, d]… → [..., a, b]
    long[] ys = java.util.Arrays.copyOf(lead, lead.length + 1);
    ys[lead.length] = out;
    return Y.reshape(ys).mul(scale);                               // [..., out]
  }
}
