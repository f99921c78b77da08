package dev.lathe.models;

import dev.lathe.nn.Modules;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.SafeTensorsException;
import dev.lathe.torch.TensorInfo;
import dev.lathe.torch.Tensors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Fills a module's parameters from a checkpoint by name, each tensor read straight into the run dtype and device
 * and swapped in with {@code set_data}, so at most one tensor exists twice at any moment. Everything is checked
 * before the first byte is read: every parameter has a source of the right shape and every tensor in the file is
 * used (or deliberately ignored). Problems come back as one line naming the file and the keys.
 */
public final class WeightLoader {
  private WeightLoader() {}

  /** Where one parameter's values are in the file. */
  public sealed interface Source permits Direct, Rows, Reshaped {
    String key();
  }

  /** The tensor as it is. */
  public record Direct(String key) implements Source {}

  /** Rows {@code start .. start+count} of a fused tensor (e.g. q, k or v of a fused qkv). */
  public record Rows(String key, long start, long count) implements Source {}

  /** The same values under another shape with the same element count (e.g. a 1×1 conv kernel read as a matrix). */
  public record Reshaped(String key) implements Source {}

  /**
   * A checkpoint layout resolved against one file.
   *
   * @param sources parameter name → where it comes from
   * @param ignored file keys that are known and deliberately not loaded (another component's tensors, an lm_head)
   */
  public record KeyMap(Map<String, Source> sources, Set<String> ignored) {
    public KeyMap {
      sources = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sources));
      ignored = Set.copyOf(ignored);
    }
  }

  /** What a load did. */
  public record Report(int tensors, long bytes, double seconds) {}

  /**
   * Loads every parameter of {@code model}.
   *
   * @throws SafeTensorsException naming the file: missing tensors, unexpected tensors, shape mismatches
   */
  public static Report load(Module model, Checkpoint ck, KeyMap map, ScalarType dtype, Device device) throws IOException {
    long t0 = System.nanoTime();
    List<Modules.Named> params = Modules.parameters(model);
    check(params, ck, map);
    long bytes = 0;
    String cachedKey = null;
    Tensor cached = null;   // a fused tensor shared by consecutive row slices
    try (NoGradGuard g = new NoGradGuard()) {
      for (Modules.Named p : params) {
        Source src = map.sources().get(p.name());
        try (PointerScope scope = new PointerScope()) {
          Tensor value;
          if (src instanceof Rows r) {
            if (!r.key().equals(cachedKey)) {
              if (cached != null) cached.releaseReference();
              cached = ck.load(r.key(), dtype, device);
              cached.retainReference();
              cachedKey = r.key();
            }
            value = cached.narrow(0, r.start(), r.count()).clone();   // own copy: the fused tensor is dropped next
          } else {
            value = ck.load(src.key(), dtype, device);
            if (src instanceof Reshaped) value = value.reshape(Tensors.shape(p.tensor()));
          }
          p.tensor().set_data(value);
          bytes += value.nbytes();
        }
      }
    } finally {
      if (cached != null) cached.releaseReference();
    }
    return new Report(params.size(), bytes, (System.nanoTime() - t0) / 1e9);
  }

  /** Validates {@code map} against the file and the model without reading tensor data. */
  public static void check(List<Modules.Named> params, Checkpoint ck, KeyMap map) throws SafeTensorsException {
    List<String> missing = new ArrayList<>();
    List<String> shapes = new ArrayList<>();
    Set<String> used = new HashSet<>();
    for (Modules.Named p : params) {
      Source src = map.sources().get(p.name());
      if (src == null) {
        missing.add(p.name() + " (no source in this layout)");
        continue;
      }
      TensorInfo info = ck.info(src.key());
      if (info == null) {
        missing.add(src.key());
        continue;
      }
      used.add(src.key());
      long[] want = Tensors.shape(p.tensor());
      String problem = shapeProblem(src, info.shape(), want);
      if (problem != null) shapes.add("'" + src.key() + "' " + problem);
    }
    List<String> unexpected = new ArrayList<>();
    for (String name : ck.names()) if (!used.contains(name) && !map.ignored().contains(name)) unexpected.add(name);
    if (missing.isEmpty() && shapes.isEmpty() && unexpected.isEmpty()) return;
    List<String> parts = new ArrayList<>();
    if (!missing.isEmpty()) parts.add(count(missing.size(), "missing tensor") + " " + list(missing));
    if (!unexpected.isEmpty()) parts.add(count(unexpected.size(), "unexpected tensor") + " " + list(unexpected));
    if (!shapes.isEmpty()) parts.add(count(shapes.size(), "shape mismatch", "shape mismatches") + ": " + String.join("; ", shapes.subList(0, Math.min(3, shapes.size())))
        + (shapes.size() > 3 ? "; ..." : ""));
    throw new SafeTensorsException(ck.path(), "does not fit the model: " + String.join("; ", parts));
  }

  private static String shapeProblem(Source src, long[] have, long[] want) {
    if (src instanceof Direct) return Arrays.equals(have, want) ? null : "is " + Arrays.toString(have) + ", the model needs " + Arrays.toString(want);
    if (src instanceof Rows r) {
      boolean ok = have.length == want.length && have[0] >= r.start() + r.count() && r.count() == want[0]
          && Arrays.equals(Arrays.copyOfRange(have, 1, have.length), Arrays.copyOfRange(want, 1, want.length));
      return ok ? null : "is " + Arrays.toString(have) + ", too small for rows " + r.start() + ".." + (r.start() + r.count())
          + " of " + Arrays.toString(want);
    }
    long n1 = 1, n2 = 1;
    for (long d : have) n1 *= d;
    for (long d : want) n2 *= d;
    return n1 == n2 && have[0] == want[0] ? null : "is " + Arrays.toString(have) + ", cannot be read as " + Arrays.toString(want);
  }

  private static String count(int n, String what) {
    return count(n, what, what + "s");
  }

  private static String count(int n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  private static String list(List<String> keys) {
    List<String> shown = keys.subList(0, Math.min(4, keys.size())).stream().map(k -> "'" + k + "'").toList();
    return String.join(", ", shown) + (keys.size() > 4 ? ", ..." : "");
  }
}
