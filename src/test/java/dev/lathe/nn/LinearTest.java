package dev.lathe.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.testing.Parity;
import dev.lathe.torch.Runtime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/** A product large enough for the oneDNN route gives libtorch's linear: output and input gradient, 3-d input, bias. */
class LinearTest {
  @Test
  void largeProduct_viaOneDnn_equalsTorchLinear() {
    Runtime.load();
    int before = torch.get_num_threads();
    torch.set_num_threads(2);   // the route needs more than one intra-op thread
    try (PointerScope s = new PointerScope()) {
      TensorOptions f = new TensorOptions(ScalarType.Float);
      var gen = Runtime.generator(1);
      Linear l = new Linear(256, 320, true, f);
      try (NoGradGuard g = new NoGradGuard()) {
        l.weight().normal_(0, 0.05, new GeneratorOptional(gen));
        l.bias().normal_(0, 0.1, new GeneratorOptional(gen));
      }
      Tensor x = torch.randn(new long[] {2, 1024, 256}, new GeneratorOptional(gen), f);   // 2048·256·320 ≥ 2^27 multiply-adds
      assertThat(2048L * 256 * 320).isGreaterThanOrEqualTo(Linear.ONEDNN_MIN_MACS);
      x.requires_grad_(true);
      Tensor gy = torch.randn(new long[] {2, 1024, 320}, new GeneratorOptional(gen), f);

      Tensor y = l.forward(x);
      assertThat(y.sizes().vec().get()).containsExactly(2, 1024, 320);
      y.backward(gy, new org.bytedeco.pytorch.BoolOptional(), false, new org.bytedeco.pytorch.TensorArrayRefOptional());
      Tensor gx = x.grad().clone();
      x.mutable_grad().reset();

      Tensor ref = torch.linear(x, l.weight(), new TensorOptional(l.bias()));
      ref.backward(gy, new org.bytedeco.pytorch.BoolOptional(), false, new org.bytedeco.pytorch.TensorArrayRefOptional());
      Parity.of(y, ref).assertFp32("output");
      Parity.of(gx, x.grad()).assertFp32("input gradient");
      assertThat(l.weight().grad().defined()).as("frozen weight gets no gradient").isFalse();
    } finally {
      torch.set_num_threads(before);
    }
  }
}
