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

/** LoRA: y += (alpha/r) · B·(A·x), A [r, in] ~ U(±1/√in), B [out, r] = 0 so training starts at ΔW = 0. */
final class LoraAdapter extends Adapter {
  final Tensor a;
  final Tensor b;
  final int rank;
  final double alpha;
  private final Scalar scale;

  LoraAdapter(String path, long in, long out, int rank, double alpha, Generator gen, org.bytedeco.pytorch.Device device) {
    super(path, in, out);
    this.rank = rank;
    this.alpha = alpha;
    TensorOptions fp32 = new TensorOptions(ScalarType.Float);
    double bound = 1 / Math.sqrt(in);   // kaiming-uniform with a = √5, as PEFT initialises lora_A
    Tensor a0 = torch.empty(new long[] {rank, in}, fp32, new org.bytedeco.pytorch.MemoryFormatOptional());
    a0.uniform_(-bound, bound, new GeneratorOptional(gen));   // in-place ops return a borrowed handle: keep a0
    this.a = owned(device == null ? a0 : a0.to(device, ScalarType.Float));
    Tensor b0 = torch.zeros(new long[] {out, rank}, fp32);
    this.b = owned(device == null ? b0 : b0.to(device, ScalarType.Float));
    this.scale = new Scalar(alpha / rank);
  }

  /** Wraps loaded factors (fp32, already on the right device). */
  LoraAdapter(String path, Tensor a, Tensor b, double alpha) {
    super(path, a.size(1), b.size(0));
    this.rank = (int) a.size(0);
    this.alpha = alpha;
    this.a = owned(a);
    this.b = owned(b);
    this.scale = new Scalar(alpha / rank);
  }

  @Override
  Map<String, Tensor> tensors() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("lora_A.weight", a);
    m.put("lora_B.weight", b);
    return m;
  }

  @Override
  double scale() {
    return alpha / rank;
  }

  @Override
  double alpha() {
    return alpha;
  }

  @Override
  Tensor delta() {
    return b.matmul(a).mul(scale);
  }

  @Override
  Tensor compute(Tensor x) {
    // [..., in] → [..., r] → [..., out]
    return torch.linear(torch.linear(x, as(a, x)), as(b, x)).mul(scale);
  }
}
