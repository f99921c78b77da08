package dev.lathe.models.zimage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.adapters.AdapterSet;
import dev.lathe.adapters.AdapterSpec;
import dev.lathe.models.ModelFamily;
import dev.lathe.models.ModelSource;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.SafeTensorsFile;
import dev.lathe.torch.SafeTensorsWriter;
import dev.lathe.torch.TensorInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A LoRA or LoKr (full or decomposed) trained on a model loaded from ComfyUI's single file (fused qkv, native names) is the same file as one
 * trained on the diffusers folder, and ComfyUI's key mapping takes every key of it onto the single file's own
 * weights with fitting shapes (the full-size key-list replay is in adapters.ComfyKeyMapTest).
 */
class ComfyLayoutLoraTest {

  /** The tiny model's transformer as a ComfyUI single file: q, k, v fused, keys renamed, bf16 like the release. */
  static Path writeComfy(Path diffusersTransformer, Path out) throws Exception {
    try (Checkpoint ck = Checkpoint.open(diffusersTransformer); PointerScope scope = new PointerScope()) {
      SafeTensorsWriter w = new SafeTensorsWriter();
      Map<String, List<Tensor>> fused = new TreeMap<>();
      for (String n : ck.names()) {
        String c = ZImageKeys.toComfy(n);
        Tensor t = ck.load(n, ScalarType.BFloat16, null);
        if (c.endsWith(".attention.qkv.weight")) fused.computeIfAbsent(c, k -> new ArrayList<>(List.of(t, t, t)))
            .set("qkv".indexOf(n.charAt(n.length() - ".weight".length() - 1)), t);
        else w.put("model.diffusion_model." + c, t);
      }
      for (var e : fused.entrySet()) w.put("model.diffusion_model." + e.getKey(), torch.cat(new TensorVector(e.getValue().toArray(new Tensor[0])), 0));
      w.write(out);
    }
    return out;
  }

  static Map<String, long[]> loraKeys(ModelFamily.LoadedModel m, Path file, AdapterSpec spec) throws Exception {
    try (PointerScope scope = new PointerScope()) {
      AdapterSet s = AdapterSet.attach(m.denoiser().linearLayers(), m.denoiser()::defaultTarget, spec, 1);
      s.save(file, "diffusion_model.", ScalarType.BFloat16, Map.of());
    }
    Map<String, long[]> keys = new TreeMap<>();
    try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
      for (TensorInfo t : f.tensors()) keys.put(t.name(), t.shape());
    }
    return keys;
  }

  static AdapterSpec spec(String kind) {
    return switch (kind) {
      case "lora" -> AdapterSpec.lora(4, 4);
      case "lokr-full" -> AdapterSpec.lokr(-1);
      default -> new AdapterSpec(AdapterSpec.Kind.LOKR, 4, 4, 0, -1, List.of(), List.of());   // W2 as w2_a · w2_b at rank 4
    };
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lora", "lokr-full", "lokr-decomposed"})
  void adapterFromComfyLayout_equalsDiffusersLayout_andMapsOntoTheComfyFile(String kind, @TempDir Path dir) throws Exception {
    ZImage family = new ZImage();
    Path pipeline = dir.resolve("pipeline");
    family.writeRandom("tiny", 3, pipeline);
    Path comfy = writeComfy(pipeline.resolve("transformer"), dir.resolve("z_image_tiny_bf16.safetensors"));
    Runtime cpu = Runtime.cpu();
    Map<String, long[]> fromDiffusers;
    Map<String, long[]> fromComfy;
    try (ModelFamily.LoadedModel m = family.load(ModelSource.of(pipeline.toString()), cpu)) {
      fromDiffusers = loraKeys(m, dir.resolve("a.safetensors"), spec(kind));
    }
    ModelSource single = new ModelSource(comfy.toString(), pipeline.resolve("text_encoder").toString(), pipeline.resolve("vae").toString(),
        pipeline.resolve("tokenizer").toString());
    try (ModelFamily.LoadedModel m = family.load(single, cpu)) {
      fromComfy = loraKeys(m, dir.resolve("b.safetensors"), spec(kind));
    }
    assertThat(fromComfy.keySet()).isEqualTo(fromDiffusers.keySet());
    for (String k : fromDiffusers.keySet()) assertThat(fromComfy.get(k)).as(k).containsExactly(fromDiffusers.get(k));
    String second = switch (kind) {
      case "lora" -> ".lora_B.weight";
      case "lokr-full" -> ".lokr_w2";
      default -> ".lokr_w2_b";
    };
    assertThat(fromComfy.keySet()).anyMatch(k -> k.endsWith(".attention.to_q" + second));

    // replay ComfyUI's rules over the single file's real keys: diffusers names map onto native weights, q/k/v onto
    // row slices of the fused qkv
    Map<String, long[]> nativeWeights = new LinkedHashMap<>();
    try (SafeTensorsFile f = SafeTensorsFile.open(comfy)) {
      for (TensorInfo t : f.tensors()) nativeWeights.put(t.name().substring("model.diffusion_model.".length()), t.shape());
    }
    int dim = 64;
    Map<String, Map<String, long[]>> byModule = new TreeMap<>();
    for (Map.Entry<String, long[]> e : fromComfy.entrySet()) {
      String name = e.getKey().substring("diffusion_model.".length());
      int cut = name.contains(".lora_") ? name.indexOf(".lora_") : name.lastIndexOf('.');
      byModule.computeIfAbsent(name.substring(0, cut), k -> new TreeMap<>()).put(name.substring(cut + 1), e.getValue());
    }
    List<String> unmapped = new ArrayList<>();
    for (Map.Entry<String, Map<String, long[]>> e : byModule.entrySet()) {
      ZImageKeys.ComfyModule cm = ZImageKeys.comfyModule(e.getKey(), dim);
      long[] w = nativeWeights.get(cm.module() + ".weight");
      if (w == null) {
        unmapped.add(e.getKey());
        continue;
      }
      long rows = cm.rows() < 0 ? w[0] : cm.rows();
      assertThat(cm.rowStart() + rows).isLessThanOrEqualTo(w[0]);
      Map<String, long[]> parts = e.getValue();
      assertThat(parts).containsKey("alpha");
      if (kind.equals("lora")) {
        assertThat(parts.get("lora_A.weight")).as(e.getKey()).containsExactly(4, w[1]);
        assertThat(parts.get("lora_B.weight")).as(e.getKey()).containsExactly(rows, 4);
      } else {
        // the Kronecker product kron(w1, w2) must be exactly the [rows, in] block it patches
        long[] w1 = parts.get("lokr_w1");
        long b = parts.containsKey("lokr_w2") ? parts.get("lokr_w2")[0] : parts.get("lokr_w2_a")[0];
        long d = parts.containsKey("lokr_w2") ? parts.get("lokr_w2")[1] : parts.get("lokr_w2_b")[1];
        assertThat(new long[] {w1[0] * b, w1[1] * d}).as(e.getKey()).containsExactly(rows, w[1]);
        if (parts.containsKey("lokr_w2_a")) assertThat(parts.get("lokr_w2_a")[1]).isEqualTo(4);
      }
    }
    assertThat(unmapped).as("adapter modules ComfyUI would log as 'lora key not loaded'").isEmpty();
    assertThat(byModule).isNotEmpty();
  }
}
