package dev.lathe.nn;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * y = x·Wᵀ + b with W [out, in], registered as {@code weight} / {@code bias} so a checkpoint loads by name, plus
 * an optional adapter slot. Base parameters are created frozen (requires_grad false): Lathe trains adapters,
 * and the weights are only ever replaced in place by a loader or a merge.
 *
 * <p>On the CPU, large fp32 products (from {@link #ONEDNN_MIN_MACS} multiply-adds, with more than one intra-op
 * thread) run as a 1×1 convolution over the rows in channels-last layout, which libtorch hands to oneDNN: the same
 * numbers up to fp32 rounding, no extra copies (input and output keep their row-major memory), but threaded by
 * libtorch's OpenMP pool, which waits passively, instead of OpenBLAS's, which spins and collapses when cores are
 * shared (see {@code dev.lathe.torch.Blas}). Small products stay on single-threaded OpenBLAS, which is faster there.
 */
public class Linear extends Layer {
  public final long in;
  public final long out;
  private final Tensor weight;
  private final Tensor bias;   // null when the layer has none
  private LinearAdapter adapter;
  private Joint joint;   // the weights joined with the layers this one runs beside (forwardShared), if any

  public Linear(long in, long out, boolean bias, TensorOptions options) {
    this(in, out, bias, Params.allocate(options));
  }

  /** A layer whose tensors come from {@code params} (e.g. {@link Params#deferred} placeholders a loader fills). */
  public Linear(long in, long out, boolean bias, Params params) {
    super("Linear");
    this.in = in;
    this.out = out;
    this.weight = Params.register(this, "weight", params, out, in);   // keep our handle, never the returned reference
    this.bias = bias ? Params.register(this, "bias", params, out) : null;
  }

  /**
   * Multiply-adds (rows·in·out) from which a CPU fp32 product goes through oneDNN. Measured on 2 threads with the
   * Z-Image bench's "small" step (Linears of 23 M to 61 M multiply-adds): 2^20 and 2^22 gave 215 to 260 ms, 2^24 about
   * the same, 2^27 (which leaves them all on OpenBLAS) 246 to 249 ms. {@code -Dlathe.onednn.minMacs=N} overrides it,
   * for measuring the crossover on another machine.
   */
  public static final long ONEDNN_MIN_MACS = Long.getLong("lathe.onednn.minMacs", 1L << 22);
  private static final long[] ONES = {1, 1};
  private static final long[] ZEROS = {0, 0};

  public Tensor forward(Tensor x) {
    Tensor y = product(x, weight, bias);
    return adapter == null ? y : adapter.addTo(y, x);
  }

  /**
   * Several layers that read the same input (attention's q, k, v; a gated FFN's two inputs) in one pass: one matmul
   * with their weights stacked, and, when every adapter is a low-rank product that allows it, one matmul for all
   * their down-projections. The same results as calling each layer's {@link #forward}, up to fp32 rounding, with
   * fewer and larger matmuls forward and backward (the input's gradient also comes out of one matmul).
   *
   * @param layers at least one, all with the same input width and all with or all without bias
   * @return each layer's output, in order
   */
  public static Tensor[] forwardShared(Tensor x, Linear... layers) {
    long in = layers[0].in;
    boolean biased = layers[0].bias != null;
    long[] outs = new long[layers.length];
    for (int i = 0; i < layers.length; i++) {
      Linear l = layers[i];
      if (l.in != in || (l.bias != null) != biased) throw new IllegalArgumentException("forwardShared needs layers of one input width, all with or all without bias");
      outs[i] = l.out;
    }
    Tensor[] wb = Joint.of(layers).weightAndBias();                                           // [Σout, in], [Σout]
    Tensor all = product(x, wb[0], wb[1]);                                                    // [..., Σout]
    TensorVector parts = torch.split_with_sizes(all, outs, -1);
    Tensor[] ys = new Tensor[layers.length];
    for (int i = 0; i < layers.length; i++) ys[i] = parts.get(i);

    // adapters: their down-projections in one matmul when each allows it, else one by one
    TensorVector downs = new TensorVector();
    long[] ranks = new long[layers.length];
    boolean shared = true;
    for (int i = 0; i < layers.length && shared; i++) {
      LinearAdapter a = layers[i].adapter;
      Tensor d = a == null ? null : a.downProjection(x);
      if (d == null) shared = false;
      else {
        downs.push_back(d);
        ranks[i] = d.size(0);
      }
    }
    if (shared && layers.length > 1) {
      TensorVector low = torch.split_with_sizes(torch.linear(x, torch.cat(downs, 0)), ranks, -1);   // [..., Σr] → each [..., r_i]
      for (int i = 0; i < layers.length; i++) ys[i] = layers[i].adapter.addUp(ys[i], low.get(i));
    } else {
      for (int i = 0; i < layers.length; i++) if (layers[i].adapter != null) ys[i] = layers[i].adapter.addTo(ys[i], x);
    }
    return ys;
  }

  private static volatile boolean joinWeights = !"false".equalsIgnoreCase(System.getProperty("lathe.joinWeights"));

  /**
   * Whether {@link #forwardShared} keeps the layers' weights joined ({@code -Dlathe.joinWeights=false}: copy them
   * into a new tensor every call, as before); returns the previous setting.
   */
  public static boolean setJoinWeights(boolean on) {
    boolean before = joinWeights;
    joinWeights = on;
    return before;
  }

  /**
   * The weights (and biases) of layers that run together through {@link #forwardShared}, stored as consecutive rows
   * of one tensor [Σout, in]: a call reads them in place as one matrix instead of copying them into a new tensor
   * (on the small bench that copy cost 2.5 to 6 % of a training step, more with the token split, where each part
   * made its own). The layers are re-pointed at their rows with {@code set_data}, as {@link dev.lathe.train.AdamW}
   * does with adapter factors: no memory is added, and nothing here holds the storage (the layers' own views do, so
   * {@link Modules#free} still frees it). A loader that later replaces a layer's data undoes the joining; the address
   * check notices and joins them again. Trainable layers are never joined: their gradients must reach them.
   */
  private static final class Joint {
    private final Linear[] layers;

    private Joint(Linear[] layers) {
      this.layers = layers.clone();
    }

    /** The joint of exactly these layers, in this order: remembered on the first of them. */
    static Joint of(Linear[] layers) {
      Linear first = layers[0];
      synchronized (first) {
        Joint j = first.joint;
        if (j == null || !java.util.Arrays.equals(j.layers, layers)) first.joint = j = new Joint(layers);
        return j;
      }
    }

    /** {weight [Σout, in], bias [Σout] or null}: views of the layers' joined storage, joined first if they moved. */
    synchronized Tensor[] weightAndBias() {
      boolean trainable = false;
      for (Linear l : layers) trainable |= l.weight.requires_grad() || (l.bias != null && l.bias.requires_grad());
      boolean biased = layers[0].bias != null;
      if (trainable || !joinWeights) return new Tensor[] {cat(false), biased ? cat(true) : null};
      if (!consecutive(false) || (biased && !consecutive(true))) join();
      long rows = 0;
      for (Linear l : layers) rows += l.out;
      Tensor w = layers[0].weight.as_strided(new long[] {rows, layers[0].in}, layers[0].in, 1);
      return new Tensor[] {w, biased ? layers[0].bias.as_strided(new long[] {rows}, 1) : null};
    }

    /** Whether the layers' weights (or biases) are contiguous and follow each other in one storage. */
    private boolean consecutive(boolean biases) {
      Tensor first = biases ? layers[0].bias : layers[0].weight;
      long size = first.element_size(), at = dev.lathe.torch.Tensors.address(first);
      long storage = at - first.storage_offset() * size;   // where first's storage starts
      for (Linear l : layers) {
        Tensor t = biases ? l.bias : l.weight;
        long address = dev.lathe.torch.Tensors.address(t);
        if (address != at || address - t.storage_offset() * size != storage || !t.is_contiguous() || t.scalar_type() != first.scalar_type()) return false;
        at += t.numel() * size;
      }
      return true;
    }

    /** Copies the layers' data into one new tensor and points each layer at its rows of it. */
    private void join() {
      try (NoGradGuard g = new NoGradGuard()) {
        boolean biased = layers[0].bias != null;
        Tensor w = cat(false), b = biased ? cat(true) : null;
        long at = 0;
        for (Linear l : layers) {
          l.weight.set_data(w.narrow(0, at, l.out));
          if (b != null) l.bias.set_data(b.narrow(0, at, l.out));
          at += l.out;
        }
      }
    }

    private Tensor cat(boolean biases) {
      TensorVector v = new TensorVector();
      for (Linear l : layers) v.push_back(biases ? l.bias : l.weight);
      return torch.cat(v, 0);
    }
  }

  /** x·wᵀ + b: through oneDNN for large CPU fp32 products (see the class comment), else libtorch's linear. */
  private static Tensor product(Tensor x, Tensor w, Tensor b) {
    long in = w.size(1), out = w.size(0);
    long rows = x.numel() / Math.max(1, in);
    boolean oneDnn = rows * in * out >= ONEDNN_MIN_MACS && x.is_cpu() && torch.get_num_threads() > 1
        && x.scalar_type().intern() == ScalarType.Float && w.scalar_type().intern() == ScalarType.Float;
    if (!oneDnn) return b == null ? torch.linear(x, w) : torch.linear(x, w, new TensorOptional(b));
    // x [..., in] as the pixels of a [1, in, 1, rows] channels-last image, w as [out, in, 1, 1] kernels
    long[] shape = x.sizes().vec().get();
    Tensor image = x.reshape(rows, in).view(1, 1, rows, in).permute(0, 3, 1, 2);     // NHWC memory: x's own rows
    Tensor y = torch.conv2d(image, w.view(out, in, 1, 1), b == null ? new TensorOptional() : new TensorOptional(b), ONES, ZEROS, ONES, 1);
    shape[shape.length - 1] = out;
    return y.permute(0, 2, 3, 1).reshape(shape);                                         // a view: [rows, out] row-major
  }

  public Tensor weight() {
    return weight;
  }

  /** The bias, or null. */
  public Tensor bias() {
    return bias;
  }

  public boolean hasBias() {
    return bias != null;
  }

  /** The attached adapter, or null. */
  public LinearAdapter adapter() {
    return adapter;
  }

  /** Attaches (or with null, detaches) the adapter whose output is added to this layer's. */
  public void setAdapter(LinearAdapter adapter) {
    this.adapter = adapter;
  }
}
