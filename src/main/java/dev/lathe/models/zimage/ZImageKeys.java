package dev.lathe.models.zimage;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.models.WeightLoader;
import dev.lathe.models.WeightLoader.Direct;
import dev.lathe.models.WeightLoader.KeyMap;
import dev.lathe.models.WeightLoader.Rows;
import dev.lathe.models.WeightLoader.Source;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.SafeTensorsException;
import dev.lathe.torch.TensorInfo;
import java.io.IOException;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that knows Z-Image checkpoint layouts other than the diffusers one the model is built in:
 * ComfyUI's native single file (fused {@code attention.qkv}, {@code out}, {@code q_norm/k_norm}, {@code x_embedder},
 * {@code final_layer}) with or without the {@code model.diffusion_model.} prefix of full checkpoints.
 */
final class ZImageKeys {
  /** Prefix of the transformer inside a full ComfyUI checkpoint. */
  static final String COMFY_PREFIX = "model.diffusion_model.";

  enum Layout {
    DIFFUSERS, COMFY
  }

  private ZImageKeys() {}

  /** The layout of a transformer file: ComfyUI's fused qkv or q_norm/k_norm names mark the native layout. */
  static Layout detect(Collection<String> names) {
    for (String n : names) {
      if (n.endsWith(".attention.qkv.weight") || n.endsWith(".attention.k_norm.weight") || n.endsWith(".attention.q_norm.weight"))
        return Layout.COMFY;
    }
    return Layout.DIFFUSERS;
  }

  /** {@link #COMFY_PREFIX} when any key carries it (the other keys then belong to other components), else "". */
  static String prefix(Collection<String> names) {
    for (String n : names) if (n.startsWith(COMFY_PREFIX)) return COMFY_PREFIX;
    return "";
  }

  /** Resolves every parameter of a model with config {@code cfg} against {@code ck}'s keys. */
  static KeyMap keyMap(ZImageTransformer model, Checkpoint ck) {
    String prefix = prefix(ck.names());
    Layout layout = detect(stripped(ck.names(), prefix));
    Map<String, Source> sources = new LinkedHashMap<>();
    for (var p : dev.lathe.nn.Modules.parameters(model)) sources.put(p.name(), source(p.name(), layout, prefix, model.cfg.dim()));
    Set<String> ignored = new HashSet<>();
    if (!prefix.isEmpty()) for (String n : ck.names()) if (!n.startsWith(prefix)) ignored.add(n);   // VAE, text encoder
    return new KeyMap(sources, ignored);
  }

  private static Source source(String name, Layout layout, String prefix, int dim) {
    if (layout == Layout.DIFFUSERS) return new Direct(prefix + name);
    Matcher m = QKV.matcher(name);
    if (m.matches()) {
      int part = "qkv".indexOf(m.group(2));
      return new Rows(prefix + m.group(1) + ".attention.qkv.weight", (long) part * dim, dim);
    }
    return new Direct(prefix + toComfy(name));
  }

  private static final Pattern QKV = Pattern.compile("(.+)\\.attention\\.to_([qkv])\\.weight");

  /** A diffusers tensor name in ComfyUI's native naming (q/k/v map to the fused {@code qkv}). */
  static String toComfy(String name) {
    String n = name;
    n = n.replaceFirst("\\.attention\\.to_[qkv]\\.weight$", ".attention.qkv.weight");
    n = n.replace(".attention.to_out.0.", ".attention.out.");
    n = n.replace(".attention.norm_q.", ".attention.q_norm.");
    n = n.replace(".attention.norm_k.", ".attention.k_norm.");
    n = n.replaceFirst("^all_x_embedder\\.[0-9]+-[0-9]+\\.", "x_embedder.");
    n = n.replaceFirst("^all_final_layer\\.[0-9]+-[0-9]+\\.", "final_layer.");
    return n;
  }

  /**
   * Where a diffusers Linear lives in a ComfyUI-native model: its module path and, for q/k/v, the row slice of the
   * fused qkv (a LoRA on {@code to_k} becomes rows dim..2·dim of {@code qkv}).
   */
  record ComfyModule(String module, long rowStart, long rows) {}

  static ComfyModule comfyModule(String diffusersModule, int dim) {
    Matcher m = Pattern.compile("(.+)\\.attention\\.to_([qkv])").matcher(diffusersModule);
    if (m.matches()) return new ComfyModule(m.group(1) + ".attention.qkv", (long) "qkv".indexOf(m.group(2)) * dim, dim);
    String weight = toComfy(diffusersModule + ".weight");
    return new ComfyModule(weight.substring(0, weight.length() - ".weight".length()), 0, -1);
  }

