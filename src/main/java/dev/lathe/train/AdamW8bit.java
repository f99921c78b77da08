package dev.lathe.train;

import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * AdamW whose moments are stored in 8 bits, block-wise: each block of 256 values keeps one fp32 scale and 256
 * one-byte codes, about 2 bytes per parameter for both moments instead of 8. The codes are non-linear so small
 * values keep resolution: the first moment stores sign·√(|m|/absmax) in int8, the second moment stores
 * (v/max)^(1/4) in uint8 (a range of 255⁴). Each step dequantises, applies the exact AdamW update with the new
 * gradient in fp32, and quantises again.
 */
final class AdamW8bit implements Optimizer {
  static final int BLOCK = 256;

  private final Map<String, Tensor> params;
  private final double b1;
  private final double b2;
  private final double eps;
  private final double wd;
  private final OptimizerState st = new OptimizerState();

  AdamW8bit(Map<String, Tensor> params, double b1, double b2, double eps, double wd) {
    this.params = params;
    this.b1 = b1;
    this.b2 = b2;
    this.eps = eps;
    this.wd = wd;
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      long n = e.getValue().numel();
      long blocks = (n + BLOCK - 1) / BLOCK;
      Tensor like = e.getValue();
      st.zeros(e.getKey() + ".m_codes", new long[] {blocks, BLOCK}, ScalarType.Char, like);
      st.zeros(e.getKey() + ".m_scale", new long[] {blocks, 1}, ScalarType.Float, like);
      st.zeros(e.getKey() + ".v_codes", new long[] {blocks, BLOCK}, ScalarType.Byte, like);
      st.zeros(e.getKey() + ".v_scale", new long[] {blocks, 1}, ScalarType.Float, like);
    }
  }

  @Override
  public void step(double lr) {
    st.step++;
    double bc1 = 1 - Math.pow(b1, st.step);
    double bc2 = 1 - Math.pow(b2, st.step);
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : params.entrySet()) {
        Tensor p = e.getValue();
        Tensor grad = p.grad();
        if (grad == null || !grad.defined()) continue;
        String k = e.getKey();
        Tensor mc = st.buffers.get(k + ".m_codes");
        Tensor ms = st.buffers.get(k + ".m_scale");
        Tensor vc = st.buffers.get(k + ".v_codes");
        Tensor vs = st.buffers.get(k + ".v_scale");
        long n = p.numel();
        long padded = mc.numel();

        Tensor gFlat = pad(grad.reshape(-1).to(ScalarType.Float), padded).reshape(mc.size(0), BLOCK);
        // dequantise: m = sign·(|c|/127)²·scale, v = (c/255)⁴·scale
        Tensor mq = mc.to(ScalarType.Float).div(new Scalar(127));
        Tensor m = mq.mul(mq.abs()).mul(ms);
        Tensor vq = vc.to(ScalarType.Float).div(new Scalar(255));
        Tensor v = vq.square().square().mul(vs);

        m = m.mul(new Scalar(b1)).add(gFlat, new Scalar(1 - b1));
        v = v.mul(new Scalar(b2)).addcmul(gFlat, gFlat, new Scalar(1 - b2));

        Tensor denom = v.sqrt().div(new Scalar(Math.sqrt(bc2))).add(new Scalar(eps));
        Tensor update = m.div(denom).reshape(-1).narrow(0, 0, n).reshape(p.sizes().vec().get());
        if (wd != 0) p.mul_(new Scalar(1 - lr * wd));
        p.add_(update, new Scalar(-lr / bc1));

        // quantise again
        Tensor mAbsMax = m.abs().amax(new long[] {1}, true).clamp_min(new Scalar(1e-30));
        ms.copy_(mAbsMax);
        Tensor mr = m.div(mAbsMax);
        mc.copy_(mr.sign().mul(mr.abs().sqrt()).mul(new Scalar(127)).round().to(ScalarType.Char));
        Tensor vMax = v.amax(new long[] {1}, true).clamp_min(new Scalar(1e-30));
        vs.copy_(vMax);
        vc.copy_(v.div(vMax).sqrt().sqrt().mul(new Scalar(255)).round().to(ScalarType.Byte));
      }
    }
  }

  private static Tensor pad(Tensor flat, long to) {
    long n = flat.numel();
    if (n == to) return flat;
    return torch.cat(new org.bytedeco.pytorch.TensorVector(flat, torch.zeros(new long[] {to - n},
        new org.bytedeco.pytorch.TensorOptions(ScalarType.Float).device(new org.bytedeco.pytorch.DeviceOptional(flat.device())))), 0);
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

  static ScalarTypeOptional none() {
    return new ScalarTypeOptional();
  }
}
