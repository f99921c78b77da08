package dev.lathe.models.zimage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.nn.Params;
import dev.lathe.testing.Fixtures;
import dev.lathe.testing.Parity;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.SafeTensorsWriter;
import dev.lathe.torch.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Flux VAE against the diffusers goldens (fixtures/flux-vae), in the diffusers and BFL/LDM layouts. */
class FluxVaeParityTest {
  static FluxVae load(Path file) throws IOException {
    Runtime.load();
    try (Checkpoint ck = Checkpoint.open(file)) {
      FluxVae vae = new FluxVae(FluxVae.config(ck), Params.deferred(ScalarType.Float));
      FluxVae.load(vae, ck, Runtime.cpu().device());
      return vae;
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"weights.safetensors", "weights_ldm.safetensors"})
  void encoderDecoderAndIntermediates_matchGoldens(String file) throws IOException {
    FluxVae vae = load(Fixtures.path("flux-vae/" + file));
    assertThat(vae.cfg).isEqualTo(FluxVae.Config.tiny());
    try (Checkpoint in = Checkpoint.open(Fixtures.path("flux-vae/inputs.safetensors"));
         Checkpoint out = Checkpoint.open(Fixtures.path("flux-vae/outputs.safetensors"));
         PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Map<String, Tensor> rec = new HashMap<>();
      Tensor[] m = vae.moments(in.load("image"), rec::put);
      Parity.of(m[0], out.load("latent_mean")).assertFp32("latent_mean");
      Parity.of(m[1], out.load("latent_logvar")).assertFp32("latent_logvar");
      Parity.of(vae.decodeRaw(in.load("latent"), rec::put), out.load("decoded")).assertFp32("decoded");
      Parity.of(vae.decodeRaw(m[0], Probe.NONE), out.load("reconstruction")).assertFp32("reconstruction");
      Parity.of(rec.get("encoder_mid_block"), out.load("inter.encoder_mid_block")).assertFp32("inter.encoder_mid_block");
      Parity.of(rec.get("decoder_mid_block"), out.load("inter.decoder_mid_block")).assertFp32("inter.decoder_mid_block");
    }
  }

  @Test
  void bflLayout_givesIdenticalOutputs_andPrefixedFullCheckpointLoads(@TempDir Path dir) throws IOException {
    Path aio = dir.resolve("full.safetensors");
    try (PointerScope s = new PointerScope(); Checkpoint ck = Checkpoint.open(Fixtures.path("flux-vae/weights_ldm.safetensors"))) {
      SafeTensorsWriter w = new SafeTensorsWriter();
      for (String n : ck.names()) w.put("first_stage_model." + n, ck.load(n));
      w.put("model.diffusion_model.x_pad_token", torch.zeros(1, 64));   // the transformer's tensors: not the VAE's business
      w.write(aio);
    }
    FluxVae diffusers = load(Fixtures.path("flux-vae/weights.safetensors"));
    FluxVae ldm = load(Fixtures.path("flux-vae/weights_ldm.safetensors"));
    FluxVae prefixed = load(aio);
    try (Checkpoint in = Checkpoint.open(Fixtures.path("flux-vae/inputs.safetensors")); PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Tensor a = diffusers.decodeRaw(in.load("latent"), Probe.NONE);
      assertThat(ldm.decodeRaw(in.load("latent"), Probe.NONE).sub(a).abs().max().item_float()).isZero();
      assertThat(prefixed.decodeRaw(in.load("latent"), Probe.NONE).sub(a).abs().max().item_float()).isZero();
      Tensor m = diffusers.moments(in.load("image"), Probe.NONE)[0];
      assertThat(ldm.moments(in.load("image"), Probe.NONE)[0].sub(m).abs().max().item_float()).isZero();
    }
  }

  @Test
  void codec_appliesScalingAndShift_andRoundTripsToTheReconstruction() throws IOException {
    FluxVae vae = load(Fixtures.path("flux-vae/weights.safetensors"));
    ZImage.Codec codec = new ZImage.Codec(vae, Runtime.cpu().device(), "test");
    assertThat(codec.latentChannels()).isEqualTo(16);
    assertThat(codec.downscale()).isEqualTo(2);
    try (Checkpoint in = Checkpoint.open(Fixtures.path("flux-vae/inputs.safetensors"));
         Checkpoint out = Checkpoint.open(Fixtures.path("flux-vae/outputs.safetensors")); PointerScope s = new PointerScope()) {
      Tensor z = codec.encode(in.load("image"));
      Tensor expected = out.load("latent_mean").sub(new Scalar(0.1159)).mul(new Scalar(0.3611));
      Parity.of(z, expected).assertFp32("encode = (mean − 0.1159)·0.3611");
      Parity.of(codec.decode(z), out.load("reconstruction")).assertFp32("decode(encode(x)) = decoder(mean)");
      Tensor zLatent = out.load("latent_mean").narrow(2, 0, 12);   // any latent: decode must undo the scaling first
      Parity.of(codec.decode(zLatent.sub(new Scalar(0.1159)).mul(new Scalar(0.3611))), vae.decodeRaw(zLatent, Probe.NONE)).assertFp32("decode scaling");
    }
  }

  @Test
  void config_inferredFromShapesAlone_equalsTheFixtureConfig() throws IOException {
    for (String f : new String[] {"weights.safetensors", "weights_ldm.safetensors"}) {
      try (Checkpoint ck = Checkpoint.open(Fixtures.path("flux-vae/" + f))) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String n : ck.names()) {
          TensorInfo ti = ck.info(n);
          shapes.put(n, ti.shape());
        }
        assertThat(FluxVae.config(ZImageStructureTest.headerOnly(shapes))).as(f).isEqualTo(FluxVae.Config.tiny());
      }
    }
  }
}
