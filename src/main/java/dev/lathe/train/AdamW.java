package dev.lathe.train;

import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * AdamW with decoupled weight decay (Loshchilov & Hutter), fp32 moments:
 * p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr·m̂ / (√v̂ + ε) with bias-corrected m̂, v̂.
 */
final class AdamW implements Optimizer {
  private final Map<String, Tensor> params;
  private final double b1;
  private final double b2;
  private final double eps;
  private final double wd;
  private final OptimizerState st = new OptimizerState();

  AdamW(Map<String, Tensor> params, double b1, double b2, double eps, double wd) {
    this.params = params;
    this.b1 = b1;
    this.b2 = b2;
    this.eps = eps;
    this.wd = wd;
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      long[] shape = e.getValue().sizes().vec().get();
      st.zeros(e.getKey() + ".exp_avg", shape, ScalarType.Float, e.getValue());
      st.zeros(e.getKey() + ".exp_avg_sq", shape, ScalarType.Float, e.getValue());
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
      for (Map.Entry<String, Tensor> e : params.entrySet()) {
        Tensor p = e.getValue();
        Tensor grad = p.grad();
        if (grad == null || !grad.defined()) continue;
        Tensor m = st.buffers.get(e.getKey() + ".exp_avg");
        Tensor v = st.buffers.get(e.getKey() + ".exp_avg_sq");
        if (wd != 0) p.mul_(decay);
        m.mul_(sb1).add_(grad, oneMinusB1);
        v.mul_(sb2).addcmul_(grad, grad, oneMinusB2);
        Tensor denom = v.sqrt().div(sqrtBc2).add(epsS);
        p.addcdiv_(m, denom, stepSize);
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
