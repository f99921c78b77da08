package dev.lathe.adapters;

import dev.lathe.nn.Linear;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.SafeTensorsException;
import dev.lathe.torch.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Reads adapter files in the spellings trainers and UIs write: PEFT / diffusers ({@code <prefix><module>.lora_A.weight},
 * {@code .lora_B.weight}, optional {@code .alpha}, also {@code lora_A.default.weight}), kohya / sd-scripts
 * ({@code lora_unet_<module with _>.lora_down.weight}, {@code .lora_up.weight}, {@code .alpha}) and LyCORIS LoKr
 * ({@code .lokr_w1}, {@code .lokr_w2} or {@code .lokr_w2_a/_b}, {@code .alpha}; also the {@code lycoris_} prefix).
 * Module names are matched against the model's own paths (and the family's aliases for fused layers), so a file
 * trained on another layout still lands on the right rows. Anything that matches nothing is an error, never
 * silently dropped.
 */
public final class AdapterFiles {
  private static final String[] DOTTED_PREFIXES = {"model.diffusion_model.", "diffusion_model.", "base_model.model.", "transformer.", "unet."};
  private static final String[] UNDERSCORE_PREFIXES = {"lora_unet_", "lora_transformer_", "lycoris_"};
  private static final String[] SUFFIXES = {
    "lora_A.default.weight", "lora_B.default.weight", "lora_A.weight", "lora_B.weight", "lora_down.weight", "lora_up.weight",
    "lokr_w1_a", "lokr_w1_b", "lokr_w2_a", "lokr_w2_b", "lokr_w1", "lokr_w2", "lokr_t2", "alpha", "dora_scale",
    "hada_w1_a", "hada_w1_b", "hada_w2_a", "hada_w2_b", "diff", "diff_b"};

  private AdapterFiles() {}

  /** What a file holds, from its header and a few small tensors (no model needed). */
  public record Summary(AdapterSpec.Kind kind, int rank, double alpha, List<String> modules) {}

  /** Kind, rank (LoRA: rows of the first lora_A / lora_down), alpha and module names of an adapter file. */
  public static Summary describe(Path file) throws IOException {
    try (Checkpoint ck = Checkpoint.open(file)) {
      Map<String, Map<String, String>> groups = group(ck, null);
      AdapterSpec.Kind kind = null;
      int rank = 0;
      double alpha = Double.NaN;
      for (Map.Entry<String, Map<String, String>> g : groups.entrySet()) {
        Map<String, String> parts = g.getValue();
        if (parts.containsKey("A")) {
          kind = AdapterSpec.Kind.LORA;
          if (rank == 0) rank = (int) ck.info(parts.get("A")).dim(0);
        } else if (parts.containsKey("lokr_w1") || parts.containsKey("lokr_w1_a")) {
          kind = kind == null ? AdapterSpec.Kind.LOKR : kind;
          if (parts.containsKey("lokr_w2_a") && rank == 0) rank = (int) ck.info(parts.get("lokr_w2_a")).dim(1);
        }
        if (parts.containsKey("alpha") && Double.isNaN(alpha)) alpha = Tensors.toFloats(ck.load(parts.get("alpha")))[0];
      }
      if (kind == null) throw new SafeTensorsException(file, "holds no LoRA (lora_A/lora_B, lora_down/lora_up) or LoKr (lokr_w1/lokr_w2) tensors");
      if (Double.isNaN(alpha)) alpha = kind == AdapterSpec.Kind.LORA ? rank : 1;
      return new Summary(kind, rank, alpha, List.copyOf(groups.keySet()));
    }
  }

