package dev.lathe.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.nn.Linear;
import dev.lathe.testing.Parity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * {@link Linear#forwardShared} (one matmul for the stacked weights, one for the LoRA down-projections) computes what
 * each layer's own forward computes, and what the LoRA formula computes by hand: outputs and every gradient (input,
 * LoRA A and B), with and without adapters, at a multiplier, and with dropout (which takes the per-layer path).
 */
class SharedProjectionTest {
  record Run(List<Tensor> outputs, List<Tensor> grads) {}

  static Map<String, Linear> layers() {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    shapes.put("layers.0.attention.to_q", new long[] {12, 12});
    shapes.put("layers.0.attention.to_k", new long[] {12, 12});
    shapes.put("layers.0.feed_forward.w1", new long[] {12, 20});
    return Layers.of(shapes, 5);
  }

  /** Random non-zero B so that the LoRA path contributes (B starts at zero). */
  static void randomize(AdapterSet set) {
    var gen = dev.lathe.torch.Runtime.generator(9);
    Map<String, Tensor> v = new LinkedHashMap<>();
    set.parameters().forEach((k, t) -> v.put(k, torch.randn(t.sizes().vec().get(), new GeneratorOptional(gen), new TensorOptions(ScalarType.Float))));
    set.load(v);
  }

  enum Mode { SHARED, SEPARATE, BY_HAND }

  /** By hand: y = x·Wᵀ + b + m·(alpha/r)·(x·Aᵀ)·Bᵀ from the raw tensors, no adapter code involved. */
  static Tensor byHand(Tensor x, Linear l, AdapterSet set, String path, double multiplier) {
    Tensor y = torch.linear(x, l.weight(), new org.bytedeco.pytorch.TensorOptional(l.bias()));
    if (set == null || !set.paths().contains(path)) return y;
    Tensor a = set.parameters().get(path + ".lora_A.weight"), b = set.parameters().get(path + ".lora_B.weight");
    double k = multiplier * set.spec().alpha() / set.spec().rank();
    return y.add(torch.linear(torch.linear(x, a), b).mul(new org.bytedeco.pytorch.Scalar(k)));
  }

  static Run run(boolean shared, Map<String, Linear> ls, AdapterSet set) {
    return run(shared ? Mode.SHARED : Mode.SEPARATE, ls, set, 1);
  }

  static Run run(Mode mode, Map<String, Linear> ls, AdapterSet set, double multiplier) {
    boolean shared = mode == Mode.SHARED;
    var gen = dev.lathe.torch.Runtime.generator(3);
    Tensor x = torch.randn(new long[] {2, 5, 12}, new GeneratorOptional(gen), new TensorOptions(ScalarType.Float));
    x.requires_grad_(true);
    Linear[] arr = ls.values().toArray(new Linear[0]);
    torch.manual_seed(17);   // dropout draws
    Tensor[] ys = shared ? Linear.forwardShared(x, arr) : new Tensor[arr.length];
    List<String> paths = new ArrayList<>(ls.keySet());
    if (mode == Mode.SEPARATE) for (int i = 0; i < arr.length; i++) ys[i] = arr[i].forward(x);
    if (mode == Mode.BY_HAND) for (int i = 0; i < arr.length; i++) ys[i] = byHand(x, arr[i], set, paths.get(i), multiplier);
    Tensor loss = null;
    for (Tensor y : ys) {
      Tensor c = torch.randn(y.sizes().vec().get(), new GeneratorOptional(gen), new TensorOptions(ScalarType.Float));
      loss = loss == null ? y.mul(c).sum() : loss.add(y.mul(c).sum());
    }
    if (set != null) for (Tensor p : set.parameters().values()) if (p.grad() != null && p.grad().defined()) p.grad().zero_();
    loss.backward();
    List<Tensor> grads = new ArrayList<>();
    grads.add(x.grad().clone());
    if (set != null) for (Tensor p : set.parameters().values()) grads.add(p.grad().clone());
    return new Run(List.of(ys), grads);
  }

  static void assertSame(Run a, Run b) {
    assertThat(a.outputs()).hasSameSizeAs(b.outputs());
    for (int i = 0; i < a.outputs().size(); i++) Parity.of(a.outputs().get(i), b.outputs().get(i)).assertFp32("output " + i);
    assertThat(a.grads()).hasSameSizeAs(b.grads());
    for (int i = 0; i < a.grads().size(); i++) Parity.of(a.grads().get(i), b.grads().get(i)).assertFp32("gradient " + i);
  }

  @Test
  void sharedEqualsSeparate_withoutAdapters_withLora_atAMultiplier_andWithDropout() {
    try (PointerScope s = new PointerScope()) {
      Map<String, Linear> plain = layers();
      assertSame(run(true, plain, null), run(false, plain, null));

      Map<String, Linear> ls = layers();
      AdapterSet set = AdapterSet.attach(ls, p -> true, AdapterSpec.lora(4, 8), 1);
      randomize(set);
      set.train(true);
      assertSame(run(true, ls, set), run(false, ls, set));
      assertSame(run(Mode.SHARED, ls, set, 1), run(Mode.BY_HAND, ls, set, 1));
      set.setMultiplier(-0.5);
      assertSame(run(true, ls, set), run(false, ls, set));
      assertSame(run(Mode.SHARED, ls, set, -0.5), run(Mode.BY_HAND, ls, set, -0.5));
      assertSame(run(Mode.SEPARATE, ls, set, -0.5), run(Mode.BY_HAND, ls, set, -0.5));
      set.detach();

      Map<String, Linear> dl = layers();
      AdapterSet drop = AdapterSet.attach(dl, p -> true, AdapterSpec.lora(4, 4).withDropout(0.3), 1);
      randomize(drop);
      drop.train(true);
      assertSame(run(true, dl, drop), run(false, dl, drop));
    }
  }

  @Test
  void mixed_oneLayerWithoutAdapter_takesThePerLayerPath() {
    try (PointerScope s = new PointerScope()) {
      Map<String, Linear> ls = layers();
      AdapterSet set = AdapterSet.attach(ls, p -> !p.endsWith("to_k"), AdapterSpec.lora(2, 2), 4);
      randomize(set);
      assertSame(run(true, ls, set), run(false, ls, set));
      assertSame(run(Mode.SHARED, ls, set, 1), run(Mode.BY_HAND, ls, set, 1));
    }
  }
}
