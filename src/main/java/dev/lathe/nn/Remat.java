package dev.lathe.nn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AutoGradMode;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRefOptional;
import org.bytedeco.pytorch.TensorBase;
import org.bytedeco.pytorch.TensorTensorHook;
import org.bytedeco.pytorch.global.torch;

/**
 * How a model runs its repeated blocks: {@link #none()} keeps every activation for backward; {@link #checkpoint()}
 * keeps only each block's inputs and recomputes the block during backward (activation checkpointing). A model picks
 * the strategy once and runs every block through {@link #run}; the caller trains with a plain {@code loss.backward()}
 * either way, and gets the same gradients.
 *
 * <p>How the checkpoint works without custom autograd functions (the presets map none): the block runs under no-grad
 * and its output is re-attached to the graph as {@code out + (x − x.detach())}, which is numerically {@code out} but
 * routes the gradient to x. A hook on that sum receives ∂L/∂out, recomputes the block from the saved input with grad
 * on, and back-propagates through it (parameter and adapter gradients accumulate as usual); hooks on the
 * {@code x − x.detach()} terms then hand ∂L/∂x back to the outer graph in place of the identity gradient.
 *
 * <p>Because the block runs again during backward, whatever it reads (weights, adapter settings such as an enabled
 * flag or a multiplier) must be the same at backward as at forward.
 *
 * <p>The same hooks carry {@link Tokenwise} blocks split between threads ({@link #of}, {@link TokenSplit}): their
 * parts' graphs live outside the caller's graph, and the output hook walks them back, in parallel, when ∂L/∂out
 * arrives (after recomputing them when checkpointing too).
 */
public abstract class Remat {
  /** A block as a function of the inputs gradients may flow through; other arguments are captured. */
  @FunctionalInterface
  public interface Segment {
    Tensor apply(Tensor[] inputs);
  }

  /**
   * Runs {@code f} on {@code inputs}.
   *
   * @param trainable whether anything inside the segment needs gradients (parameters or adapters); asked only when
   *     checkpointing with grad enabled
   * @param inputs tensors gradients may flow back to (e.g. the hidden state and the conditioning)
   */
  public abstract Tensor run(java.util.function.BooleanSupplier trainable, Segment f, Tensor... inputs);

  /**
   * Runs a {@link Tokenwise} block on x [B, T, D] and {@code shared} (may be null): split between threads where
   * this strategy splits and {@link TokenSplit#parts} allows, else as one segment.
   */
  public Tensor run(java.util.function.BooleanSupplier trainable, Tokenwise blk, Tensor x, Tensor shared) {
    Tensor[] inputs = shared == null ? new Tensor[] {x} : new Tensor[] {x, shared};
    return run(trainable, in -> Tokenwise.whole(blk, in[0], in.length > 1 ? in[1] : null), inputs);
  }

  /**
   * Marks the start of a model forward pass (checkpointing uses it to expire graphs that were never backpropagated:
   * a graph survives the next two grad-enabled passes and is released at the start of the one after).
   */
  public void newPass() {}

  public abstract boolean checkpoints();

  /** Whether {@link Tokenwise} blocks may run split between threads ({@link TokenSplit#parts} decides per call). */
  public boolean splits() {
    return false;
  }

  /** Plain execution: autograd stores what backward needs. */
  public static Remat none() {
    return NONE;
  }

  /** Activation checkpointing per segment. */
  public static Remat checkpoint() {
    return new Hooked(true, false);
  }

  /**
   * {@link #none()} or {@link #checkpoint()}, optionally with {@link Tokenwise} blocks split between threads
   * ({@link TokenSplit}) where they allow it.
   */
  public static Remat of(boolean checkpoint, boolean split) {
    return !checkpoint && !split ? NONE : new Hooked(checkpoint, split);
  }

  private static final Remat NONE = new Remat() {
    @Override
    public Tensor run(java.util.function.BooleanSupplier trainable, Segment f, Tensor... inputs) {
      return f.apply(inputs);
    }

    @Override
    public boolean checkpoints() {
      return false;
    }
  };

  /**
   * The strategies whose blocks run outside the caller's graph and are re-attached to it by hooks: checkpointing
   * (the block runs without a graph and again at backward) and the token split (the parts' graphs are kept, and
   * their backward runs when the hook fires).
   */
  private static final class Hooked extends Remat {
    /**
     * Graphs older than this many passes are released even if backward never ran through them. A training step
     * runs up to three grad-enabled passes before its one backward: the main prediction, DOP's class prompt and the
     * blank prompt (preservation).
     */
    private static final int LIVE_PASSES = 3;
    private static final int GRAVEYARD = 10_000;

    private final boolean checkpoint;
    private final boolean split;
    private long pass;
    private final List<Pending> live = new ArrayList<>();
    // expired hooks stay reachable: a native graph may still hold their callbacks
    private final Deque<Pending> graveyard = new ArrayDeque<>();
    // gradients handed to libtorch by hooks; it copies them on return, we release the handles on the next hook
    private final ConcurrentLinkedQueue<Tensor> handedOut = new ConcurrentLinkedQueue<>();