  /**
   * Loads an adapter file onto a model's layers and attaches it.
   *
   * @param layers the model's targetable Linears by canonical path
   * @param aliases file module names that are not canonical paths → where they land (fused layers)
   * @throws IOException naming the file and the first modules that match no layer, or shapes that do not fit
   */
  public static AdapterSet load(Path file, Map<String, Linear> layers, Map<String, List<Slice>> aliases) throws IOException {
    Map<String, String> underscored = new LinkedHashMap<>();
    for (String p : layers.keySet()) underscored.put(p.replace('.', '_'), p);
    for (String p : aliases.keySet()) underscored.put(p.replace('.', '_'), p);
    try (Checkpoint ck = Checkpoint.open(file)) {
      Map<String, Map<String, String>> groups = group(ck, underscored);
      Map<String, Adapter> byPath = new LinkedHashMap<>();
      List<String> unmatched = new ArrayList<>();
      AdapterSpec.Kind kind = null;
      int rank = 0;
      double alphaSeen = Double.NaN;
      for (Map.Entry<String, Map<String, String>> g : groups.entrySet()) {
        String module = g.getKey();
        Map<String, String> parts = g.getValue();
        for (String unsupported : List.of("dora_scale", "lokr_t2", "hada_w1_a", "diff", "diff_b")) {
          if (parts.containsKey(unsupported))
            throw new SafeTensorsException(file, "module '" + module + "' uses " + unsupported + ", which Lathe does not load (LoRA and LoKr only)");
        }
        List<Slice> targets = layers.containsKey(module) ? List.of(Slice.whole(module)) : aliases.get(module);
        if (targets == null) {
          unmatched.add(module);
          continue;
        }
        double alpha;
        if (parts.containsKey("A")) {
          kind = AdapterSpec.Kind.LORA;
          Tensor a = ck.load(parts.get("A"), ScalarType.Float, null);
          Tensor b = requireLoad(ck, file, parts, "B", module);
          rank = (int) a.size(0);
          alpha = parts.containsKey("alpha") ? Tensors.toFloats(ck.load(parts.get("alpha")))[0] : rank;
          for (Slice s : targets) {
            Linear l = layers.get(s.path());
            Tensor bs = s.rows() < 0 ? b : b.narrow(0, s.rowOffset(), s.rows());
            checkShape(file, module, s.path(), a.size(1), bs.size(0), l);
            Device dev = deviceOf(l);
            byPath.put(s.path(), new LoraAdapter(s.path(), place(a.clone(), dev), place(bs.clone(), dev), alpha));
          }
        } else if (parts.containsKey("lokr_w1") || parts.containsKey("lokr_w1_a")) {
          kind = AdapterSpec.Kind.LOKR;
          Tensor w1 = parts.containsKey("lokr_w1") ? ck.load(parts.get("lokr_w1"), ScalarType.Float, null)
              : requireLoad(ck, file, parts, "lokr_w1_a", module).matmul(requireLoad(ck, file, parts, "lokr_w1_b", module));
          Tensor w2 = parts.containsKey("lokr_w2") ? ck.load(parts.get("lokr_w2"), ScalarType.Float, null) : null;
          Tensor w2a = w2 == null ? requireLoad(ck, file, parts, "lokr_w2_a", module) : null;
          Tensor w2b = w2 == null ? requireLoad(ck, file, parts, "lokr_w2_b", module) : null;
          alpha = parts.containsKey("alpha") ? Tensors.toFloats(ck.load(parts.get("alpha")))[0] : 1;
          long b = w2 != null ? w2.size(0) : w2a.size(0);
          for (Slice s : targets) {
            Tensor w1s = w1;
            if (s.rows() >= 0) {
              if (s.rowOffset() % b != 0 || s.rows() % b != 0)
                throw new SafeTensorsException(file, "LoKr on fused module '" + module + "' cannot be split onto " + s.path() + " exactly");
              w1s = w1.narrow(0, s.rowOffset() / b, s.rows() / b);
            }
            LokrAdapter ad = new LokrAdapter(s.path(), w1s.clone(), w2 == null ? null : w2.clone(), w2a == null ? null : w2a.clone(),
                w2b == null ? null : w2b.clone(), alpha);
            checkShape(file, module, s.path(), ad.in, ad.out, layers.get(s.path()));
            byPath.put(s.path(), ad);
          }
        } else {
          throw new SafeTensorsException(file, "module '" + module + "' has " + parts.keySet() + " but no lora_A/lora_down or lokr_w1");
        }
        if (Double.isNaN(alphaSeen)) alphaSeen = alpha;
      }
      if (!unmatched.isEmpty()) {
        throw new SafeTensorsException(file, unmatched.size() + " module(s) match no layer of this model, e.g. '" + unmatched.get(0)
            + "'" + closest(unmatched.get(0), layers.keySet()) + "; is the file for another model family?");
      }
      if (byPath.isEmpty()) throw new SafeTensorsException(file, "holds no LoRA or LoKr tensors");
      // keep module order of the model, not of the file
      Map<String, Adapter> ordered = new LinkedHashMap<>();
      for (String p : layers.keySet()) if (byPath.containsKey(p)) ordered.put(p, byPath.get(p));
      AdapterSpec spec = kind == AdapterSpec.Kind.LORA
          ? AdapterSpec.lora(rank, alphaSeen)
          : new AdapterSpec(AdapterSpec.Kind.LOKR, ordered.values().iterator().next() instanceof LokrAdapter l ? l.rank : 0,
              alphaSeen, 0, -1, List.of(), List.of());
      return AdapterSet.of(spec, ordered, layers);
    }
  }

