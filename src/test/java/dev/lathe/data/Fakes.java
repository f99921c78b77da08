package dev.lathe.data;

import dev.lathe.models.LatentCodec;
import dev.lathe.models.TextEncoder;
import dev.lathe.torch.Tensors;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/** Small deterministic stand-ins for a family's VAE and text encoder that count their work (tests of any package). */
public final class Fakes {
  private Fakes() {}

  /** "Encodes" by averaging 8×8 blocks: [B, 3, H, W] → [B, 3, H/8, W/8]. */
  public static final class PoolCodec implements LatentCodec {
    final String id;
    int calls;
    int images;

    public PoolCodec(String id) {
      this.id = id;
    }

    @Override
    public String cacheId() {
      return id;
    }

    @Override
    public int latentChannels() {
      return 3;
    }

    @Override
    public int downscale() {
      return 8;
    }

    @Override
    public Tensor encode(Tensor pixels) {
      calls++;
      long[] s = Tensors.shape(pixels);
      int b = (int) s[0], c = (int) s[1], h = (int) s[2], w = (int) s[3];
      images += b;
      float[] in = Tensors.toFloats(pixels);
      int oh = h / 8, ow = w / 8;
      float[] out = new float[b * c * oh * ow];
      for (int n = 0; n < b * c; n++)
        for (int y = 0; y < oh; y++)
          for (int x = 0; x < ow; x++) {
            float sum = 0;
            for (int dy = 0; dy < 8; dy++) for (int dx = 0; dx < 8; dx++) sum += in[n * h * w + (y * 8 + dy) * w + x * 8 + dx];
            out[n * oh * ow + y * ow + x] = sum / 64;
          }
      return Tensors.fromFloats(out, b, c, oh, ow);
    }

    @Override
    public Tensor decode(Tensor latents) {
      throw new UnsupportedOperationException();
    }
  }

  /** One row per word plus one, D = 4, values from a hash of the prompt: different prompts, different rows. */
  static final class HashTextEncoder implements TextEncoder {
    final String id;
    final List<String> encoded = new ArrayList<>();

    HashTextEncoder(String id) {
      this.id = id;
    }

    @Override
    public String cacheId() {
      return id;
    }

    @Override
    public long embeddingDim() {
      return 4;
    }

    @Override
    public List<Tensor> encode(List<String> prompts) {
      encoded.addAll(prompts);
      List<Tensor> out = new ArrayList<>();
      for (String p : prompts) out.add(embed(p));
      return out;
    }

    static Tensor embed(String p) {
      int rows = (p.isBlank() ? 0 : p.strip().split("\\s+").length) + 1;
      float[] v = new float[rows * 4];
      long h = 1125899906842597L;
      for (byte b : p.getBytes(StandardCharsets.UTF_8)) h = 31 * h + b;
      for (int i = 0; i < v.length; i++) v[i] = (float) (SplitMix64.unit(SplitMix64.mix(h, i)) * 2 - 1);
      return Tensors.fromFloats(v, rows, 4);
    }
  }
}
