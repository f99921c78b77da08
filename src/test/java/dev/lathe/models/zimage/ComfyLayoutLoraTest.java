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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A LoRA trained on a model loaded from ComfyUI's single file (fused qkv, native names) is the same file as one
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

  static Map<String, long[]> loraKeys(ModelFamily.LoadedModel m, Path file) throws Exception {
    try (PointerScope scope = new PointerScope()) {
      AdapterSet s = AdapterSet.attach(m.denoiser().linearLayers(), m.denoiser()::defaultTarget, AdapterSpec.lora(4, 4), 1);
      s.save(file, "diffusion_model.", ScalarType.BFloat16, Map.of());
    }
    Map<String, long[]> keys = new TreeMap<>();
    try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
      for (TensorInfo t : f.tensors()) keys.put(t.name(), t.shape());
    }
    return keys;
  }

  @Test
  void loraFromComfyLayout_equalsDiffusersLayout_andMapsOntoTheComfyFile(@TempDir Path dir) throws Exception {
    ZImage family = new ZImage();
    Path pipeline = dir.resolve("pipeline");
    family.writeRandom("tiny", 3, pipeline);
    Path comfy = writeComfy(pipeline.resolve("transformer"), dir.resolve("z_image_tiny_bf16.safetensors"));
    Runtime cpu = Runtime.cpu();
    Map<String, long[]> fromDiffusers;
    Map<String, long[]> fromComfy;
    try (ModelFamily.LoadedModel m = family.load(ModelSource.of(pipeline.toString()), cpu)) {
      fromDiffusers = loraKeys(m, dir.resolve("a.safetensors"));
    }
    ModelSource single = new ModelSource(comfy.toString(), pipeline.resolve("text_encoder").toString(), pipeline.resolve("vae").toString(),
        pipeline.resolve("tokenizer").toString());
    try (ModelFamily.LoadedModel m = family.load(single, cpu)) {
      fromComfy = loraKeys(m, dir.resolve("b.safetensors"));
    }
    assertThat(fromComfy.keySet()).isEqualTo(fromDiffusers.keySet());
    for (String k : fromDiffusers.keySet()) assertThat(fromComfy.get(k)).as(k).containsExactly(fromDiffusers.get(k));

    // replay ComfyUI's rules over the single file's real keys: diffusers names map onto native weights, q/k/v onto
    // row slices of the fused qkv
    Map<String, long[]> nativeWeights = new LinkedHashMap<>();
    try (SafeTensorsFile f = SafeTensorsFile.open(comfy)) {
      for (TensorInfo t : f.tensors()) nativeWeights.put(t.name().substring("model.diffusion_model.".length()), t.shape());
    }
    int dim = 64;
    List<String> unmapped = new ArrayList<>();
    for (String key : fromComfy.keySet()) {
      if (!key.endsWith(".lora_A.weight")) continue;
      String module = key.substring("diffusion_model.".length(), key.length() - ".lora_A.weight".length());
      ZImageKeys.ComfyModule cm = ZImageKeys.comfyModule(module, dim);
      long[] w = nativeWeights.get(cm.module() + ".weight");
      if (w == null) {
        unmapped.add(key);
        continue;
      }
      long rows = cm.rows() < 0 ? w[0] : cm.rows();
      assertThat(cm.rowStart() + rows).isLessThanOrEqualTo(w[0]);
      assertThat(fromComfy.get(key)).containsExactly(4, w[1]);
      assertThat(fromComfy.get(key.replace("lora_A", "lora_B"))).containsExactly(rows, 4);
    }
    assertThat(unmapped).isEmpty();
  }
}
