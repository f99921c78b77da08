package dev.lathe.models.zimage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.nn.Params;
import dev.lathe.testing.Fixtures;
import dev.lathe.testing.Parity;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.SafeTensorsWriter;
import dev.lathe.torch.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Qwen3 text encoder against the transformers goldens (fixtures/qwen3-te): sharded BF16 weights through the index. */
class Qwen3EncoderParityTest {
  static Qwen3Encoder enc;
  static Checkpoint in;
  static Checkpoint out;
  static long[] lengths;

  @BeforeAll
  static void load() throws IOException {
    enc = load(Fixtures.path("qwen3-te/model.safetensors.index.json"));
    in = Checkpoint.open(Fixtures.path("qwen3-te/inputs.safetensors"));
    out = Checkpoint.open(Fixtures.path("qwen3-te/outputs.safetensors"));
    lengths = Tensors.toLongs(in.load("lengths"));
  }

  static Qwen3Encoder load(Path path) throws IOException {
    Runtime.load();
    try (Checkpoint ck = Checkpoint.open(path)) {
      Qwen3Encoder e = new Qwen3Encoder(Qwen3Encoder.infer(ck), Params.deferred(ScalarType.Float));
      Qwen3Encoder.load(e, ck, ScalarType.Float, Runtime.cpu().device());
      return e;
    }
  }

  @Test
  void config_fromConfigJsonAndFromShapes_equalsTheFixture() throws IOException {
    var json = new ObjectMapper().readTree(Fixtures.path("qwen3-te/config.json").toFile());
    assertThat(Qwen3Encoder.Config.fromJson(json)).isEqualTo(Qwen3Encoder.Config.tiny());
    assertThat(enc.cfg).isEqualTo(Qwen3Encoder.Config.tiny());
    assertThat(dev.lathe.nn.Modules.parameterCount(enc)).isEqualTo(58_176);
  }

  @Test
  void paddedBatch_everyHiddenStateAndLayer0Intermediate_matchGoldens() throws IOException {
    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Map<String, Tensor> rec = new HashMap<>();
      List<Tensor> hs = enc.hiddenStates(in.load("input_ids"), lengths, 3, rec::put);
      assertThat(hs).hasSize(4);
      for (int i = 0; i < 3; i++) {
        long l = lengths[i];
        for (int k = 0; k < 4; k++) Parity.of(cut(hs.get(k), i, l), out.load("hidden_states." + k + "." + i)).assertFp32("hidden_states." + k + "." + i);
        Parity.of(cut(hs.get(3), i, l), out.load("last_hidden_state." + i)).assertFp32("last_hidden_state." + i);
        Parity.of(cut(rec.get("last_layer_raw"), i, l), out.load("inter.last_layer_raw." + i)).assertFp32("last_layer_raw." + i);
        for (String n : List.of("q_norm", "k_norm", "self_attn_out", "mlp_out")) {
          Parity.of(cut(rec.get(n), i, l), out.load("inter.layer0." + n + "." + i)).assertFp32("inter.layer0." + n + "." + i);
        }
        Tensor probs = rec.get("attn_probs").select(0, i).narrow(1, 0, l).narrow(2, 0, l);
        Parity.of(probs, out.load("inter.layer0.attn_probs." + i)).assertFp32("attn_probs." + i);
      }
      Tensor prompt = enc.promptEmbeddings(in.load("input_ids"), lengths);   // hidden_states[-2], layer 2 never runs
      for (int i = 0; i < 3; i++) Parity.of(cut(prompt, i, lengths[i]), out.load("prompt_embeds." + i)).assertFp32("prompt_embeds." + i);
    }
  }

  @Test
  void eachItemAlone_matchesItsGoldens() throws IOException {
    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      for (int i = 0; i < 3; i++) {
        Tensor ids = in.load("ids." + i).unsqueeze(0);
        List<Tensor> hs = enc.hiddenStates(ids, new long[] {lengths[i]}, 3, Probe.NONE);
        for (int k = 0; k < 4; k++) Parity.of(hs.get(k).select(0, 0), out.load("single.hidden_states." + k + "." + i)).assertFp32("single." + k + "." + i);
        // the last entry is model.norm of the last layer: the same tensor the golden stores again as last_hidden_state
        Parity.of(hs.get(3).select(0, 0), out.load("single.last_hidden_state." + i)).assertFp32("single.last_hidden_state." + i);
        Parity.of(enc.promptEmbeddings(ids, new long[] {lengths[i]}).select(0, 0), out.load("single.prompt_embeds." + i)).assertFp32("single.prompt_embeds." + i);
      }
    }
  }

  @Test
  void ropeTable_matchesGoldens() throws IOException {
    try (PointerScope s = new PointerScope()) {
      Qwen3Encoder.RopeTable rope = new Qwen3Encoder.RopeTable(enc.cfg);
      Parity.of(rope.invFreq(), out.load("rope.inv_freq")).assertFp32("rope.inv_freq");
      Tensor[] cs = rope.cosSin(24, Runtime.cpu().device());
      Parity.of(cs[0], out.load("rope.cos")).assertFp32("rope.cos");
      Parity.of(cs[1], out.load("rope.sin")).assertFp32("rope.sin");
      assertThat(Tensors.toLongs(out.load("rope.position_ids"))).containsExactly(java.util.stream.LongStream.range(0, 24).toArray());
    }
  }

  @Test
  void singleFileWithoutPrefix_andWithAnUntiedHead_loadsTheSameWeights(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("qwen_3_4b.safetensors");
    try (PointerScope s = new PointerScope(); Checkpoint ck = Checkpoint.open(Fixtures.path("qwen3-te/model.safetensors.index.json"))) {
      SafeTensorsWriter w = new SafeTensorsWriter();
      for (String n : ck.names()) w.put(n.substring("model.".length()), ck.load(n, ScalarType.Float, null));
      w.put("lm_head.weight", torch.zeros(512, 32));
      w.write(file);
    }
    Qwen3Encoder other = load(file);
    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Tensor a = enc.promptEmbeddings(in.load("input_ids"), lengths);
      assertThat(other.promptEmbeddings(in.load("input_ids"), lengths).sub(a).abs().max().item_float()).isZero();
    }
  }

  private static Tensor cut(Tensor batch, int i, long len) {
    return batch.select(0, i).narrow(0, 0, len);
  }
}
