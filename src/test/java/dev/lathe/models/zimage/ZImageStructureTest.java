package dev.lathe.models.zimage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.models.WeightLoader;
import dev.lathe.nn.Modules;
import dev.lathe.nn.Params;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.DType;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.TensorInfo;
import dev.lathe.torch.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Full-size models built from shapes only (placeholder parameters, no memory): their key tables against the
 * released files' as documented in docs/reference/models.md §1.2, and the layouts resolved against those tables.
 */
class ZImageStructureTest {
  static Map<String, long[]> turbo;

  @BeforeAll
  static void build() {
    Runtime.load();
    turbo = table(new ZImageTransformer(ZImageTransformer.Config.turbo(), Params.deferred(ScalarType.BFloat16)));
  }

  @Test
  void turbo_parameterCount_isTheReleasedOne() {
    assertThat(turbo.values().stream().mapToLong(ZImageStructureTest::numel).sum()).isEqualTo(6_154_908_736L);
  }

  @Test
  void turbo_diffusersKeys_exactlyTheDocumentedSet() {
    Map<String, long[]> expected = new LinkedHashMap<>();
    List<String> blocks = new ArrayList<>();
    for (int i = 0; i < 30; i++) blocks.add("layers." + i);
    for (int i = 0; i < 2; i++) blocks.add("noise_refiner." + i);
    for (int i = 0; i < 2; i++) blocks.add("context_refiner." + i);
    for (String p : blocks) {
      for (String q : List.of("to_q", "to_k", "to_v")) expected.put(p + ".attention." + q + ".weight", new long[] {3840, 3840});
      expected.put(p + ".attention.to_out.0.weight", new long[] {3840, 3840});
      expected.put(p + ".attention.norm_q.weight", new long[] {128});
      expected.put(p + ".attention.norm_k.weight", new long[] {128});
      for (String n : List.of("attention_norm1", "attention_norm2", "ffn_norm1", "ffn_norm2")) expected.put(p + "." + n + ".weight", new long[] {3840});
      expected.put(p + ".feed_forward.w1.weight", new long[] {10240, 3840});
      expected.put(p + ".feed_forward.w3.weight", new long[] {10240, 3840});
      expected.put(p + ".feed_forward.w2.weight", new long[] {3840, 10240});
      if (!p.startsWith("context_refiner")) {
        expected.put(p + ".adaLN_modulation.0.weight", new long[] {15360, 256});
        expected.put(p + ".adaLN_modulation.0.bias", new long[] {15360});
      }
    }
    expected.put("all_x_embedder.2-1.weight", new long[] {3840, 64});
    expected.put("all_x_embedder.2-1.bias", new long[] {3840});
    expected.put("cap_embedder.0.weight", new long[] {2560});
    expected.put("cap_embedder.1.weight", new long[] {3840, 2560});
    expected.put("cap_embedder.1.bias", new long[] {3840});
    expected.put("t_embedder.mlp.0.weight", new long[] {1024, 256});
    expected.put("t_embedder.mlp.0.bias", new long[] {1024});
    expected.put("t_embedder.mlp.2.weight", new long[] {256, 1024});
    expected.put("t_embedder.mlp.2.bias", new long[] {256});
    expected.put("x_pad_token", new long[] {1, 3840});
    expected.put("cap_pad_token", new long[] {1, 3840});
    expected.put("all_final_layer.2-1.linear.weight", new long[] {64, 3840});
    expected.put("all_final_layer.2-1.linear.bias", new long[] {64});
    expected.put("all_final_layer.2-1.adaLN_modulation.1.weight", new long[] {3840, 256});
    expected.put("all_final_layer.2-1.adaLN_modulation.1.bias", new long[] {3840});
    assertSameTable(turbo, expected);
  }