    Hooked(boolean checkpoint, boolean split) {
      this.checkpoint = checkpoint;
      this.split = split;
    }

    @Override
    public boolean checkpoints() {
      return checkpoint;
    }

    @Override
    public boolean splits() {
      return split;
    }

    @Override
    public synchronized void newPass() {
      if (!GradMode.is_enabled()) return;   // no-grad passes (previews, a DOP prior) build no graph: they do not count
      pass++;
      drainHandedOut();
      live.removeIf(p -> {
        if (p.done() || pass - p.pass < LIVE_PASSES) return p.done();
        p.expire();
        graveyard.addLast(p);
        if (graveyard.size() > GRAVEYARD) graveyard.removeFirst();
        return true;
      });
    }

    @Override
    public Tensor run(java.util.function.BooleanSupplier trainable, Segment f, Tensor... inputs) {
      if (!checkpoint || !GradMode.is_enabled()) return f.apply(inputs);
      boolean[] needs = needs(inputs);
      if (!any(needs) && !trainable.getAsBoolean()) return f.apply(inputs);

      Tensor out;
      try (NoGradGuard g = new NoGradGuard()) {
        out = f.apply(inputs);
      }
      return attach(out, inputs, needs, new RecomputeWhole(f, inputs, needs));
    }

    @Override
    public Tensor run(java.util.function.BooleanSupplier trainable, Tokenwise blk, Tensor x, Tensor shared) {
      int n = split ? TokenSplit.parts(blk, x) : 1;
      if (n < 2) return super.run(trainable, blk, x, shared);
      Tensor[] inputs = shared == null ? new Tensor[] {x} : new Tensor[] {x, shared};
      if (!GradMode.is_enabled()) return TokenSplit.forward(blk, x, shared, n);
      boolean[] needs = needs(inputs);
      if (!any(needs) && !trainable.getAsBoolean()) return TokenSplit.forward(blk, x, shared, n);
      if (checkpoint) return attach(TokenSplit.forward(blk, x, shared, n), inputs, needs, new RecomputeSplit(blk, n, inputs, needs));
      boolean needShared = shared != null && needs[1];
      TokenSplit.Graph g = TokenSplit.forwardGraph(blk, x, shared, n, needs[0], needShared);
      return attach(g.output(), inputs, needs, new Deferred() {
        @Override
        Tensor[] backward(Tensor gradOut) {
          return g.backward(gradOut);
        }

        @Override
        void release() {
          g.release();
        }
      });
    }

    private static boolean[] needs(Tensor[] inputs) {
      boolean[] needs = new boolean[inputs.length];
      for (int i = 0; i < inputs.length; i++) needs[i] = inputs[i].requires_grad();
      return needs;
    }

    private static boolean any(boolean[] b) {
      for (boolean x : b) if (x) return true;
      return false;
    }

    /**
     * {@code out} (computed outside the graph) re-attached as {@code out + (x − x.detach())} per input that needs
     * a gradient, with the hooks that run {@code later} when ∂L/∂out arrives and hand its input gradients back.
     */
    private Tensor attach(Tensor out, Tensor[] inputs, boolean[] needs, Deferred later) {
      Pending p = new Pending(this, pass, later, needs);
      Tensor result = out;
      for (int i = 0; i < inputs.length; i++) {
        if (!needs[i]) continue;
        Tensor carrier = inputs[i].sub(inputs[i].detach());   // exactly 0, gradient identity to inputs[i]
        carrier.register_hook(p.inputHook(i));
        result = result.add(sameShape(carrier, out) ? carrier : carrier.sum());
      }
      if (!any(needs)) {   // nothing upstream needs grad, but the block's own parameters do: hang it on a scalar leaf
        Tensor anchor = torch.zeros(new long[] {}, new org.bytedeco.pytorch.TensorOptions(out.scalar_type())
            .device(new org.bytedeco.pytorch.DeviceOptional(out.device()))).requires_grad_(true);
        result = result.add(anchor.mul(new org.bytedeco.pytorch.Scalar(0.0)));
      }
      result.register_hook(p.outputHook());
      synchronized (this) {
        live.add(p);
      }
      return result;
    }

    private static boolean sameShape(Tensor a, Tensor b) {
      return java.util.Arrays.equals(a.sizes().vec().get(), b.sizes().vec().get());
    }

    void handOut(Tensor t) {
      drainHandedOut();
      handedOut.add(t);
    }

    private void drainHandedOut() {
      Tensor t;
      while ((t = handedOut.poll()) != null) t.close();
    }
  }

  /** What a hooked block does when ∂L/∂out arrives: its input gradients (null where not needed). */
  private abstract static class Deferred {
    abstract Tensor[] backward(Tensor gradOut);

    /** Frees what was kept for the backward (after it ran, or when the graph expired). */
    void release() {}
  }

  /** Checkpointing: the block runs again from its saved inputs, with a graph, and is back-propagated at once. */
  private abstract static class Recompute extends Deferred {
    final boolean[] needs;
    Tensor[] saved;   // detached inputs, retained until the recompute

