package dev.lathe.models.zimage;

import dev.lathe.nn.Params;
import dev.lathe.testing.Fixtures;
import dev.lathe.testing.Parity;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.Runtime;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class FluxVaeParityTest {
  @Test
  void both() throws Exception {
    Runtime.load();
    for (String f : new String[] {"weights.safetensors", "weights_ldm.safetensors"}) {
      FluxVae vae;
      try (Checkpoint ck = Checkpoint.open(Fixtures.path("flux-vae/" + f))) {
        vae = new FluxVae(FluxVae.config(ck), Params.deferred(ScalarType.Float));
        FluxVae.load(vae, ck, new Device(org.bytedeco.pytorch.global.torch.DeviceType.CPU));
      }
      try (Checkpoint in = Checkpoint.open(Fixtures.path("flux-vae/inputs.safetensors"));
           Checkpoint out = Checkpoint.open(Fixtures.path("flux-vae/outputs.safetensors"));
           PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
        Map<String, Tensor> rec = new HashMap<>();
        Tensor[] m = vae.moments(in.load("image"), rec::put);
        System.out.println(f + " mean " + Parity.of(m[0], out.load("latent_mean")) + " logvar " + Parity.of(m[1], out.load("latent_logvar")));
        System.out.println(" dec " + Parity.of(vae.decodeRaw(in.load("latent"), rec::put), out.load("decoded")));
        System.out.println(" rec " + Parity.of(vae.decodeRaw(m[0], Probe.NONE), out.load("reconstruction")));
        System.out.println(" mid " + Parity.of(rec.get("encoder_mid_block"), out.load("inter.encoder_mid_block")) + " " + Parity.of(rec.get("decoder_mid_block"), out.load("inter.decoder_mid_block")));
      }
    }
  }
}