  @Test
  void turbo_comfyKeys_exactlyTheDocumentedSet_andTheLoaderResolvesThem() throws Exception {
    Map<String, long[]> comfy = ZImageKeys.comfyTable(turbo);
    Map<String, long[]> expected = new LinkedHashMap<>();
    for (var e : turbo.entrySet()) {
      String k = e.getKey();
      if (k.matches(".*\\.attention\\.to_[kv]\\.weight")) continue;
      k = k.replaceAll("\\.attention\\.to_q\\.weight$", ".attention.qkv.weight").replace(".to_out.0.", ".out.")
          .replace(".norm_q.", ".q_norm.").replace(".norm_k.", ".k_norm.")
          .replace("all_x_embedder.2-1.", "x_embedder.").replace("all_final_layer.2-1.", "final_layer.");
      expected.put(k, k.endsWith(".qkv.weight") ? new long[] {11520, 3840} : e.getValue());
    }
    assertSameTable(comfy, expected);
    assertThat(comfy).hasSize(turbo.size() - 2 * 34);
    assertThat(comfy.values().stream().mapToLong(ZImageStructureTest::numel).sum()).isEqualTo(6_154_908_736L);

    ZImageTransformer model = new ZImageTransformer(ZImageTransformer.Config.turbo(), Params.deferred(ScalarType.BFloat16));
    for (String prefix : List.of("", ZImageKeys.COMFY_PREFIX)) {
      Map<String, long[]> file = new LinkedHashMap<>();
      comfy.forEach((k, v) -> file.put(prefix + k, v));
      Checkpoint header = headerOnly(file);
      WeightLoader.check(Modules.parameters(model), header, ZImageKeys.keyMap(model, header));   // throws on any misfit
      assertThat(ZImageKeys.infer(header)).isEqualTo(ZImageTransformer.Config.turbo());
    }
    Checkpoint diffusers = headerOnly(turbo);
    WeightLoader.check(Modules.parameters(model), diffusers, ZImageKeys.keyMap(model, diffusers));
    assertThat(ZImageKeys.infer(diffusers)).isEqualTo(ZImageTransformer.Config.turbo());
  }

  @Test
  void comfyModule_mapsLoraTargetsOntoFusedRows() {
    assertThat(ZImageKeys.comfyModule("layers.3.attention.to_k", 3840)).isEqualTo(new ZImageKeys.ComfyModule("layers.3.attention.qkv", 3840, 3840));
    assertThat(ZImageKeys.comfyModule("layers.3.attention.to_out.0", 3840)).isEqualTo(new ZImageKeys.ComfyModule("layers.3.attention.out", 0, -1));
    assertThat(ZImageKeys.comfyModule("layers.3.feed_forward.w2", 3840)).isEqualTo(new ZImageKeys.ComfyModule("layers.3.feed_forward.w2", 0, -1));
  }

  @Test
  void turbo_linearLayers_andDefaultTargets() {
    ZImageTransformer t = new ZImageTransformer(ZImageTransformer.Config.turbo(), Params.deferred(ScalarType.BFloat16));
    ZImage.Denoising d = new ZImage.Denoising(t);
    Map<String, dev.lathe.nn.Linear> linears = d.linearLayers();
    // 34 blocks × (4 attention + 3 FFN) + 32 modulated × adaLN + x_embedder, cap_embedder, 2 t_embedder, 2 final
    assertThat(linears).hasSize(34 * 7 + 32 + 6);
    assertThat(linears.keySet()).contains("layers.3.attention.to_q", "layers.3.feed_forward.w1", "layers.3.adaLN_modulation.0",
        "noise_refiner.0.attention.to_k", "context_refiner.1.attention.to_out.0", "all_final_layer.2-1.adaLN_modulation.1");
    List<String> targets = linears.keySet().stream().filter(d::defaultTarget).toList();
    assertThat(targets).hasSize(30 * 8).allMatch(k -> k.startsWith("layers."));
    // every Linear is registered in the module tree under its path: its weight is the parameter of that name
    Map<String, Tensor> params = new LinkedHashMap<>();
    for (var p : Modules.parameters(t)) params.put(p.name(), p.tensor());
    for (var e : linears.entrySet()) {
      assertThat(Tensors.shape(params.get(e.getKey() + ".weight"))).containsExactly(Tensors.shape(e.getValue().weight()));
    }
  }

  /** Qwen3-4B as described in models.md §1.4 (key names unverified there against the shard headers). */
  @Test
  void qwen3_4b_keyTableFromConfig() throws Exception {
    Map<String, long[]> t = table(new Qwen3Encoder(Qwen3Encoder.Config.qwen3_4b(), Params.deferred(ScalarType.BFloat16)));
    assertThat(t.values().stream().mapToLong(ZImageStructureTest::numel).sum()).isEqualTo(4_022_468_096L);
    assertThat(t).hasSize(1 + 36 * 11 + 1);
    assertThat(t.get("model.embed_tokens.weight")).containsExactly(151936, 2560);
    assertThat(t.get("model.layers.35.self_attn.q_proj.weight")).containsExactly(4096, 2560);
    assertThat(t.get("model.layers.0.self_attn.k_proj.weight")).containsExactly(1024, 2560);
    assertThat(t.get("model.layers.0.self_attn.o_proj.weight")).containsExactly(2560, 4096);
    assertThat(t.get("model.layers.0.self_attn.q_norm.weight")).containsExactly(128);
    assertThat(t.get("model.layers.0.mlp.down_proj.weight")).containsExactly(2560, 9728);
    assertThat(t).containsKey("model.norm.weight").doesNotContainKey("lm_head.weight");
    Checkpoint header = headerOnly(t);
    assertThat(Qwen3Encoder.infer(header)).isEqualTo(Qwen3Encoder.Config.qwen3_4b());
  }

