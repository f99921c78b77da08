package dev.lathe.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.models.zimage.ZImage;
import dev.lathe.nn.Linear;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.TensorInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays ComfyUI's LoRA key mapping for Z-Image (its Lumina2 model class; docs: models.md §5c) over the
 * full-size model's native key list, and checks that every key of a LoRA / LoKr file Lathe writes is taken
 * and fits its weight. The key tables are built here from the documented layout, independently of the
 * model code, so the two cross-check each other.
 */
class ComfyKeyMapTest {
  static final int DIM = 3840, FFN = 10240, ADALN = 256, LAYERS = 30, REFINERS = 2;

  /** A native (ComfyUI) weight: key → [out, in]. */
  static Map<String, long[]> comfyNativeLinearWeights() {
    Map<String, long[]> w = new LinkedHashMap<>();
    List<String> blocks = new ArrayList<>();
    for (int i = 0; i < LAYERS; i++) blocks.add("layers." + i);
    for (int i = 0; i < REFINERS; i++) blocks.add("noise_refiner." + i);
    for (int i = 0; i < REFINERS; i++) blocks.add("context_refiner." + i);
    for (String b : blocks) {
      w.put(b + ".attention.qkv.weight", new long[] {3 * DIM, DIM});
      w.put(b + ".attention.out.weight", new long[] {DIM, DIM});
      w.put(b + ".feed_forward.w1.weight", new long[] {FFN, DIM});
      w.put(b + ".feed_forward.w3.weight", new long[] {FFN, DIM});
      w.put(b + ".feed_forward.w2.weight", new long[] {DIM, FFN});
      if (!b.startsWith("context_refiner")) w.put(b + ".adaLN_modulation.0.weight", new long[] {4 * DIM, ADALN});
    }
    w.put("x_embedder.weight", new long[] {DIM, 64});
    w.put("cap_embedder.1.weight", new long[] {DIM, 2560});
    w.put("t_embedder.mlp.0.weight", new long[] {1024, 256});
    w.put("t_embedder.mlp.2.weight", new long[] {ADALN, 1024});
    w.put("final_layer.linear.weight", new long[] {64, DIM});
    w.put("final_layer.adaLN_modulation.1.weight", new long[] {DIM, ADALN});
    return w;
  }

