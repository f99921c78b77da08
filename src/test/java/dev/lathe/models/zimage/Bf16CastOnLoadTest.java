package dev.lathe.models.zimage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.nn.Modules;
import dev.lathe.testing.Fixtures;
import dev.lathe.testing.Parity;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.SafeTensorsWriter;
import dev.lathe.torch.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * F32 shards cast to bf16 while loading (what a GPU run does with the released Z-Image transformer). The fixture's
 * weights are bf16-exact, which would make any cast look right, so the test first nudges every value off the bf16
 * grid and writes a sharded F32 diffusers folder; the loaded bf16 parameters must then equal an independent
 * round-to-nearest-even of those F32 values, bit for bit, and the bf16 forward must stay near the fp32 one.
 */
class Bf16CastOnLoadTest {
  @TempDir static Path dir;
  static Path folder;
  /** The F32 values written to the shards, by checkpoint key. */
  static final Map<String, float[]> written = new HashMap<>();

  @BeforeAll
  static void writeShards() throws IOException {
    Runtime.load();
    folder = dir.resolve("transformer");
    Files.createDirectories(folder);
    Map<String, String> weightMap = new LinkedHashMap<>();
    try (PointerScope s = new PointerScope(); Checkpoint ck = Checkpoint.open(Fixtures.path("zimage/weights.safetensors"))) {
      List<String> names = ck.names();
      SafeTensorsWriter[] shards = {new SafeTensorsWriter(), new SafeTensorsWriter()};
      for (int i = 0; i < names.size(); i++) {
        String n = names.get(i);
        Tensor t = ck.load(n);
        assertThat(Tensors.dtype(t)).isEqualTo(ScalarType.Float);
        float[] v = Tensors.toFloats(t);
        for (int j = 0; j < v.length; j++) v[j] = v[j] * 1.0013f + 1e-5f * ((j % 7) - 3);   // off the bf16 grid
        written.put(n, v);
        int shard = i < names.size() / 2 ? 0 : 1;
        shards[shard].put(n, Tensors.fromFloats(v, Tensors.shape(t)));
        weightMap.put(n, "diffusion_pytorch_model-0000" + (shard + 1) + "-of-00002.safetensors");
      }
      for (int i = 0; i < 2; i++) shards[i].write(folder.resolve("diffusion_pytorch_model-0000" + (i + 1) + "-of-00002.safetensors"));
    }
    Files.writeString(folder.resolve("diffusion_pytorch_model.safetensors.index.json"),
        new ObjectMapper().writeValueAsString(Map.of("metadata", Map.of("total_size", 1), "weight_map", weightMap)));
    Files.copy(Fixtures.path("zimage/config.json"), folder.resolve("config.json"));
  }

  /** fp32 → bf16 round to nearest, ties to even, on the bit pattern (finite values), returned as the fp32 it equals. */
  static float roundToBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    int rounded = (bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000;
    return Float.intBitsToFloat(rounded);
  }

  @Test
  void f32Shards_loadAsBf16_equalToIndependentlyRoundedValues() throws IOException {
    ZImageTransformer m = ZImage.loadTransformer(folder.resolve("diffusion_pytorch_model.safetensors.index.json"), Runtime.create("cpu", "bf16", 0));
    assertThat(m.dtype()).isEqualTo(ScalarType.BFloat16);
    long values = 0;
    long moved = 0;
    int matched = 0;
    try (PointerScope s = new PointerScope()) {
      for (Modules.Named p : Modules.parameters(m)) {
        float[] src = written.get(p.name());
        if (src == null) continue;   // a name the diffusers file spells differently is covered by the count below
        matched++;
        assertThat(Tensors.dtype(p.tensor())).as(p.name()).isEqualTo(ScalarType.BFloat16);
        float[] got = Tensors.toFloats(p.tensor().to(ScalarType.Float));   // bf16 → fp32 is exact
        assertThat(got).as(p.name()).hasSameSizeAs(src);
        for (int j = 0; j < src.length; j++) {
          float want = roundToBf16(src[j]);
          if (Float.floatToRawIntBits(got[j]) != Float.floatToRawIntBits(want))
            throw new AssertionError(p.name() + "[" + j + "]: loaded " + got[j] + ", F32 " + src[j] + " rounds to " + want);
          if (want != src[j]) moved++;
        }
        values += src.length;
      }
    }
    assertThat(matched).as("parameters found under their checkpoint key").isEqualTo(written.size());
    assertThat(values).isEqualTo(706_144);              // config A's parameter count: every value was compared
    assertThat(moved).as("values the cast had to round").isGreaterThan(values * 9 / 10);
  }

  @Test
  void bf16Forward_staysCloseToTheFp32ForwardOfTheSameFile() throws IOException {
    Path index = folder.resolve("diffusion_pytorch_model.safetensors.index.json");
    ZImageTransformer fp32 = ZImage.loadTransformer(index, Runtime.cpu());
    ZImageTransformer bf16 = ZImage.loadTransformer(index, Runtime.create("cpu", "bf16", 0));
    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard();
         Checkpoint in = Checkpoint.open(Fixtures.path("zimage/inputs.safetensors"))) {
      List<Tensor> x = List.of(in.load("x.0"), in.load("x.1"));
      List<Tensor> caps = List.of(in.load("cap_feats.0"), in.load("cap_feats.1"));
      List<Tensor> ref = fp32.forward(x, in.load("t"), caps, Probe.NONE);
      List<Tensor> got = bf16.forward(x, in.load("t"), caps, Probe.NONE);
      for (int i = 0; i < 2; i++) {
        assertThat(Tensors.dtype(got.get(i))).isEqualTo(ScalarType.BFloat16);
        Parity p = Parity.of(got.get(i).to(ScalarType.Float), ref.get(i));
        // bf16 keeps 8 significant bits (relative step 2^-8 ≈ 0.4 %); through two refiners and two layers the
        // error stays a few percent of the output's range (measured: cos 0.99993, max|Δ| 1.2-1.5 % of max|ref|)
        assertThat(p.cosine()).as("cosine, item %d", i).isGreaterThan(0.999);
        assertThat(p.maxAbsDiff()).as("max |Δ|, item %d", i).isLessThan(0.05 * p.maxAbsRef());
      }
    }
  }
}
