package dev.lathe.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * AdamW with decoupled weight decay (Loshchilov & Hutter), fp32 moments:
 * p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr·m̂ / (√v̂ + ε) with bias-corrected m̂, v̂.
 *
 * <p>When every parameter is a dense fp32 tensor on one device (adapters always are), the parameters, both moments
 * and the gradients live in one flat buffer each and the update is a handful of ops over all of them, instead of a
 * handful per tensor (an adapter set has hundreds of small tensors). The parameters are re-pointed ({@code set_data})
 * at views of the flat buffer, so they keep their identity; the arithmetic per element is the same either way.
 */
final class AdamW implements Optimizer {
  private final Map<String, Tensor> params;
  private final double b1;
  private final double b2;
  private final double eps;
  private final double wd;
  private final OptimizerState st = new OptimizerState();
  private final Flat flat;   // null: the per-tensor path

  AdamW(Map<String, Tensor> params, double b1, double b2, double eps, double wd) {
    this.params = params;
    this.b1 = b1;
    this.b2 = b2;
    this.eps = eps;
    this.wd = wd;
    this.flat = Flat.fits(params) ? new Flat(params, st) : null;
    if (flat == null) {
      for (Map.Entry<String, Tensor> e : params.entrySet()) {
        long[] shape = e.getValue().sizes().vec().get();
        st.zeros(e.getKey() + ".exp_avg", shape, ScalarType.Float, e.getValue());
        st.zeros(e.getKey() + ".exp_avg_sq", shape, ScalarType.Float, e.getValue());
      }
    }
  }

  @Override
  public void step(double lr) {
    st.step++;
    double bc1 = 1 - Math.pow(b1, st.step);
    double bc2 = 1 - Math.pow(b2, st.step);
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Scalar decay = new Scalar(1 - lr * wd);
      Scalar oneMinusB1 = new Scalar(1 - b1);
      Scalar oneMinusB2 = new Scalar(1 - b2);
      Scalar sb1 = new Scalar(b1);
      Scalar sb2 = new Scalar(b2);
      Scalar stepSize = new Scalar(-lr / bc1);
      Scalar sqrtBc2 = new Scalar(Math.sqrt(bc2));
      Scalar epsS = new Scalar(eps);
      Tensor grad = flat == null ? null : flat.gradients();
      if (grad != null) {
        flat.relink();
        update(flat.p, grad, flat.m, flat.v, decay, sb1, oneMinusB1, sb2, oneMinusB2, sqrtBc2, epsS, stepSize);
        return;
      }
      for (Map.Entry<String, Tensor> e : params.entrySet()) {
        Tensor p = e.getValue();
        Tensor gp = p.grad();
        if (gp == null || !gp.defined()) continue;
        update(p, gp, st.buffers.get(e.getKey() + ".exp_avg"), st.buffers.get(e.getKey() + ".exp_avg_sq"), decay, sb1, oneMinusB1, sb2,
            oneMinusB2, sqrtBc2, epsS, stepSize);
      }
    }
  }

  private void update(Tensor p, Tensor grad, Tensor m, Tensor v, Scalar decay, Scalar sb1, Scalar oneMinusB1, Scalar sb2,
      Scalar oneMinusB2, Scalar sqrtBc2, Scalar epsS, Scalar stepSize) {
    if (wd != 0) p.mul_(decay);
    m.mul_(sb1).add_(grad, oneMinusB1);
    v.mul_(sb2).addcmul_(grad, grad, oneMinusB2);
    Tensor denom = v.sqrt();
    denom.div_(sqrtBc2).add_(epsS);
    p.addcdiv_(m, denom, stepSize);
  }

  @Override
  public Map<String, Tensor> state() {
    return st.export();
  }

  @Override
  public void loadState(Map<String, Tensor> state) {
    st.restore(state);
  }

  @Override
  public long stateBytes() {
    return st.bytes();
  }

  /** Parameters, moments and gradients as flat fp32 buffers; each parameter and state entry is a view into them. */
  private static final class Flat {
    final List<Tensor> list = new ArrayList<>();
    final long[] offsets;
    final Tensor p;
    final Tensor m;
    final Tensor v;

    static boolean fits(Map<String, Tensor> params) {
      if (params.isEmpty()) return false;
      String device = null;
      for (Tensor t : params.values()) {
        if (t.scalar_type().intern() != ScalarType.Float || !t.is_contiguous() || t.is_sparse()) return false;
        String d = t.device().str().getString();
        if (device != null && !device.equals(d)) return false;
        device = d;
      }
      return true;
    }

    Flat(Map<String, Tensor> params, OptimizerState st) {
      list.addAll(params.values());
      offsets = new long[list.size() + 1];
      for (int i = 0; i < list.size(); i++) offsets[i + 1] = offsets[i] + list.get(i).numel();
      TensorOptions opts = new TensorOptions(ScalarType.Float).device(new org.bytedeco.pytorch.DeviceOptional(list.get(0).device()));
      try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
        p = keep(torch.empty(new long[] {offsets[list.size()]}, opts, new MemoryFormatOptional()));
        m = keep(torch.zeros(new long[] {offsets[list.size()]}, opts));
        v = keep(torch.zeros(new long[] {offsets[list.size()]}, opts));
        link(true);
        int i = 0;
        for (String name : params.keySet()) {
          long[] shape = list.get(i).sizes().vec().get();
          st.buffers.put(name + ".exp_avg", keep(slice(m, i, shape)));
          st.buffers.put(name + ".exp_avg_sq", keep(slice(v, i, shape)));
          i++;
        }
      }
    }

    private static Tensor keep(Tensor t) {
      t.retainReference();
      return t;
    }

    private Tensor slice(Tensor flat, int i, long[] shape) {
      return flat.narrow(0, offsets[i], offsets[i + 1] - offsets[i]).view(shape);
    }

    /** Points every parameter at its slice of {@code p}; copies the current values in first. */
    private void link(boolean copy) {
      for (int i = 0; i < list.size(); i++) {
        Tensor t = list.get(i);
        Tensor view = slice(p, i, t.sizes().vec().get());
        if (copy) view.copy_(t);
        t.set_data(view);
      }
    }

    /** Re-links parameters that something re-pointed since (their current values win). */
    void relink() {
      long base = dev.lathe.torch.Tensors.address(p);
      for (int i = 0; i < list.size(); i++) {
        if (dev.lathe.torch.Tensors.address(list.get(i)) != base + offsets[i] * 4) {
          link(true);
          return;
        }
      }
    }

    /** All gradients as one flat tensor, or null when some parameter has none (then the per-tensor path skips it). */
    Tensor gradients() {
      TensorVector gs = new TensorVector();
      for (Tensor t : list) {
        Tensor g = t.grad();
        if (g == null || !g.defined()) return null;
        gs.push_back(g.reshape(-1));
      }
      return torch.cat(gs, 0);
    }
  }
}
