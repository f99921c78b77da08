package dev.lathe.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.testing.Parity;
import dev.lathe.torch.Tensors;
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

  /** Three frozen layers of one input width, random weights and biases. */
  private static Linear[] three(TensorOptions f, org.bytedeco.pytorch.Generator gen) {
    Linear[] ls = {new Linear(24, 16, true, f), new Linear(24, 8, true, f), new Linear(24, 16, true, f)};
    try (NoGradGuard g = new NoGradGuard()) {
      for (Linear l : ls) {
        l.weight().normal_(0, 0.2, new GeneratorOptional(gen));
        l.bias().normal_(0, 0.2, new GeneratorOptional(gen));
      }
    }
    return ls;
  }

  private static void assertSharedEqualsSeparate(Tensor x, Linear[] ls, String when) {
    Tensor[] ys = Linear.forwardShared(x, ls);
    for (int i = 0; i < ls.length; i++) Parity.of(ys[i], ls[i].forward(x)).assertFp32(when + ", layer " + i);
  }

  @Test
  void forwardShared_joinsFrozenWeightsInPlace_andFollowsLaterChanges() {
    Runtime.load();
    try (PointerScope s = new PointerScope()) {
      TensorOptions f = new TensorOptions(ScalarType.Float);
      var gen = Runtime.generator(4);
      Linear[] ls = three(f, gen);
      Tensor before = ls[1].weight().clone();
      Tensor x = torch.randn(new long[] {2, 5, 24}, new GeneratorOptional(gen), f);
      assertSharedEqualsSeparate(x, ls, "first call");
      // the weights are now consecutive rows of one storage, values unchanged
      long w0 = dev.lathe.torch.Tensors.address(ls[0].weight());
      assertThat(dev.lathe.torch.Tensors.address(ls[1].weight())).isEqualTo(w0 + 16 * 24 * 4);
      assertThat(dev.lathe.torch.Tensors.address(ls[2].weight())).isEqualTo(w0 + 24 * 24 * 4);
      assertThat(dev.lathe.torch.Tensors.address(ls[2].bias())).isEqualTo(dev.lathe.torch.Tensors.address(ls[0].bias()) + 24 * 4);
      assertThat(Tensors.toFloats(ls[1].weight())).containsExactly(Tensors.toFloats(before));

      try (NoGradGuard g = new NoGradGuard()) {
        ls[1].weight().set_data(torch.randn(new long[] {8, 24}, new GeneratorOptional(gen), f));   // as a loader swaps data in
      }
      assertSharedEqualsSeparate(x, ls, "after a loader replaced a weight");
      try (NoGradGuard g = new NoGradGuard()) {
        ls[2].weight().add_(new org.bytedeco.pytorch.Scalar(0.5));   // as a LoRA merge writes in place
        ls[0].bias().set_data(torch.zeros(new long[] {16}, f));
      }
      assertSharedEqualsSeparate(x, ls, "after an in-place change and a new bias");
    }
  }

  @Test
  void forwardShared_trainableWeight_getsItsGradient() {
    Runtime.load();
    try (PointerScope s = new PointerScope()) {
      TensorOptions f = new TensorOptions(ScalarType.Float);
      var gen = Runtime.generator(5);
      Linear[] ls = three(f, gen);
      Tensor x = torch.randn(new long[] {3, 24}, new GeneratorOptional(gen), f);
      Linear.forwardShared(x, ls);   // joined while frozen
      ls[1].weight().requires_grad_(true);
      Tensor[] ys = Linear.forwardShared(x, ls);
      ys[1].square().sum().backward();
      Tensor shared = ls[1].weight().grad().clone();
      ls[1].weight().mutable_grad().reset();
      ls[1].forward(x).square().sum().backward();
      Parity.of(shared, ls[1].weight().grad()).assertFp32("the trainable weight's gradient");
    }
  }
}
