package dev.lathe.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AutoGradMode;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Runs a {@link Tokenwise} block on the CPU with its rows split between threads: each of n threads (the caller and
 * n − 1 workers) computes its own rows at one intra-op thread, and only the attention, where every part's queries
 * read every part's keys and values, joins them.
 *
 * <p>Why: at the token counts of small images, libtorch's per-op parallelism gains little on the CPU. Its OpenMP
 * threads wait passively, so each parallel kernel pays to wake them, and the backward pass runs on one thread. A
 * part per thread keeps every core busy with whole ops, forward and backward. The price: each part runs every op
 * and packs the weights for its own products, so the parts together do more work than one thread would, and a part
 * must be large enough to pay for that.
 *
 * <p>Gradients: each part's pieces (up to the attention, the attention, after it) are separate autograd graphs with
 * detached leaves at the cuts. {@link Graph#backward} walks them back part by part in parallel, sums the key and
 * value gradients over the parts, and returns the gradients of the block's inputs. The gradients of the block's own
 * trainable tensors are taken with {@code torch::autograd::grad} (no accumulation from several threads) and added to
 * their {@code .grad} in a fixed order, so a run is bit-for-bit repeatable.
 *
 * <p>The attention itself is divided by heads when the block allows it ({@link Tokenwise#attendsPerHead}) and
 * there is a key/value head per thread: each thread then attends with its group of heads over all rows, and the
 * parts swap rows for heads before it and heads for rows after it (copies, no sums). Otherwise each part's query rows
 * attend to every part's keys and values, and their key and value gradients are summed over the parts.
 *
 * <p>Off with {@code -Dlathe.split=false}; {@code -Dlathe.split.minElements=N} sets the fewest activation values
 * per part, {@code -Dlathe.split.heads=false} keeps the attention divided by rows.
 */
public final class TokenSplit {
  private static volatile boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("lathe.split"));
  /** Whether the attention may be divided by heads ({@link #byHeads}); {@code -Dlathe.split.heads=false} keeps it by rows. */
  private static volatile boolean HEADS = !"false".equalsIgnoreCase(System.getProperty("lathe.split.heads"));
  /**
   * The fewest activation values (batch · rows · width) a part may have: libtorch's own grain for parallel loops.
   * Below it, each part's share of the work is smaller than what the split adds (every op runs once per part): the
   * tiny bench model (2 × 128 × 64) ran 1.3× slower split than whole.
   */
  private static volatile long minElements = Math.max(1, Long.getLong("lathe.split.minElements", 32_768));

  private static final java.util.concurrent.atomic.AtomicLong SPLITS = new java.util.concurrent.atomic.AtomicLong();
  private static final java.util.concurrent.atomic.AtomicLong HEAD_SPLITS = new java.util.concurrent.atomic.AtomicLong();
  private static final Object POOL_LOCK = new Object();
  private static ExecutorService pool;
  private static int poolSize;

  private TokenSplit() {}

  /**
   * Into how many parts {@code blk} runs for x [B, T, D] on this thread: one per intra-op thread, as far as the size
   * allows (each part at least {@link #setMinElements} values); 1 (no split) off the CPU, with one thread, for a
   * stochastic block, or one whose trainable tensors are unknown.
   */
  public static int parts(Tokenwise blk, Tensor x) {
    if (!ENABLED || !x.is_cpu() || x.dim() != 3) return 1;
    long n = Math.min(Math.min(torch.get_num_threads(), x.size(1)), x.numel() / minElements);
    if (n < 2 || blk.stochastic() || blk.trainables() == null) return 1;
    return (int) n;
  }

  /** Sets the fewest activation values per part (see {@code -Dlathe.split.minElements}); returns the previous value. */
  public static long setMinElements(long n) {
    long before = minElements;
    minElements = Math.max(1, n);
    return before;
  }

  /** How many times parts of a block have run on several threads (once per stage of a split pass): for tests. */
  public static long splitsSoFar() {
    return SPLITS.get();
  }

  /** How many split passes divided their attention by heads: for tests. */
  public static long headSplitsSoFar() {
    return HEAD_SPLITS.get();
  }

  /** Turns the split on or off (see {@code -Dlathe.split}); returns the previous setting. */
  public static boolean setEnabled(boolean on) {
    boolean before = ENABLED;
    ENABLED = on;
    return before;
  }

  /** Allows or forbids dividing the attention by heads (see {@code -Dlathe.split.heads}); returns the previous setting. */
  public static boolean setByHeads(boolean on) {
    boolean before = HEADS;
    HEADS = on;
    return before;
  }

  /** The block's output, computed in {@code n} parts without building a graph. */
  public static Tensor forward(Tokenwise blk, Tensor x, Tensor shared, int n) {
    Part[] ps = split(x, n);
    try (NoGradGuard ng = new NoGradGuard()) {
      run(ps, false, p -> {
        p.x = x.narrow(1, p.from, p.len);
        Tensor[] qkv = blk.toAttention(p.x, shared, p.from);
        p.q = qkv[0];
        p.k = qkv[1];
        p.v = qkv[2];
      });
      Tensor k = cat(ps, true), v = cat(ps, false);   // every part's queries read all keys and values: join them once
      if (byHeads(blk, k, n)) {
        Tensor q = cat(ps, p -> p.q);
        run(ps, false, p -> {
          Heads h = Heads.of(p.index, n, q.size(1), k.size(1));
          p.ag = blk.attend(q.narrow(1, h.q0, h.qn), k.narrow(1, h.k0, h.kn), v.narrow(1, h.k0, h.kn));
        });
        run(ps, false, p -> p.out = blk.fromAttention(p.x, rowsOf(ps, g -> g.ag, p), shared));
      } else {
        run(ps, false, p -> p.out = blk.fromAttention(p.x, blk.attend(p.q, k, v), shared));
      }
      return joined(ps);
    } finally {
      for (Part p : ps) p.close();
    }
  }

  /**
   * The block in {@code n} parts with their graphs kept for {@link Graph#backward}.
   *
   * @param needX whether x's gradient is wanted
   * @param needShared whether shared's gradient is wanted
   */
  public static Graph forwardGraph(Tokenwise blk, Tensor x, Tensor shared, int n, boolean needX, boolean needShared) {
    Graph g = new Graph(blk, split(x, n), shared != null);
    Part[] ps = g.parts;
    try {
      run(ps, true, p -> {
        p.x = x.narrow(1, p.from, p.len).detach().requires_grad_(needX);
        p.m = shared == null ? null : shared.detach().requires_grad_(needShared);
        Tensor[] qkv = blk.toAttention(p.x, p.m, p.from);
        p.q = qkv[0];
        p.k = qkv[1];
        p.v = qkv[2];
      });
      g.byHeads = byHeads(blk, ps[0].k, n);
      if (g.byHeads) {
        run(ps, true, p -> {   // the attention, each thread on a group of heads over all rows
          Heads h = Heads.of(p.index, n, ps[0].q.size(1), ps[0].k.size(1));
          p.qg = leaf(cat(ps, o -> o.q.narrow(1, h.q0, h.qn)), ps[0].q);
          p.kg = leaf(cat(ps, o -> o.k.narrow(1, h.k0, h.kn)), ps[0].k);
          p.vg = leaf(cat(ps, o -> o.v.narrow(1, h.k0, h.kn)), ps[0].v);
          p.ag = blk.attend(p.qg, p.kg, p.vg);
        });
        run(ps, true, p -> {   // back to rows: every group's heads for this part's rows
          p.al = leaf(rowsOf(ps, o -> o.ag, p), ps[0].ag);
          p.out = blk.fromAttention(p.x, p.al, p.m);
        });
        g.output = joined(ps);
        return g;
      }
      run(ps, true, p -> {
        p.ql = leaf(p.q);
        p.kl = new Tensor[ps.length];
        p.vl = new Tensor[ps.length];
        TensorVector ks = new TensorVector(), vs = new TensorVector();
        for (int o = 0; o < ps.length; o++) {
          ks.push_back(p.kl[o] = leaf(ps[o].k));
          vs.push_back(p.vl[o] = leaf(ps[o].v));
        }
        p.a = blk.attend(p.ql, torch.cat(ks, 2), torch.cat(vs, 2));
        p.al = leaf(p.a);
        p.out = blk.fromAttention(p.x, p.al, p.m);
      });
      g.output = joined(ps);
      return g;
    } catch (RuntimeException | Error e) {
      g.release();
      throw e;
    }
  }

  /** A split forward pass with its graphs, waiting for the gradient of its output. */
  public static final class Graph {
    private final Tokenwise blk;
    private final Part[] parts;
    private final boolean hasShared;
    private boolean byHeads;   // the attention ran by head groups (else by query rows)
    private Tensor output;

    private Graph(Tokenwise blk, Part[] parts, boolean hasShared) {
      this.blk = blk;
      this.parts = parts;
      this.hasShared = hasShared;
    }

    /** The block's output [B, T, D], detached (the caller attaches it to its own graph). */
    public Tensor output() {
      return output;
    }

    /**
     * Back-propagates ∂L/∂output through every part; adds the gradients of the block's trainable tensors to their
     * {@code .grad}.
     *
     * @return {∂L/∂x or null, ∂L/∂shared or null}
     */
    public Tensor[] backward(Tensor gradOut) {
      List<Tensor> params = new ArrayList<>();
      for (Tensor t : blk.trainables()) if (t.requires_grad()) params.add(t);
      Part[] ps = parts;
      if (byHeads) {
        backwardByHeads(gradOut, params);
        return accumulate(params);
      }
      // after the attention, then the attention itself for this part's queries: ∂L/∂q, ∂L/∂k, ∂L/∂v of every part
      run(ps, true, p -> {
        Tensor ga = afterAttention(p, gradOut, params);
        if (ga == null) return;
        List<Tensor> at = new ArrayList<>();
        at.add(p.ql);
        for (Tensor t : p.kl) at.add(t);
        for (Tensor t : p.vl) at.add(t);
        p.gqkv = grad(p.a, ga, at);
      });
      // before the attention: each part's q, k, v gradients, k and v summed over the parts that read them
      run(ps, true, p -> {
        int n = ps.length;
        Tensor gk = null, gv = null;
        for (Part o : ps) {
          if (o.gqkv == null) continue;
          gk = plus(gk, o.gqkv[1 + p.index]);
          gv = plus(gv, o.gqkv[1 + n + p.index]);
        }
        beforeAttention(p, p.gqkv == null ? null : p.gqkv[0], gk, gv, params);
      });
      return accumulate(params);
    }

    /**
     * The backward when the attention ran by head groups: after the attention by rows, the attention by head
     * groups (each group's output gradient gathered from every part's rows), then before it by rows again (each
     * part's q, k, v gradients gathered from every group's heads). No sums: each row and head has one owner.
     */
    private void backwardByHeads(Tensor gradOut, List<Tensor> params) {
      Part[] ps = parts;
      run(ps, true, p -> p.ga = afterAttention(p, gradOut, params));
      run(ps, true, p -> {
        for (Part o : ps) if (o.ga == null) return;   // no gradient reached the attention
        Heads h = Heads.of(p.index, ps.length, ps[0].q.size(1), ps[0].k.size(1));
        p.gqkv = grad(p.ag, cat(ps, o -> o.ga.narrow(1, h.q0, h.qn)), List.of(p.qg, p.kg, p.vg));
      });
      run(ps, true, p -> {
        Tensor[] g = new Tensor[3];
        for (int i = 0; i < 3; i++) {
          final int which = i;
          boolean all = true;
          for (Part o : ps) all &= o.gqkv != null && o.gqkv[which] != null;
          if (all) g[i] = rowsOf(ps, o -> o.gqkv[which], p);
        }
        beforeAttention(p, g[0], g[1], g[2], params);
      });
    }

    /**
     * Back through the per-token work after the attention, from this part's rows of ∂L/∂output: sets the part's
     * ∂L/∂x, ∂L/∂shared and parameter gradients, and returns ∂L/∂(its attention output), or null where none.
     */
    private Tensor afterAttention(Part p, Tensor gradOut, List<Tensor> params) {
      int np = params.size();
      List<Tensor> in = new ArrayList<>();
      in.add(p.al);
      in.add(p.x);
      if (p.m != null) in.add(p.m);
      in.addAll(params);
      p.gp = new Tensor[np];
      if (!p.out.requires_grad()) return null;
      Tensor[] g = grad(p.out, gradOut.narrow(1, p.from, p.len), in);
      p.gx = g[1];
      p.gm = p.m != null ? g[2] : null;
      p.gp = java.util.Arrays.copyOfRange(g, in.size() - np, in.size());
      return g[0];
    }

    /** Back through the per-token work before the attention, from this part's q, k and v gradients (null: none). */
    private void beforeAttention(Part p, Tensor gq, Tensor gk, Tensor gv, List<Tensor> params) {
      int np = params.size();
      TensorVector outs = new TensorVector(), gs = new TensorVector();
      Tensor[] roots = {p.q, p.k, p.v};
      Tensor[] grads = {gq, gk, gv};
      for (int i = 0; i < 3; i++) {
        if (grads[i] == null || !roots[i].requires_grad()) continue;
        outs.push_back(roots[i]);
        gs.push_back(grads[i]);
      }
      if (outs.size() == 0) return;
      List<Tensor> in = new ArrayList<>();
      in.add(p.x);
      if (p.m != null) in.add(p.m);
      in.addAll(params);
      Tensor[] g = grad(outs, gs, in);
      p.gx = plus(p.gx, g[0]);
      if (p.m != null) p.gm = plus(p.gm, g[1]);
      for (int i = 0; i < np; i++) p.gp[i] = plus(p.gp[i], g[in.size() - np + i]);
    }

    /** Adds the parts' parameter gradients to {@code .grad} in a fixed order; returns {∂L/∂x or null, ∂L/∂shared or null}. */
    private Tensor[] accumulate(List<Tensor> params) {
      int np = params.size();
      Part[] ps = parts;
      // in a fixed order, whatever thread finished first
      try (NoGradGuard ng = new NoGradGuard()) {
        for (int i = 0; i < np; i++) {
          Tensor sum = null;
          for (Part p : ps) sum = plus(sum, p.gp[i]);
          if (sum == null) continue;
          Tensor t = params.get(i);
          Tensor have = t.grad();
          if (have != null && have.defined()) have.add_(sum);
          else t.mutable_grad().put(sum);
        }
        Tensor gx = null;
        if (ps[0].x.requires_grad()) {
          TensorVector v = new TensorVector();
          for (Part p : ps) v.push_back(p.gx != null ? p.gx : torch.zeros_like(p.x));
          gx = torch.cat(v, 1);
        }
        Tensor gm = null;
        if (hasShared && ps[0].m.requires_grad()) for (Part p : ps) gm = plus(gm, p.gm);
        return new Tensor[] {gx, gm};
      }
    }

    /** Frees every part's tensors and graphs. */
    public void release() {
      for (Part p : parts) p.close();
    }
  }

  // -------------------------------------------------------------------------------------------------------------

  /** One part's rows and what its threads computed for them; its tensors live in its own scopes. */
  private static final class Part {
    final int index;
    final long from, len;
    final List<PointerScope> scopes = new ArrayList<>();
    Tensor x, m, q, k, v, ql, a, al, out;
    Tensor[] kl, vl;
    Tensor qg, kg, vg, ag, ga;   // by heads: this thread's group of heads over all rows (ga: ∂L/∂al)
    Tensor gx, gm;
    Tensor[] gp, gqkv;

    Part(int index, long from, long len) {
      this.index = index;
      this.from = from;
      this.len = len;
    }

    synchronized void close() {
      for (PointerScope s : scopes) s.close();
      scopes.clear();
    }
  }

  private static Part[] split(Tensor x, int n) {
    long t = x.size(1);
    Part[] ps = new Part[n];
    for (int i = 0; i < n; i++) {
      long from = t * i / n, to = t * (i + 1) / n;
      ps[i] = new Part(i, from, to - from);
    }
    return ps;
  }

  /** k (or v) of every part, in row order, as one tensor [B, H, T, hd]. */
  private static Tensor cat(Part[] ps, boolean keys) {
    TensorVector v = new TensorVector();
    for (Part p : ps) v.push_back(keys ? p.k : p.v);
    return torch.cat(v, 2);
  }

  /** One tensor per part, joined along the rows (dim 2 of [B, H, t, hd]). */
  private static Tensor cat(Part[] ps, java.util.function.Function<Part, Tensor> of) {
    try (NoGradGuard ng = new NoGradGuard()) {
      TensorVector v = new TensorVector();
      for (Part p : ps) v.push_back(of.apply(p));
      return torch.cat(v, 2);
    }
  }

  /** Part {@code p}'s rows of every head group's tensor [B, h_g, T, hd], joined along the heads: [B, H, t, hd]. */
  private static Tensor rowsOf(Part[] ps, java.util.function.Function<Part, Tensor> of, Part p) {
    try (NoGradGuard ng = new NoGradGuard()) {
      TensorVector v = new TensorVector();
      for (Part g : ps) v.push_back(of.apply(g).narrow(2, p.from, p.len));
      return torch.cat(v, 1);
    }
  }

  /**
   * Whether the attention is divided by heads: when the block's attention is per head and there is a key/value head
   * for every part. A group of heads then covers all rows, so each thread runs the fused attention on the whole
   * sequence, which is faster than on a part's rows (libtorch's CPU kernel works in larger blocks of queries from 192
   * rows on, and reads the keys once per block).
   */
  private static boolean byHeads(Tokenwise blk, Tensor k, int n) {
    boolean yes = HEADS && blk.attendsPerHead() && k.size(1) >= n;
    if (yes) HEAD_SPLITS.incrementAndGet();
    return yes;
  }

  /** Thread g's heads out of n groups: key/value heads [k0, k0 + kn) and the query heads [q0, q0 + qn) that read them. */
  private record Heads(long q0, long qn, long k0, long kn) {
    static Heads of(int g, int n, long hq, long hkv) {
      long k0 = hkv * g / n, k1 = hkv * (g + 1) / n, r = hq / hkv;
      return new Heads(k0 * r, (k1 - k0) * r, k0, k1 - k0);
    }
  }

  private static Tensor joined(Part[] ps) {
    try (NoGradGuard ng = new NoGradGuard()) {
      TensorVector v = new TensorVector();
      for (Part p : ps) v.push_back(p.out);
      return torch.cat(v, 1);
    }
  }

  private static Tensor leaf(Tensor t) {
    return t.detach().requires_grad_(t.requires_grad());
  }

  /** {@code t} (a join made without a graph) as a leaf that wants a gradient when {@code like} does. */
  private static Tensor leaf(Tensor t, Tensor like) {
    return t.requires_grad_(like.requires_grad());
  }

  private static Tensor plus(Tensor a, Tensor b) {
    return a == null ? b : b == null ? a : a.add(b);
  }

  /** ∂root/∂inputs for the gradient {@code g} of {@code root}; null where an input is not reached. */
  private static Tensor[] grad(Tensor root, Tensor g, List<Tensor> inputs) {
    return grad(new TensorVector(root), new TensorVector(g), inputs);
  }

  private static Tensor[] grad(TensorVector roots, TensorVector gs, List<Tensor> inputs) {
    TensorVector in = new TensorVector();
    List<Integer> where = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      Tensor t = inputs.get(i);
      if (t != null && t.requires_grad()) {
        in.push_back(t);
        where.add(i);
      }
    }
    Tensor[] out = new Tensor[inputs.size()];
    if (in.size() == 0) return out;
    TensorVector r = torch.grad(roots, in, gs, new BoolOptional(false), false, true);
    for (int j = 0; j < where.size(); j++) {
      Tensor t = r.get(j);
      out[where.get(j)] = t.defined() ? t : null;
    }
    return out;
  }

  /**
   * {@code work} for every part at once: part 0 on this thread, the others on the workers, each at one intra-op
   * thread and in its own PointerScope (kept with the part), with grad mode {@code grad}. Waits for all of them
   * and rethrows the first failure.
   */
  private static void run(Part[] ps, boolean grad, Consumer<Part> work) {
    SPLITS.incrementAndGet();
    ExecutorService workers = workers(ps.length - 1);
    List<Future<?>> pending = new ArrayList<>();
    for (int i = 1; i < ps.length; i++) {
      Part p = ps[i];
      pending.add(workers.submit(() -> inScope(p, grad, work)));
    }
    Throwable failure = null;
    int threads = torch.get_num_threads();
    torch.set_num_threads(1);
    try {
      inScope(ps[0], grad, work);
    } catch (RuntimeException | Error e) {
      failure = e;
    } finally {
      torch.set_num_threads(threads);
    }
    for (Future<?> f : pending) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (failure == null) failure = e.getCause();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        if (failure == null) failure = e;
      }
    }
    if (failure instanceof RuntimeException re) throw re;
    if (failure instanceof Error er) throw er;
    if (failure != null) throw new IllegalStateException(failure);
  }

  private static void inScope(Part p, boolean grad, Consumer<Part> work) {
    PointerScope s = new PointerScope();
    try (AutoGradMode mode = new AutoGradMode(grad)) {
      work.accept(p);
      s.extend();   // the close below only leaves this thread; the part closes the scope when it is done
      synchronized (p) {
        p.scopes.add(s);
      }
    } finally {
      s.close();
    }
  }

  /** At least {@code n} worker threads, each at one intra-op thread. */
  private static ExecutorService workers(int n) {
    synchronized (POOL_LOCK) {
      if (pool == null || poolSize < n) {
        if (pool != null) pool.shutdown();
        int size = Math.max(n, java.lang.Runtime.getRuntime().availableProcessors() - 1);
        int restore = torch.get_num_threads();
        pool = Executors.newFixedThreadPool(size, r -> {
          Thread t = new Thread(() -> {
            torch.lazy_init_num_threads();   // before the count: a thread's first parallel op would reset it
            torch.set_num_threads(1);
            r.run();
          }, "lathe-split");
          t.setDaemon(true);
          return t;
        });
        poolSize = size;
        torch.set_num_threads(restore);
      }
      return pool;
    }
  }
}
