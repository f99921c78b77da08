package dev.lathe.models.zimage;

import dev.lathe.nn.Params;
import dev.lathe.testing.Fixtures;
import dev.lathe.testing.Parity;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.Tensors;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class Qwen3EncoderParityTest {
  @Test
  void all() throws Exception {
    Runtime.load();
    Qwen3Encoder enc;
    try (Checkpoint ck = Checkpoint.open(Fixtures.path("qwen3-te/model.safetensors.index.json"))) {
      enc = new Qwen3Encoder(Qwen3Encoder.Config.tiny(), Params.deferred(ScalarType.Float));
      Qwen3Encoder.load(enc, ck, ScalarType.Float, new Device(org.bytedeco.pytorch.global.torch.DeviceType.CPU));
    }
    try (Checkpoint in = Checkpoint.open(Fixtures.path("qwen3-te/inputs.safetensors"));
         Checkpoint out = Checkpoint.open(Fixtures.path("qwen3-te/outputs.safetensors"));
         PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      long[] lengths = Tensors.toLongs(in.load("lengths"));
      Map<String, Tensor> rec = new HashMap<>();
      List<Tensor> hs = enc.hiddenStates(in.load("input_ids"), lengths, 3, rec::put);
      for (int k = 0; k < 4; k++) for (int i = 0; i < 3; i++)
        System.out.println("hs." + k + "." + i + " " + Parity.of(hs.get(k).select(0, i).narrow(0, 0, lengths[i]), out.load("hidden_states." + k + "." + i)));
      for (String n : new String[]{"q_norm", "k_norm", "self_attn_out", "mlp_out", "attn_probs"}) for (int i = 0; i < 3; i++) {
        Tensor t = rec.get(n).select(0, i);
        long L = lengths[i];
        Tensor cut = n.equals("attn_probs") ? t.narrow(1, 0, L).narrow(2, 0, L) : t.narrow(0, 0, L);
        System.out.println(n + "." + i + " " + Parity.of(cut, out.load("inter.layer0." + n + "." + i)));
      }
    }
  }
}