    Recompute(Tensor[] inputs, boolean[] needs) {
      this.needs = needs;
      this.saved = new Tensor[inputs.length];
      for (int i = 0; i < inputs.length; i++) {
        saved[i] = inputs[i].detach();
        saved[i].retainReference();   // survives the caller's PointerScope until backward
      }
    }

    @Override
    void release() {
      if (saved == null) return;
      for (Tensor t : saved) t.releaseReference();
      saved = null;
    }
  }

  /** A segment recomputed in one piece. */
  private static final class RecomputeWhole extends Recompute {
    private final Segment f;

    RecomputeWhole(Segment f, Tensor[] inputs, boolean[] needs) {
      super(inputs, needs);
      this.f = f;
    }

    @Override
    Tensor[] backward(Tensor gradOut) {
      Tensor[] leaves = new Tensor[saved.length];
      for (int i = 0; i < saved.length; i++) leaves[i] = needs[i] ? saved[i].detach().requires_grad_(true) : saved[i];
      Tensor y = f.apply(leaves);
      y.backward(gradOut, new BoolOptional(), false, new TensorArrayRefOptional());
      Tensor[] grads = new Tensor[saved.length];
      for (int i = 0; i < saved.length; i++) if (needs[i]) grads[i] = leaves[i].grad();
      return grads;
    }
  }

  /** A {@link Tokenwise} block recomputed in the same {@code n} parts as its forward, then walked back in parallel. */
  private static final class RecomputeSplit extends Recompute {
    private final Tokenwise blk;
    private final int n;

    RecomputeSplit(Tokenwise blk, int n, Tensor[] inputs, boolean[] needs) {
      super(inputs, needs);
      this.blk = blk;
      this.n = n;
    }

    @Override
    Tensor[] backward(Tensor gradOut) {
      boolean shared = saved.length > 1;
      TokenSplit.Graph g = TokenSplit.forwardGraph(blk, saved[0], shared ? saved[1] : null, n, needs[0], shared && needs[1]);
      try {
        return g.backward(gradOut);
      } finally {
        g.release();
      }
    }
  }

  /** One hooked call waiting for its backward. */
  private static final class Pending {
    private final Hooked owner;
    private final long pass;
    private final Deferred later;
    private Tensor[] grads;          // ∂L/∂input from the backward, handed out by the input hooks
    private int outstanding;         // hooks that have not fired yet
    private boolean expired;
    private boolean released;
    private boolean ran;
    private final List<TensorTensorHook> hooks = new ArrayList<>();

    Pending(Hooked owner, long pass, Deferred later, boolean[] needs) {
      this.owner = owner;
      this.pass = pass;
      this.later = later;
      this.grads = new Tensor[needs.length];
    }

    TensorTensorHook outputHook() {
      TensorTensorHook h = new TensorTensorHook() {
        @Override
        public TensorBase call(TensorBase gradOut) {
          try (PointerScope scope = new PointerScope()) {   // hooks may run on libtorch's own threads: no outer scope
            runBackward(new Tensor(gradOut));
          }
          fired();
          return gradOut;
        }
      };
      hooks.add(h);
      outstanding++;
      return h;
    }

    TensorTensorHook inputHook(int i) {
      TensorTensorHook h = new TensorTensorHook() {
        @Override
        public TensorBase call(TensorBase incoming) {
          Tensor g;
          synchronized (Pending.this) {
            if (!ran) throw new IllegalStateException("hooked block: input gradient requested before its backward ran");
            g = grads[i];
            grads[i] = null;
          }
          if (g == null) g = torch.zeros_like(new Tensor(incoming));   // the block's output does not depend on this input
          fired();
          owner.handOut(g);
          return g;
        }
      };
      hooks.add(h);
      outstanding++;
      return h;
    }

    private synchronized void runBackward(Tensor gradOut) {
      if (expired) throw new IllegalStateException("backward through a block graph that expired: "
          + "with gradient checkpointing or the token split, backpropagate each forward pass before running three more");
      try (PointerScope scope = new PointerScope(); AutoGradMode on = new AutoGradMode(true)) {
        Tensor[] got = later.backward(gradOut);
        ran = true;
        for (int i = 0; i < grads.length; i++) {
          if (got[i] == null) continue;
          grads[i] = new Tensor(got[i]);   // our own handle: what backward returned may die with its scope
          grads[i].retainReference();      // detach() drops the scope's reference: keep ours until a hook hands it out
          scope.detach(grads[i]);
        }
      } finally {
        release();
      }
    }

    private synchronized void fired() {
      outstanding--;
    }

    synchronized boolean done() {
      return outstanding <= 0;
    }

    synchronized void expire() {
      expired = true;
      release();
      for (int i = 0; i < grads.length; i++) {
        if (grads[i] != null) grads[i].close();
        grads[i] = null;
      }
    }

    private void release() {
      if (released) return;
      released = true;
      later.release();
    }
  }
}