  /** The released Flux VAE in both layouts (the BFL names of ae.safetensors per models.md §2.4). */
  @Test
  void fluxVae_keyTablesInBothLayouts() throws Exception {
    FluxVae vae = new FluxVae(FluxVae.Config.flux(), Params.deferred(ScalarType.Float));
    Map<String, long[]> diffusers = table(vae);
    assertThat(diffusers.values().stream().mapToLong(ZImageStructureTest::numel).sum()).isEqualTo(83_819_683L);
    Map<String, long[]> bfl = new LinkedHashMap<>();
    diffusers.forEach((k, v) -> bfl.put(FluxVae.toBfl(k, 4), k.contains(".attentions.0.to_") && k.endsWith(".weight") ? new long[] {v[0], v[1], 1, 1} : v));
    assertThat(bfl).hasSameSizeAs(diffusers);
    assertThat(bfl.get("decoder.up.0.block.0.nin_shortcut.weight")).containsExactly(128, 256, 1, 1);
    assertThat(bfl.get("decoder.up.1.block.0.nin_shortcut.weight")).containsExactly(256, 512, 1, 1);
    assertThat(bfl.get("decoder.up.3.upsample.conv.weight")).containsExactly(512, 512, 3, 3);
    assertThat(bfl.get("encoder.down.2.downsample.conv.weight")).containsExactly(512, 512, 3, 3);
    assertThat(bfl.get("encoder.mid.attn_1.q.weight")).containsExactly(512, 512, 1, 1);
    assertThat(bfl.get("decoder.up.0.block.2.conv2.weight")).containsExactly(128, 128, 3, 3);
    assertThat(bfl).containsKeys("encoder.norm_out.weight", "decoder.mid.block_2.conv1.bias", "decoder.mid.attn_1.proj_out.bias", "encoder.conv_out.weight")
        .doesNotContainKeys("decoder.up.0.upsample.conv.weight", "encoder.down.3.downsample.conv.weight");
    assertThat(bfl.keySet()).noneMatch(k -> k.contains("_blocks") || k.contains("resnets") || k.contains("to_q"));
    for (var layout : List.of(diffusers, bfl)) {
      Checkpoint header = headerOnly(layout);
      WeightLoader.check(Modules.parameters(vae), header, FluxVae.keyMap(vae, header));
      assertThat(FluxVae.config(header)).isEqualTo(FluxVae.Config.flux());
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  static Map<String, long[]> table(Module m) {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (var p : Modules.parameters(m)) out.put(p.name(), Tensors.shape(p.tensor()));
    return out;
  }

  static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) n *= d;
    return n;
  }

  static void assertSameTable(Map<String, long[]> actual, Map<String, long[]> expected) {
    assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    for (var e : expected.entrySet()) assertThat(actual.get(e.getKey())).as(e.getKey()).containsExactly(e.getValue());
  }

  /** A checkpoint that has only a header: names, BF16 types and shapes (loading data fails). */
  static Checkpoint headerOnly(Map<String, long[]> shapes) {
    Map<String, TensorInfo> infos = new LinkedHashMap<>();
    long offset = 0;
    for (var e : shapes.entrySet()) {
      long bytes = numel(e.getValue()) * 2;
      infos.put(e.getKey(), new TensorInfo(e.getKey(), DType.BF16, e.getValue(), offset, offset + bytes));
      offset += bytes;
    }
    return new Checkpoint() {
      @Override
      public Path path() {
        return Path.of("header-only.safetensors");
      }

      @Override
      public List<String> names() {
        return List.copyOf(infos.keySet());
      }

      @Override
      public TensorInfo info(String name) {
        return infos.get(name);
      }

      @Override
      public Map<String, String> metadata() {
        return Map.of();
      }

      @Override
      public Tensor load(String name, ScalarType dtype, Device device) {
        throw new UnsupportedOperationException("header only");
      }

      @Override
      public void close() {}
    };
  }
}
