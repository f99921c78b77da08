package dev.lathe.models.zimage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.nn.Params;
import dev.lathe.testing.Fixtures;
import dev.lathe.testing.Parity;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.Runtime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ZImageTransformerParityTest {
  static ZImageTransformer model;
  static Checkpoint in;
  static Checkpoint out;

  @BeforeAll
  static void load() throws Exception {
    Runtime.load();
    try (Checkpoint ck = Checkpoint.open(Fixtures.path("zimage/weights.safetensors"))) {
      model = new ZImageTransformer(ZImageKeys.config(ck), Params.deferred(ScalarType.Float));
      ZImageKeys.load(model, ck, ScalarType.Float, new Device(org.bytedeco.pytorch.global.torch.DeviceType.CPU));
    }
    in = Checkpoint.open(Fixtures.path("zimage/inputs.safetensors"));
    out = Checkpoint.open(Fixtures.path("zimage/outputs.safetensors"));
  }

  @Test
  void mainCase_outputsAndIntermediates() throws Exception {
    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Map<String, Tensor> rec = new HashMap<>();
      List<Tensor> outs = model.forward(List.of(in.load("x.0"), in.load("x.1")), in.load("t"),
          List.of(in.load("cap_feats.0"), in.load("cap_feats.1")), (n, t) -> rec.put(n, t));
      for (int i = 0; i < 2; i++) {
        System.out.println("out." + i + " " + Parity.of(outs.get(i), out.load("out." + i)));
      }
      for (String n : out.names()) {
        if (!n.startsWith("inter.")) continue;
        String k = n.substring(6);
        Tensor mine = rec.get(k);
        System.out.println(n + " " + (mine == null ? "MISSING" : Parity.of(mine, out.load(n))));
      }
    }
  }
}