  private static Tensor place(Tensor t, Device dev) {
    return dev == null ? t : t.to(dev, ScalarType.Float);
  }

  /** Where a layer's adapters live: its device, or null (the CPU) for CPU layers and shape-only (meta) layers. */
  static Device deviceOf(Linear l) {
    return Tensors.acceleratorOf(l.weight());
  }

  private static Tensor requireLoad(Checkpoint ck, Path file, Map<String, String> parts, String part, String module) throws IOException {
    String key = parts.get(part);
    if (key == null) throw new SafeTensorsException(file, "module '" + module + "' lacks its " + (part.equals("B") ? "lora_B/lora_up" : part) + " tensor");
    return ck.load(key, ScalarType.Float, null);
  }

  private static void checkShape(Path file, String module, String path, long in, long out, Linear l) throws SafeTensorsException {
    if (in != l.in || out != l.out)
      throw new SafeTensorsException(file, "module '" + module + "' is " + out + "x" + in + " but layer " + path + " is " + l.out + "x" + l.in);
  }

  /**
   * Groups tensor names by module: module → {part → tensor name}, parts "A", "B", "alpha", "lokr_w1", ...
   * With {@code underscored} null, underscore-prefixed names keep their underscored module token.
   */
  private static Map<String, Map<String, String>> group(Checkpoint ck, Map<String, String> underscored) {
    Map<String, Map<String, String>> groups = new TreeMap<>();
    for (String name : ck.names()) {
      String suffix = null;
      for (String s : SUFFIXES) {
        if (name.endsWith("." + s)) {
          suffix = s;
          break;
        }
      }
      if (suffix == null) continue;   // not an adapter tensor (e.g. a text-encoder embedding); ignored by design
      String module = name.substring(0, name.length() - suffix.length() - 1);
      module = stripPrefix(module, underscored);
      String part = switch (suffix) {
        case "lora_A.weight", "lora_A.default.weight", "lora_down.weight" -> "A";
        case "lora_B.weight", "lora_B.default.weight", "lora_up.weight" -> "B";
        default -> suffix;
      };
      groups.computeIfAbsent(module, k -> new LinkedHashMap<>()).put(part, name);
    }
    return groups;
  }

  private static String stripPrefix(String module, Map<String, String> underscored) {
    for (String p : UNDERSCORE_PREFIXES) {
      if (module.startsWith(p)) {
        String token = module.substring(p.length());
        if (underscored == null) return token;
        String dotted = underscored.get(token);
        return dotted != null ? dotted : token;
      }
    }
    for (String p : DOTTED_PREFIXES) if (module.startsWith(p)) return module.substring(p.length());
    return module;
  }

  private static String closest(String name, Iterable<String> candidates) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(name, c);
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    return best == null || bestD > Math.max(4, name.length() / 3) ? "" : " (closest layer: '" + best + "')";
  }

  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
