package dev.lathe.adapters;

import dev.lathe.nn.Linear;
import dev.lathe.nn.LinearAdapter;
import dev.lathe.torch.SafeTensorsWriter;
import dev.lathe.torch.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The adapters attached to one model: one per targeted Linear, all of one kind. Base weights change only in
 * {@link #merge} / {@link #unmerge}; otherwise adapters add their output beside the frozen layer. Adapter
 * tensors are fp32 masters on the layers' device (cast to the activations' dtype in the forward).
 */
public final class AdapterSet {
  private final AdapterSpec spec;
  private final Map<String, Adapter> byPath;       // in module order
  private final Map<String, Linear> layers;
  private double mergedAt;                         // 0 when not merged

  private AdapterSet(AdapterSpec spec, Map<String, Adapter> byPath, Map<String, Linear> layers) {
    this.spec = spec;
    this.byPath = byPath;
    this.layers = layers;
    for (Map.Entry<String, Adapter> e : byPath.entrySet()) slot(layers.get(e.getKey())).members.add(e.getValue());
  }

  /**
   * Creates fresh adapters (ΔW = 0) on the layers {@code spec} selects and attaches them.
   *
   * @param layers every targetable Linear by canonical module path, in module order
   * @param defaults the family's default targets, used when {@code spec.include()} is empty
   * @param seed seeds the initial A (LoRA) / W1 (LoKr) values
   * @throws IllegalArgumentException when no layer is selected, naming the patterns and a few real paths
   */
  public static AdapterSet attach(Map<String, Linear> layers, Predicate<String> defaults, AdapterSpec spec, long seed) {
    List<String> chosen = Targeting.select(new ArrayList<>(layers.keySet()), defaults, spec.include(), spec.exclude());
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("no layer matches the target patterns include=" + spec.include() + " exclude="
          + spec.exclude() + "; layers look like: " + String.join(", ", layers.keySet().stream().limit(3).toList()));
    }
    Generator gen = dev.lathe.torch.Runtime.generator(seed);
    Map<String, Adapter> byPath = new LinkedHashMap<>();
    for (String path : chosen) {
      Linear l = layers.get(path);
      org.bytedeco.pytorch.Device dev = AdapterFiles.deviceOf(l);
      Adapter a = spec.kind() == AdapterSpec.Kind.LORA
          ? new LoraAdapter(path, l.in, l.out, spec.rank(), spec.alpha(), gen, dev)
          : new LokrAdapter(path, l.in, l.out, spec.rank(), spec.alpha(), spec.lokrFactor(), gen, dev);
      a.dropout = spec.dropout();
      byPath.put(path, a);
    }
    return new AdapterSet(spec, byPath, layers);
  }

  /** Attaches adapters read from a file (see {@link AdapterFiles#read}). */
  static AdapterSet of(AdapterSpec spec, Map<String, Adapter> byPath, Map<String, Linear> layers) {
    return new AdapterSet(spec, byPath, layers);
  }

  private static AdapterStack slot(Linear l) {
    LinearAdapter cur = l.adapter();
    if (cur instanceof AdapterStack s) return s;
    if (cur != null) throw new IllegalStateException("layer carries a foreign adapter " + cur.getClass().getName());
    AdapterStack s = new AdapterStack();
    l.setAdapter(s);
    return s;
  }

  public AdapterSpec spec() {
    return spec;
  }

  /** Targeted module paths, in module order. */
  public List<String> paths() {
    return List.copyOf(byPath.keySet());
  }

  public int size() {
    return byPath.size();
  }

  /** Trainable tensors by "path.suffix" (e.g. "layers.0.attention.to_q.lora_A.weight"), in module order. */
  public Map<String, Tensor> parameters() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (Adapter a : byPath.values()) for (Map.Entry<String, Tensor> e : a.tensors().entrySet()) m.put(a.path + "." + e.getKey(), e.getValue());
    return Collections.unmodifiableMap(m);
  }

  /** Number of trainable values. */
  public long parameterCount() {
    long n = 0;
    for (Tensor t : parameters().values()) n += t.numel();
    return n;
  }

  /** Output multiplier for every adapter (LoRA scale while sampling; −1 for a training adapter). */
  public void setMultiplier(double m) {
    for (Adapter a : byPath.values()) a.multiplier = m;
  }

  /** Switches the adapters' paths on or off without touching their weights. */
  public void setEnabled(boolean on) {
    if (on && mergedAt != 0) throw new IllegalStateException("adapters are merged into the base weights; unmerge first");
    for (Adapter a : byPath.values()) a.enabled = on;
  }

  /** Training mode turns dropout on. */
  public void train(boolean on) {
    for (Adapter a : byPath.values()) a.training = on;
  }

  /**
   * Adds multiplier·ΔW into each base weight (computed in fp32, then cast to the weight's dtype) and disables the
   * adapter paths, so the model computes the same without them.
   */
  public void merge(double multiplier) {
    if (mergedAt != 0) throw new IllegalStateException("already merged");
    apply(multiplier);
    mergedAt = multiplier;
    for (Adapter a : byPath.values()) a.enabled = false;
  }

  /** Subtracts what {@link #merge} added and re-enables the adapter paths. */
  public void unmerge() {
    if (mergedAt == 0) throw new IllegalStateException("not merged");
    if (cancelled) setCancelled(false);
    apply(-mergedAt);
    mergedAt = 0;
    for (Adapter a : byPath.values()) a.enabled = true;
  }

  public boolean merged() {
    return mergedAt != 0;
  }

  /**
   * For merged adapters: runs their path at the opposite multiplier beside the merged weights, so the model
   * computes as if they were absent — without touching the base weights (no rounding drift in bf16). This is
   * how a training adapter merged at +1 is removed while sampling previews.
   */
  public void setCancelled(boolean on) {
    if (mergedAt == 0) throw new IllegalStateException("only merged adapters can be cancelled");
    if (on == cancelled) return;
    for (Adapter a : byPath.values()) {
      a.enabled = on;
      if (on) {
        a.savedMultiplier = a.multiplier;
        a.multiplier = -mergedAt;
      } else {
        a.multiplier = a.savedMultiplier;
      }
    }
    cancelled = on;
  }

  private boolean cancelled;

  private void apply(double multiplier) {
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      Scalar m = new Scalar(multiplier);
      for (Adapter a : byPath.values()) {
        Tensor w = layers.get(a.path).weight();
        Tensor delta = a.delta().detach().mul(m);
        if (w.scalar_type().intern() == ScalarType.Float) w.add_(delta);
        else w.copy_(w.to(ScalarType.Float).add(delta).to(w.scalar_type()));
      }
    }
  }

  /** Removes the adapters from their layers. */
  public void detach() {
    if (mergedAt != 0) unmerge();
    for (Adapter a : byPath.values()) {
      Linear l = layers.get(a.path);
      if (l.adapter() instanceof AdapterStack s) {
        s.members.remove(a);
        if (s.members.isEmpty()) l.setAdapter(null);
      }
    }
  }

  /** A detached fp32 CPU copy of every trainable tensor (for EMA, checkpoints and tests). */
  public Map<String, Tensor> snapshot() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    try (NoGradGuard ng = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : parameters().entrySet()) {
        Tensor c = e.getValue().detach().to(ScalarType.Float).cpu().clone();
        m.put(e.getKey(), c);
      }
    }
    return m;
  }

  /** Overwrites the trainable tensors in place from {@code values} (same names and shapes). */
  public void load(Map<String, Tensor> values) {
    try (NoGradGuard ng = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : parameters().entrySet()) {
        Tensor v = values.get(e.getKey());
        if (v == null) throw new IllegalArgumentException("no value for adapter tensor " + e.getKey());
        e.getValue().copy_(v);
      }
    }
  }

  /**
   * Writes the adapters as a ComfyUI / diffusers loadable file: LoRA as {@code <prefix><path>.lora_A.weight} /
   * {@code .lora_B.weight} plus a 0-d F32 {@code .alpha}; LoKr as {@code .lokr_w1}, {@code .lokr_w2} (or
   * {@code .lokr_w2_a} / {@code _b}) and {@code .alpha}. Written atomically.
   *
   * @param dtype element type of the factors in the file (bf16, fp16 or fp32)
   */
  public void save(Path file, String prefix, ScalarType dtype, Map<String, String> metadata) throws IOException {
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      SafeTensorsWriter w = new SafeTensorsWriter().metadata(metadata);
      for (Adapter a : byPath.values()) {
        for (Map.Entry<String, Tensor> e : a.tensors().entrySet()) w.put(prefix + a.path + "." + e.getKey(), e.getValue().detach().to(dtype));
        w.put(prefix + a.path + ".alpha", Tensors.fromFloats(new float[] {(float) a.alpha()}));
      }
      w.write(file);
    }
  }

  /** The adapter on {@code path}'s output for {@code x} (tests and tools). */
  Adapter adapter(String path) {
    return byPath.get(path);
  }

  /** ΔW of one adapter at multiplier 1, fp32 (tools and tests). */
  public Tensor delta(String path) {
    Adapter a = byPath.get(path);
    if (a == null) throw new IllegalArgumentException("no adapter on " + path);
    return a.delta();
  }
}
