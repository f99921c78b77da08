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
   * Marks the start of a model forward pass (checkpointing uses it to expire graphs that were never backpropagated:
   * a graph survives the next two grad-enabled passes and is released at the start of the one after).
   */
  public void newPass() {}

  public abstract boolean checkpoints();

  /** Plain execution: autograd stores what backward needs. */
  public static Remat none() {
    return NONE;
  }

  /** Activation checkpointing per segment. */
  public static Remat checkpoint() {
    return new Checkpoint();
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

  private static final class Checkpoint extends Remat {
    /**
     * Graphs older than this many passes are released even if backward never ran through them. A training step
     * runs up to three grad-enabled passes before its one backward: the main prediction, DOP's class prompt and the
     * blank prompt (preservation).
     */
    private static final int LIVE_PASSES = 3;
    private static final int GRAVEYARD = 10_000;

    private long pass;
    private final List<Pending> live = new ArrayList<>();
    // expired hooks stay reachable: a native graph may still hold their callbacks
    private final Deque<Pending> graveyard = new ArrayDeque<>();
    // gradients handed to libtorch by hooks; it copies them on return, we release the handles on the next hook
    private final ConcurrentLinkedQueue<Tensor> handedOut = new ConcurrentLinkedQueue<>();

    @Override
    public boolean checkpoints() {
      return true;
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
      if (!GradMode.is_enabled()) return f.apply(inputs);
      boolean[] needs = new boolean[inputs.length];
      boolean any = false;
      for (int i = 0; i < inputs.length; i++) any |= needs[i] = inputs[i].requires_grad();
      if (!any && !trainable.getAsBoolean()) return f.apply(inputs);

      Tensor out;
      try (NoGradGuard g = new NoGradGuard()) {
        out = f.apply(inputs);
      }
      Pending p = new Pending(this, pass, f, inputs, needs);
      Tensor result = out;
      for (int i = 0; i < inputs.length; i++) {
        if (!needs[i]) continue;
        Tensor carrier = inputs[i].sub(inputs[i].detach());   // exactly 0, gradient identity to inputs[i]
        carrier.register_hook(p.inputHook(i));
        result = result.add(sameShape(carrier, out) ? carrier : carrier.sum());
      }
      if (!any) {   // nothing upstream needs grad, but the block's own parameters do: hang it on a scalar leaf
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

  /** One checkpointed call waiting for its backward. */
  private static final class Pending {
    private final Checkpoint owner;
    private final long pass;
    private final Segment f;
    private final boolean[] needs;
    private Tensor[] saved;          // detached inputs, retained until the recompute
    private Tensor[] grads;          // ∂L/∂input from the recompute, handed out by the input hooks
    private int outstanding;         // hooks that have not fired yet
    private boolean expired;
    private final List<TensorTensorHook> hooks = new ArrayList<>();

    Pending(Checkpoint owner, long pass, Segment f, Tensor[] inputs, boolean[] needs) {
      this.owner = owner;
      this.pass = pass;
      this.f = f;
      this.needs = needs;
      this.saved = new Tensor[inputs.length];
      for (int i = 0; i < inputs.length; i++) {
        saved[i] = inputs[i].detach();
        saved[i].retainReference();   // survives the caller's PointerScope until backward
      }
      this.grads = new Tensor[inputs.length];
    }

    TensorTensorHook outputHook() {
      TensorTensorHook h = new TensorTensorHook() {
        @Override
        public TensorBase call(TensorBase gradOut) {
          try (PointerScope scope = new PointerScope()) {   // hooks may run on libtorch's own threads: no outer scope
            recompute(new Tensor(gradOut));
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
            if (grads[i] == null) throw new IllegalStateException("checkpointed block: input gradient requested before the recompute ran");
            g = grads[i];
            grads[i] = null;
          }
          fired();
          owner.handOut(g);
          return g;
        }
      };
      hooks.add(h);
      outstanding++;
      return h;
    }

    private synchronized void recompute(Tensor gradOut) {
      if (expired) throw new IllegalStateException("backward through a checkpointed graph that expired: "
          + "with gradient checkpointing, backpropagate each forward pass before running three more");
      try (PointerScope scope = new PointerScope(); AutoGradMode on = new AutoGradMode(true)) {
        Tensor[] leaves = new Tensor[saved.length];
        for (int i = 0; i < saved.length; i++) leaves[i] = needs[i] ? saved[i].detach().requires_grad_(true) : saved[i];
        Tensor y = f.apply(leaves);
        y.backward(gradOut, new BoolOptional(), false, new TensorArrayRefOptional());
        for (int i = 0; i < saved.length; i++) {
          if (!needs[i]) continue;
          grads[i] = new Tensor(leaves[i].grad());   // grad() is a reference into the leaf, which dies with this scope
          grads[i].retainReference();   // detach() drops the scope's reference: keep ours until a hook hands it out
          scope.detach(grads[i]);
        }
      }
      releaseSaved();
    }

    private synchronized void fired() {
      outstanding--;
    }

    synchronized boolean done() {
      return outstanding <= 0;
    }

    synchronized void expire() {
      expired = true;
      releaseSaved();
      for (int i = 0; i < grads.length; i++) {
        if (grads[i] != null) grads[i].close();
        grads[i] = null;
      }
    }

    private void releaseSaved() {
      if (saved == null) return;
      for (Tensor t : saved) t.releaseReference();
      saved = null;
    }
  }
}