  /** The Linears of the diffusers layout (what Lathe builds in memory) → [in, out]. */
  static Map<String, long[]> diffusersLinears() {
    Map<String, long[]> m = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : comfyNativeLinearWeights().entrySet()) {
      String module = e.getKey().substring(0, e.getKey().length() - ".weight".length());
      long out = e.getValue()[0], in = e.getValue()[1];
      if (module.endsWith(".attention.qkv")) {
        String b = module.substring(0, module.length() - "qkv".length());
        for (String n : List.of("to_q", "to_k", "to_v")) m.put(b + n, new long[] {in, out / 3});
      } else {
        m.put(toDiffusers(module), new long[] {in, out});
      }
    }
    return m;
  }

  static String toDiffusers(String native_) {
    if (native_.endsWith(".attention.out")) return native_.replace(".attention.out", ".attention.to_out.0");
    if (native_.startsWith("x_embedder")) return native_.replace("x_embedder", "all_x_embedder.2-1");
    if (native_.startsWith("final_layer")) return native_.replace("final_layer", "all_final_layer.2-1");
    return native_;
  }

  /** A ComfyUI key-map target: the model weight and, for fused weights, the rows a module covers. */
  record Target(String weight, long offset, long rows) {}

  /** ComfyUI's key map for this model, as documented: generic names plus the diffusers names of Lumina2/Z-Image. */
  static Map<String, Target> comfyKeyMap() {
    Map<String, Target> map = new LinkedHashMap<>();
    Map<String, long[]> native_ = comfyNativeLinearWeights();
    for (Map.Entry<String, long[]> e : native_.entrySet()) {
      String module = e.getKey().substring(0, e.getKey().length() - ".weight".length());
      Target t = new Target(e.getKey(), 0, e.getValue()[0]);
      map.put("diffusion_model." + module, t);
      map.put(module, t);
      map.put("lora_unet_" + module.replace('.', '_'), t);
      // diffusers names, four prefixes, q/k/v onto row slices of the fused qkv
      List<Map.Entry<String, Target>> diffusers = new ArrayList<>();
      if (module.endsWith(".attention.qkv")) {
        String b = module.substring(0, module.length() - "qkv".length());
        String[] qkv = {"to_q", "to_k", "to_v"};
        for (int i = 0; i < 3; i++) diffusers.add(Map.entry(b + qkv[i], new Target(e.getKey(), (long) i * DIM, DIM)));
      } else {
        diffusers.add(Map.entry(toDiffusers(module), t));
      }
      for (Map.Entry<String, Target> d : diffusers) {
        for (String prefix : List.of("diffusion_model.", "transformer.", "")) map.put(prefix + d.getKey(), d.getValue());
        map.put("lycoris_" + d.getKey().replace('.', '_'), d.getValue());
      }
    }
    return map;
  }

  @BeforeAll
  static void load() {
    Runtime.load();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lora", "lokr-full", "lokr-decomposed"})
  void everyKeyLathWrites_isMappedByComfyUi_andFits(String kind, @TempDir Path dir) throws Exception {
    TensorOptions meta = new TensorOptions(ScalarType.Float).device(new DeviceOptional(new Device(DeviceType.Meta)));
    Map<String, Linear> layers = new LinkedHashMap<>();
    diffusersLinears().forEach((p, io) -> layers.put(p, new Linear(io[0], io[1], false, meta)));   // shapes only
    AdapterSpec spec = switch (kind) {
      case "lora" -> AdapterSpec.lora(4, 4);
      case "lokr-full" -> AdapterSpec.lokr(-1);
      default -> new AdapterSpec(AdapterSpec.Kind.LOKR, 4, 4, 0, -1, List.of(), List.of());
    };
    Path file = dir.resolve("zimage_" + kind + ".safetensors");
    try (PointerScope scope = new PointerScope()) {
      AdapterSet set = AdapterSet.attach(layers, ZImage::defaultTarget, spec, 1);   // the family's own default rule
      assertThat(set.size()).isEqualTo(LAYERS * 8);   // the 30 main blocks: q, k, v, out, w1, w2, w3, adaLN each
      set.save(file, "diffusion_model.", ScalarType.BFloat16, Map.of());
    }
    Map<String, Target> keyMap = comfyKeyMap();
    Map<String, long[]> weights = comfyNativeLinearWeights();
    List<String> unmapped = new ArrayList<>();
    int checked = 0;
    try (Checkpoint ck = Checkpoint.open(file)) {
      Map<String, Map<String, TensorInfo>> byModule = new LinkedHashMap<>();
      for (String name : ck.names()) {
        int cut = name.contains(".lora_") ? name.indexOf(".lora_") : name.lastIndexOf('.');
        byModule.computeIfAbsent(name.substring(0, cut), k -> new LinkedHashMap<>()).put(name.substring(cut + 1), ck.info(name));
      }
      for (Map.Entry<String, Map<String, TensorInfo>> m : byModule.entrySet()) {
        Target t = keyMap.get(m.getKey());
        if (t == null) {
          unmapped.add(m.getKey());
          continue;
        }
        long in = weights.get(t.weight())[1];
        Map<String, TensorInfo> parts = m.getValue();
        assertThat(parts).containsKey("alpha");
        if (parts.containsKey("lora_A.weight")) {
          assertThat(parts.get("lora_A.weight").shape()).as(m.getKey()).containsExactly(4, in);
          assertThat(parts.get("lora_B.weight").shape()).as(m.getKey()).containsExactly(t.rows(), 4);
        } else {
          TensorInfo w1 = parts.get("lokr_w1");
          long b = parts.containsKey("lokr_w2") ? parts.get("lokr_w2").dim(0) : parts.get("lokr_w2_a").dim(0);
          long d = parts.containsKey("lokr_w2") ? parts.get("lokr_w2").dim(1) : parts.get("lokr_w2_b").dim(1);
          assertThat(new long[] {w1.dim(0) * b, w1.dim(1) * d}).as(m.getKey()).containsExactly(t.rows(), in);
        }
        checked++;
      }
    }
    assertThat(unmapped).as("LoRA keys ComfyUI would log as 'lora key not loaded'").isEmpty();
    assertThat(checked).isEqualTo(LAYERS * 8);
  }
}
