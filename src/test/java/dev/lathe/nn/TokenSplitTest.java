package dev.lathe.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.testing.Parity;
import dev.lathe.torch.Runtime;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * A split block computes what the whole block computes, forward and backward, with its attention divided by rows or
 * by head groups. The block here has grouped-query attention (8 query heads reading 4 key/value heads), a modulation
 * every row reads, and two trainable tensors, so each gradient path of the split is checked against plain autograd.
 */
class TokenSplitTest {
  static final int B = 2, T = 40, D = 32, HQ = 8, HKV = 4, HD = 4;

  /** x → scaled by (1 + shared) and a trainable gain → q, k, v; after the attention a trainable output projection. */
  static final class Block implements Tokenwise {
    final Tensor wq, wk, wv, gain, wo;
    final boolean perHead;

    Block(long seed, boolean perHead) {
      var gen = new GeneratorOptional(Runtime.generator(seed));
      TensorOptions f = new TensorOptions(ScalarType.Float);
      wq = torch.randn(new long[] {HQ * HD, D}, gen, f).mul(new Scalar(0.2));
      wk = torch.randn(new long[] {HKV * HD, D}, gen, f).mul(new Scalar(0.2));
      wv = torch.randn(new long[] {HKV * HD, D}, gen, f).mul(new Scalar(0.2));
      gain = torch.randn(new long[] {D}, gen, f).mul(new Scalar(0.1)).add(new Scalar(1.0)).requires_grad_(true);
      wo = torch.randn(new long[] {D, HQ * HD}, gen, f).mul(new Scalar(0.2)).requires_grad_(true);
      this.perHead = perHead;
    }

    @Override
    public Tensor[] toAttention(Tensor x, Tensor shared, long from) {
      long t = x.size(1);
      Tensor h = x.mul(shared.add(new Scalar(1.0))).mul(gain);
      Tensor q = torch.linear(h, wq).view(B, t, HQ, HD).transpose(1, 2);
      Tensor k = torch.linear(h, wk).view(B, t, HKV, HD).transpose(1, 2);
      Tensor v = torch.linear(h, wv).view(B, t, HKV, HD).transpose(1, 2);
      return new Tensor[] {q, k, v};
    }

    @Override
    public Tensor attend(Tensor q, Tensor k, Tensor v) {
      return Sdpa.attention(q, k, v, null, false);
    }

    @Override
    public boolean attendsPerHead() {
      return perHead;
    }

    @Override
    public Tensor fromAttention(Tensor x, Tensor a, Tensor shared) {
      Tensor flat = a.transpose(1, 2).reshape(B, x.size(1), HQ * HD);
      return x.add(torch.linear(flat, wo).mul(shared));
    }

    @Override
    public List<Tensor> trainables() {
      return List.of(gain, wo);
    }

    @Override
    public boolean stochastic() {
      return false;
    }
  }

  /** Output and gradients (x, shared, gain, wo) of Σ out·w, computed whole or in {@code parts}. */
  static float[][] run(boolean perHead, int parts) {
    Block blk = new Block(7, perHead);
    var gen = new GeneratorOptional(Runtime.generator(11));
    TensorOptions f = new TensorOptions(ScalarType.Float);
    Tensor x = torch.randn(new long[] {B, T, D}, gen, f);
    Tensor shared = torch.randn(new long[] {B, 1, D}, gen, f).mul(new Scalar(0.3));
    Tensor w = torch.randn(new long[] {B, T, D}, gen, f);
    Tensor out, gx, gs;
    if (parts == 1) {
      x.requires_grad_(true);
      shared.requires_grad_(true);
      out = Tokenwise.whole(blk, x, shared);
      out.mul(w).sum().backward();
      gx = x.grad();
      gs = shared.grad();
    } else {
      TokenSplit.Graph g = TokenSplit.forwardGraph(blk, x, shared, parts, true, true);
      try {
        out = g.output().clone();
        Tensor[] grads = g.backward(w);
        gx = grads[0];
        gs = grads[1];
      } finally {
        g.release();
      }
      try (NoGradGuard ng = new NoGradGuard()) {
        Parity.of(TokenSplit.forward(blk, x, shared, parts), out).assertFp32("the no-grad split forward");
      }
    }
    return new float[][] {floats(out), floats(gx), floats(gs), floats(blk.gain.grad()), floats(blk.wo.grad())};
  }

  static float[] floats(Tensor t) {
    return dev.lathe.torch.Tensors.toFloats(t.contiguous());
  }

  static void assertSame(float[][] split, float[][] whole, String how) {
    String[] names = {"output", "∂x", "∂shared", "∂gain", "∂wo"};
    for (int i = 0; i < names.length; i++) Parity.of(split[i], whole[i]).assertFp32(how + " " + names[i]);
  }

  @Test
  void byHeads_withGroupedQueries_equalsTheWholeBlock() {
    Runtime.load();
    try (PointerScope s = new PointerScope()) {
      float[][] whole = run(true, 1);
      long before = TokenSplit.headSplitsSoFar();
      float[][] two = run(true, 2);      // 2 threads, 2 kv heads (4 query heads) each
      float[][] four = run(true, 4);     // 1 kv head, 2 query heads each
      assertThat(TokenSplit.headSplitsSoFar() - before).as("forward + no-grad forward, twice").isEqualTo(4);
      assertSame(two, whole, "2 head groups");
      assertSame(four, whole, "4 head groups");
      float[][] again = run(true, 2);
      for (int i = 0; i < again.length; i++) assertThat(again[i]).as("a second run, tensor %d", i).containsExactly(two[i]);
    }
  }

  @Test
  void byRows_whenHeadsCannotBeDivided_equalsTheWholeBlock() {
    Runtime.load();
    try (PointerScope s = new PointerScope()) {
      float[][] whole = run(true, 1);
      long before = TokenSplit.headSplitsSoFar();
      assertSame(run(true, 3), whole, "3 parts, 4 kv heads: by heads");
      assertThat(TokenSplit.headSplitsSoFar() - before).isEqualTo(2);
      before = TokenSplit.headSplitsSoFar();
      assertSame(run(true, 5), whole, "5 parts, 4 kv heads: by rows");
      assertSame(run(false, 2), whole, "attention not per head: by rows");
      boolean was = TokenSplit.setByHeads(false);
      try {
        assertSame(run(true, 2), whole, "by heads switched off: by rows");
      } finally {
        TokenSplit.setByHeads(was);
      }
      assertThat(TokenSplit.headSplitsSoFar()).as("none of these divided the heads").isEqualTo(before);
    }
  }
}
