package dev.lathe.train;

import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Adafactor (Shazeer & Stern 2018) with an explicit learning rate, as the reference tool configures it: no
 * first moment, second moment factored into row and column means for matrices, β2_t = 1 − t^−0.8, ε1 = 1e-30,
 * update clipped to RMS 1, decoupled weight decay. State: O(rows + cols) per matrix.
 */
final class Adafactor implements Optimizer {
  private static final double EPS1 = 1e-30;
  private static final double CLIP = 1.0;
  private static final double DECAY = -0.8;

  private final Map<String, Tensor> params;
  private final double wd;
  private final OptimizerState st = new OptimizerState();

  Adafactor(Map<String, Tensor> params, double wd) {
    this.params = params;
    this.wd = wd;
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      long[] s = e.getValue().sizes().vec().get();
      if (s.length >= 2) {
        st.zeros(e.getKey() + ".exp_avg_sq_row", java.util.Arrays.copyOf(s, s.length - 1), ScalarType.Float, e.getValue());
        long[] col = java.util.Arrays.copyOf(s, s.length - 1);
        col[col.length - 1] = s[s.length - 1];
        st.zeros(e.getKey() + ".exp_avg_sq_col", col, ScalarType.Float, e.getValue());
      } else {
        st.zeros(e.getKey() + ".exp_avg_sq", s, ScalarType.Float, e.getValue());
      }
    }
  }

  @Override
  public void step(double lr) {
    st.step++;
    double beta2t = 1 - Math.pow(st.step, DECAY);
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Scalar b = new Scalar(beta2t);
      Scalar oneMinusB = new Scalar(1 - beta2t);
      for (Map.Entry<String, Tensor> e : params.entrySet()) {
        Tensor p = e.getValue();
        Tensor grad = p.grad();
        if (grad == null || !grad.defined()) continue;
        Tensor g2 = grad.square().add(new Scalar(EPS1));
        Tensor update;
        if (p.dim() >= 2) {
          Tensor row = st.buffers.get(e.getKey() + ".exp_avg_sq_row");
          Tensor col = st.buffers.get(e.getKey() + ".exp_avg_sq_col");
          row.mul_(b).add_(g2.mean(new long[] {-1}, false, new ScalarTypeOptional()), oneMinusB);
          col.mul_(b).add_(g2.mean(new long[] {-2}, false, new ScalarTypeOptional()), oneMinusB);
          Tensor rFactor = row.div(row.mean(new long[] {-1}, true, new ScalarTypeOptional())).rsqrt().unsqueeze(-1);
          Tensor cFactor = col.unsqueeze(-2).rsqrt();
          update = grad.mul(rFactor).mul(cFactor);
        } else {
          Tensor v = st.buffers.get(e.getKey() + ".exp_avg_sq");
          v.mul_(b).add_(g2, oneMinusB);
          update = grad.mul(v.rsqrt());
        }
        double rms = update.square().mean().sqrt().item_double();
        double clip = Math.max(1.0, rms / CLIP);
        if (wd != 0) p.mul_(new Scalar(1 - lr * wd));
        p.add_(update, new Scalar(-lr / clip));
      }
    }
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
}
