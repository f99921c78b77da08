package dev.lathe.train;

import dev.lathe.models.Denoiser;
import dev.lathe.nn.Linear;
import dev.lathe.torch.Runtime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** A tiny per-pixel denoiser and a deterministic data stream, to test the loop without a model family. */
final class Toy {
  static final int C = 4, HW = 4, D = 8;

  static final class Net extends Module implements Denoiser {
    final Linear in = new Linear(C + 1 + D, 32, true, new TensorOptions(ScalarType.Float));
    final Linear out = new Linear(32, C, true, new TensorOptions(ScalarType.Float));

    Net(long seed) {
      register_module("in", in);
      register_module("out", out);
      try (NoGradGuard g = new NoGradGuard()) {
        var gen = Runtime.generator(seed);
        for (Linear l : List.of(in, out)) {
          l.weight().normal_(0, 0.3, new GeneratorOptional(gen));
          l.bias().normal_(0, 0.1, new GeneratorOptional(gen));
        }
      }
    }

    @Override
    public Module module() {
      return this;
    }

    @Override
    public Tensor velocity(Tensor x, Tensor sigma, List<Tensor> text) {
      long b = x.size(0);
      Tensor tokens = x.permute(0, 2, 3, 1).reshape(b, HW * HW, C);                       // [B, L, C]
      Tensor sig = sigma.view(b, 1, 1).expand(b, HW * HW, 1);                               // [B, L, 1]
      TensorVector means = new TensorVector();
      for (Tensor t : text) means.push_back(t.mean(new long[] {0}, false, new ScalarTypeOptional()));
      Tensor cond = torch.stack(means).view(b, 1, D).expand(b, HW * HW, D);                 // [B, L, D]
      Tensor h = torch.silu(in.forward(torch.cat(new TensorVector(tokens, sig, cond), 2)));  // [B, L, 32]
      return out.forward(h).view(b, HW, HW, C).permute(0, 3, 1, 2).contiguous();          // [B, C, H, W]
    }

    @Override
    public Map<String, Linear> linearLayers() {
      Map<String, Linear> m = new LinkedHashMap<>();
      m.put("in", in);
      m.put("out", out);
      return m;
    }

    @Override
    public boolean defaultTarget(String modulePath) {
      return true;
    }

    @Override
    public void setGradientCheckpointing(boolean on) {}
  }

  /**
   * {@link Net} behind a frozen stem Linear ({@code stem}, a Denoiser front): velocity = Net on stem(tokens, σ, text).
   * Counts the fronts computed on another thread than the one that constructed it (the loop's look-ahead).
   */
  static final class FrontNet extends Module implements Denoiser {
    final Linear stem = new Linear(C + 1 + D, C + 1 + D, true, new TensorOptions(ScalarType.Float));
    final Net net;
    final Thread owner = Thread.currentThread();
    final java.util.concurrent.atomic.AtomicInteger frontsElsewhere = new java.util.concurrent.atomic.AtomicInteger();

    record Stemmed(Tensor h, long b) implements Front {}

    FrontNet(long seed) {
      net = new Net(seed);
      register_module("stem", stem);
      register_module("net", net);
      try (NoGradGuard g = new NoGradGuard()) {
        stem.weight().normal_(0, 0.3, new GeneratorOptional(Runtime.generator(seed + 1)));
        stem.bias().zero_();
      }
    }

    private Tensor stemmed(Tensor x, Tensor sigma, List<Tensor> text) {
      long b = x.size(0);
      Tensor tokens = x.permute(0, 2, 3, 1).reshape(b, HW * HW, C);
      Tensor sig = sigma.view(b, 1, 1).expand(b, HW * HW, 1);
      TensorVector means = new TensorVector();
      for (Tensor t : text) means.push_back(t.mean(new long[] {0}, false, new ScalarTypeOptional()));
      Tensor cond = torch.stack(means).view(b, 1, D).expand(b, HW * HW, D);
      return torch.tanh(stem.forward(torch.cat(new TensorVector(tokens, sig, cond), 2)));   // [B, L, C+1+D]
    }

    private Tensor rest(Tensor h, long b) {
      Tensor y = net.out.forward(torch.silu(net.in.forward(h)));
      return y.view(b, HW, HW, C).permute(0, 3, 1, 2).contiguous();
    }

    @Override
    public Tensor velocity(Tensor x, Tensor sigma, List<Tensor> text) {
      return rest(stemmed(x, sigma, text), x.size(0));
    }

