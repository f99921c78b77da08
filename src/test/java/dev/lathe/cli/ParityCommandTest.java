package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.testing.Fixtures;
import dev.lathe.torch.Checkpoint;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `lathe parity` reproduces every golden through the CLI, and `lathe inspect --load` reports a load. */
class ParityCommandTest {
  static String fx(String p) {
    return Fixtures.path(p).toString();
  }

  static CliTest.Result parity(Path out, String part, String weights, String inputs, String reference) {
    return CliTest.run("parity", "--family", "zimage", "--part", part, "--weights", weights, "--inputs", inputs, "--out", out.toString(),
        "--compare", reference);
  }

  @Test
  void transformer_comfyWeights_allGoldensWithinTheRule(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out.safetensors");
    CliTest.Result r = parity(out, "transformer", fx("zimage/weights_comfy.safetensors"), fx("zimage/inputs.safetensors"), fx("zimage/outputs.safetensors"));
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).doesNotContain("FAIL").contains("ragged.out.1").contains("inter.after_layer_1.0").contains("x_pos_ids.0");
    assertThat(r.out()).containsPattern("(2[4-9]|3[0-9]) tensors compared, 0 outside the fp32 rule");
    try (Checkpoint ck = Checkpoint.open(out)) {
      assertThat(ck.names()).contains("out.0", "out.1", "ragged.out.0", "ragged.out.1", "inter.t_freq");
      assertThat(ck.metadata()).containsEntry("lathe_part", "zimage/transformer");
    }
  }

  @Test
  void vae_bflWeights_encodeAndDecodeWithinTheRule(@TempDir Path dir) {
    for (String part : new String[] {"vae-encode", "vae-decode"}) {
      CliTest.Result r = parity(dir.resolve(part + ".safetensors"), part, fx("flux-vae/weights_ldm.safetensors"), fx("flux-vae/inputs.safetensors"),
          fx("flux-vae/outputs.safetensors"));
      assertThat(r.code()).as(r.out() + r.err()).isZero();
      assertThat(r.out()).contains(part.equals("vae-encode") ? "latent_logvar" : "decoded").contains("0 outside the fp32 rule");
    }
  }

  @Test
  void text_shardedIndex_everyHiddenStateWithinTheRule(@TempDir Path dir) {
    CliTest.Result r = parity(dir.resolve("text.safetensors"), "text", fx("qwen3-te/model.safetensors.index.json"), fx("qwen3-te/inputs.safetensors"),
        fx("qwen3-te/outputs.safetensors"));
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("hidden_states.3.2").contains("prompt_embeds.1").contains("18 tensors compared, 0 outside the fp32 rule");
  }

  @Test
  void wrongReference_reportsFailuresAndExitsOne(@TempDir Path dir) {
    CliTest.Result r = parity(dir.resolve("o.safetensors"), "vae-decode", fx("flux-vae/weights.safetensors"), fx("flux-vae/inputs.safetensors"),
        fx("zimage/outputs.safetensors"));
    assertThat(r.code()).isEqualTo(ExitCode.DATA);
    assertThat(r.err().strip()).isEqualTo("lathe: " + fx("zimage/outputs.safetensors") + ": no tensor name in common with the outputs");
  }

  @Test
  void unknownPartOrFamily_oneLineUsageError(@TempDir Path dir) {
    CliTest.Result r = parity(dir.resolve("o.safetensors"), "unet", fx("zimage/weights.safetensors"), fx("zimage/inputs.safetensors"), fx("zimage/outputs.safetensors"));
    assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err().strip()).isEqualTo("lathe: unknown part 'unet' for zimage; parts: transformer, vae-encode, vae-decode, text");
    r = CliTest.run("parity", "--family", "sd15", "--part", "x", "--weights", "w", "--inputs", "i", "--out", "o");
    assertThat(r.err().strip()).startsWith("lathe: unknown family 'sd15'; known: zimage");
  }

  @Test
  void missingInputs_oneLineDataError(@TempDir Path dir) {
    CliTest.Result r = CliTest.run("parity", "--family", "zimage", "--part", "vae-encode", "--weights", fx("flux-vae/weights.safetensors"),
        "--inputs", fx("zimage/inputs.safetensors"), "--out", dir.resolve("o.safetensors").toString());
    assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err().strip()).isEqualTo("lathe: " + fx("zimage/inputs.safetensors") + ": needs a tensor named 'image'");
  }

  @Test
  void inspectLoad_reportsTimeAndPeakMemory() {
    CliTest.Result r = CliTest.run("inspect", "--totals", "--load", "--device", "cpu", fx("zimage/weights_comfy.safetensors"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("loaded 89 tensors, 2\\.\\d MiB as Float on cpu in [0-9.]+ s").contains("peak RSS");
  }
}