  /**
   * The ComfyUI-native key table of a diffusers key table (name → shape): q, k and v fuse into one tensor of three
   * times the rows.
   */
  static Map<String, long[]> comfyTable(Map<String, long[]> diffusers) {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (var e : diffusers.entrySet()) {
      String k = toComfy(e.getKey());
      long[] shape = e.getValue().clone();
      if (QKV.matcher(e.getKey()).matches()) {
        long[] have = out.get(k);
        if (have != null) shape[0] += have[0];
      }
      out.put(k, shape);
    }
    return out;
  }

  private static List<String> stripped(Collection<String> names, String prefix) {
    return names.stream().filter(n -> n.startsWith(prefix)).map(n -> n.substring(prefix.length())).toList();
  }

  /**
   * The config of a single-file transformer: its {@code __metadata__["config"]} when present, otherwise inferred from
   * tensor shapes. Shapes fix dim, heads, depth, caption width and the token width; the rest are Z-Image's constants
   * (patch 2 unless the diffusers key names another, RoPE axes split hd/4 : 3hd/8 : 3hd/8 as in every released size).
   */
  static ZImageTransformer.Config config(Checkpoint ck) throws IOException {
    String json = ck.metadata().get("config");
    if (json != null && json.contains("\"dim\"")) {
      try {
        return ZImageTransformer.Config.fromJson(new ObjectMapper().readTree(json));
      } catch (IOException | IllegalArgumentException e) {
        throw new SafeTensorsException(ck.path(), "__metadata__ config is not a Z-Image transformer config: " + firstLine(e));
      }
    }
    return infer(ck);
  }

  static ZImageTransformer.Config infer(Checkpoint ck) throws SafeTensorsException {
    String prefix = prefix(ck.names());
    Map<String, TensorInfo> byName = new LinkedHashMap<>();
    for (String n : ck.names()) if (n.startsWith(prefix)) byName.put(n.substring(prefix.length()), ck.info(n));
    int patch = 2, fPatch = 1;
    TensorInfo xEmb = byName.get("x_embedder.weight");
    for (var e : byName.entrySet()) {
      Matcher m = Pattern.compile("all_x_embedder\\.([0-9]+)-([0-9]+)\\.weight").matcher(e.getKey());
      if (m.matches()) {
        patch = Integer.parseInt(m.group(1));
        fPatch = Integer.parseInt(m.group(2));
        xEmb = e.getValue();
      }
    }
    TensorInfo cap = byName.get("cap_embedder.1.weight");
    TensorInfo qn = byName.containsKey("layers.0.attention.norm_q.weight") ? byName.get("layers.0.attention.norm_q.weight")
        : byName.get("layers.0.attention.q_norm.weight");
    if (xEmb == null || cap == null || qn == null)
      throw new SafeTensorsException(ck.path(), "not a Z-Image transformer: needs " + (xEmb == null ? "an x_embedder" : cap == null ? "cap_embedder.1.weight" : "layers.0.attention.norm_q / q_norm"));
    int dim = (int) xEmb.dim(0);
    int tokenDim = (int) xEmb.dim(1);
    int hd = (int) qn.dim(0);
    if (hd % 8 != 0 || dim % hd != 0) throw new SafeTensorsException(ck.path(), "head dim " + hd + " does not fit dim " + dim);
    int channels = tokenDim / (patch * patch * fPatch);
    ZImageTransformer.Config t = ZImageTransformer.Config.turbo();
    return new ZImageTransformer.Config(channels, patch, fPatch, dim, count(byName.keySet(), "layers"), count(byName.keySet(), "noise_refiner"),
        dim / hd, t.normEps(), (int) cap.dim(1), t.ropeTheta(), t.tScale(), List.of(hd / 4, 3 * hd / 8, 3 * hd / 8), t.axesLens());
  }

  private static int count(Collection<String> names, String list) {
    Pattern p = Pattern.compile(Pattern.quote(list) + "\\.([0-9]+)\\..*");
    int max = -1;
    for (String n : names) {
      Matcher m = p.matcher(n);
      if (m.matches()) max = Math.max(max, Integer.parseInt(m.group(1)));
    }
    return max + 1;
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int i = m.indexOf('\n');
    return i < 0 ? m : m.substring(0, i);
  }

  /** Loads {@code model}'s weights from {@code ck} in whichever layout it has. */
  static WeightLoader.Report load(ZImageTransformer model, Checkpoint ck, org.bytedeco.pytorch.global.torch.ScalarType dtype,
      org.bytedeco.pytorch.Device device) throws IOException {
    return WeightLoader.load(model, ck, keyMap(model, ck), dtype, device);
  }
}