    @Override
    public Front front(Tensor x, Tensor sigma, List<Tensor> text) {
      if (Thread.currentThread() != owner) frontsElsewhere.incrementAndGet();
      try (NoGradGuard g = new NoGradGuard()) {
        return new Stemmed(stemmed(x, sigma, text), x.size(0));
      }
    }

    @Override
    public Tensor velocity(Front f) {
      Stemmed s = (Stemmed) f;
      return rest(s.h(), s.b());
    }

    @Override
    public boolean hasFrozenFront() {
      return stem.adapter() == null && !stem.weight().requires_grad();
    }

    @Override
    public Module module() {
      return this;
    }

    @Override
    public Map<String, Linear> linearLayers() {
      Map<String, Linear> m = new LinkedHashMap<>(net.linearLayers());
      m.put("stem", stem);
      return m;
    }

    @Override
    public boolean defaultTarget(String modulePath) {
      return !modulePath.equals("stem");
    }

    @Override
    public void setGradientCheckpointing(boolean on) {}
  }

  /** Checkpoints written under {@code dir} (adapter in fp32, full state), with the steps recorded, in order. */
  static final class Recorder implements TrainLoop.Checkpoints {
    final java.nio.file.Path dir;
    final List<Long> saved = new java.util.ArrayList<>();

    Recorder(java.nio.file.Path dir) {
      this.dir = dir;
    }

    @Override
    public java.nio.file.Path writeAdapter(long step, dev.lathe.adapters.AdapterSet adapters) throws java.io.IOException {
      java.nio.file.Path p = dir.resolve("a_" + step + ".safetensors");
      adapters.save(p, "", ScalarType.Float, Map.of());
      return p;
    }

    @Override
    public java.nio.file.Path stateFile(long step) {
      return dir.resolve("s_" + step + ".safetensors");
    }

    @Override
    public void recorded(long step) {
      saved.add(step);
    }
  }

  /** Eight fixed items; order shuffled per epoch by a seeded permutation; state "epoch:pos". */
  static final class Data implements BatchSource {
    final int batch;
    final boolean preservation;
    final Tensor[] latents = new Tensor[8];
    final Tensor[] texts = new Tensor[8];
    long epoch;
    int pos;
    int[] order;
    Tensor blank;   // the "empty prompt" embedding for blank-prompt preservation, null when not offered

    Data(int batch, boolean preservation) {
      this.batch = batch;
      this.preservation = preservation;
      var gen = Runtime.generator(99);
      for (int i = 0; i < 8; i++) {
        // a learnable signal: each item is a constant-colour latent plus a little structure
        latents[i] = torch.randn(new long[] {C, HW, HW}, new GeneratorOptional(gen), new TensorOptions(ScalarType.Float))
            .mul(new Scalar(0.1)).add(new Scalar(i % 2 == 0 ? 1.0 : -1.0));
        latents[i].retainReference();
        texts[i] = torch.randn(new long[] {3 + i % 3, D}, new GeneratorOptional(gen), new TensorOptions(ScalarType.Float));
        texts[i].retainReference();
      }
      order = perm(0);
    }

    private static int[] perm(long epoch) {
      int[] o = {0, 1, 2, 3, 4, 5, 6, 7};
      Rng.Scalar r = new Rng.Scalar(5, epoch, 0, Rng.Stream.SAMPLE);
      for (int i = 7; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int t = o[i];
        o[i] = o[j];
        o[j] = t;
      }
      return o;
    }

    @Override
    public Batch next() {
      TensorVector x = new TensorVector();
      List<Tensor> text = new java.util.ArrayList<>();
      for (int k = 0; k < batch; k++) {
        if (pos == 8) {
          epoch++;
          pos = 0;
          order = perm(epoch);
        }
        int i = order[pos++];
        x.push_back(latents[i]);
        text.add(texts[i]);
      }
      return new Batch(torch.stack(x), text, preservation ? List.copyOf(text.subList(0, text.size())) : null, null);
    }

    @Override
    public String state() {
      return epoch + ":" + pos;
    }

    @Override
    public void restore(String state) {
      String[] p = state.split(":");
      epoch = Long.parseLong(p[0]);
      pos = Integer.parseInt(p[1]);
      order = perm(epoch);
    }

    @Override
    public long size() {
      return 8;
    }

    @Override
    public Tensor blankText() {
      return blank;
    }

    /** Offers a fixed random [2, D] embedding as the blank prompt. */
    Data withBlank() {
      blank = torch.randn(new long[] {2, D}, new GeneratorOptional(Runtime.generator(42)), new TensorOptions(ScalarType.Float));
      blank.retainReference();
      return this;
    }
  }
}
