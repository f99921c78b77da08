package dev.lathe.models.zimage;

import dev.lathe.models.ModelFamily;
import dev.lathe.nn.Params;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * `lathe parity` for Z-Image: each part reads the inputs and writes the outputs under the names the goldens in
 * src/test/resources/fixtures use (see the README of each fixture folder).
 */
final class ZImageParts implements ModelFamily.PartRunner {
  private static final Pattern LATENT = Pattern.compile("(.*)x\\.([0-9]+)");

  @Override
  public List<String> parts() {
    return List.of("transformer", "vae-encode", "vae-decode", "text");
  }

  @Override
  public Map<String, Tensor> run(String part, Path weights, Checkpoint inputs, Runtime rt) throws IOException {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (NoGradGuard g = new NoGradGuard()) {
      switch (part) {
        case "transformer" -> transformer(weights, inputs, rt, out);
        case "vae-encode" -> vae(weights, rt, true, inputs, out);
        case "vae-decode" -> vae(weights, rt, false, inputs, out);
        case "text" -> text(weights, inputs, rt, out);
        default -> throw new IllegalArgumentException("unknown part '" + part + "'; Z-Image has " + String.join(", ", parts()));
      }
    }
    out.replaceAll((k, v) -> v.is_floating_point() ? v.to(ScalarType.Float).cpu().contiguous() : v.cpu().contiguous());
    return out;
  }

  /** Every case "{p}x.{i}", "{p}cap_feats.{i}", "{p}t" → "{p}out.{i}" (raw output), positions and intermediates. */
  private static void transformer(Path weights, Checkpoint in, Runtime rt, Map<String, Tensor> out) throws IOException {
    ZImageTransformer m = ZImage.loadTransformer(weights, rt);
    TreeSet<String> prefixes = new TreeSet<>();
    for (String n : in.names()) {
      Matcher mt = LATENT.matcher(n);
      if (mt.matches() && !mt.group(1).endsWith("_")) prefixes.add(mt.group(1));
    }
    prefixes.removeIf(p -> !in.contains(p + "t") || !in.contains(p + "cap_feats.0"));
    if (prefixes.isEmpty()) throw new IllegalArgumentException(in.path() + ": no case found; the transformer needs x.0, cap_feats.0 and t (any common prefix)");
    for (String p : prefixes) {
      List<Tensor> xs = new ArrayList<>();
      List<Tensor> caps = new ArrayList<>();
      for (int i = 0; in.contains(p + "x." + i); i++) {
        if (!in.contains(p + "cap_feats." + i)) throw new IllegalArgumentException(in.path() + ": " + p + "x." + i + " has no " + p + "cap_feats." + i);
        xs.add(in.load(p + "x." + i));
        caps.add(in.load(p + "cap_feats." + i));
      }
      List<Tensor> res = m.forward(xs, in.load(p + "t"), caps, (name, t) -> out.put(p + "inter." + name, t));
      for (int i = 0; i < res.size(); i++) out.put(p + "out." + i, res.get(i));
      ZImageTransformer.Geometry geo = new ZImageTransformer.Geometries(m.cfg).of(xs, caps, rt.device());
      for (int i = 0; i < res.size(); i++) {
        out.put(p + "x_pos_ids." + i, ids(geo.xIds[i]));
        out.put(p + "cap_pos_ids." + i, ids(geo.capIds[i]));
      }
    }
  }

  private static Tensor ids(int[][] rows) {
    long[] flat = new long[rows.length * 3];
    for (int r = 0; r < rows.length; r++) for (int a = 0; a < 3; a++) flat[r * 3 + a] = rows[r][a];
    return Tensors.fromLongs(flat, rows.length, 3).to(ScalarType.Int);
  }

  /** "image" → latent_mean, latent_logvar; "latent" → decoded (raw encoder and decoder: no scaling or shift). */
  private static void vae(Path weights, Runtime rt, boolean encode, Checkpoint in, Map<String, Tensor> out) throws IOException {
    FluxVae vae;
    try (Checkpoint ck = Checkpoint.open(weights)) {
      var json = configJson(weights);
      vae = new FluxVae(json != null ? FluxVae.Config.fromJson(json) : FluxVae.config(ck), Params.deferred(ScalarType.Float));
      FluxVae.load(vae, ck, rt.device());
    }
    String key = encode ? "image" : "latent";
    if (!in.contains(key)) throw new IllegalArgumentException(in.path() + ": needs a tensor named '" + key + "'");
    Tensor x = in.load(key, ScalarType.Float, rt.device());
    if (encode) {
      Tensor[] m = vae.moments(x, (name, t) -> out.put("inter." + name, t));
      out.put("latent_mean", m[0]);
      out.put("latent_logvar", m[1]);
    } else {
      out.put("decoded", vae.decodeRaw(x, (name, t) -> out.put("inter." + name, t)));
    }
  }

  /** "input_ids" [B, T] + "attention_mask" → hidden_states.{k}.{i}, prompt_embeds.{i}, last_hidden_state.{i}. */
  private static void text(Path weights, Checkpoint in, Runtime rt, Map<String, Tensor> out) throws IOException {
    Qwen3Encoder enc;
    try (Checkpoint ck = Checkpoint.open(weights)) {
      var json = configJson(weights);
      Qwen3Encoder.Config cfg = json != null && json.has("num_hidden_layers") ? Qwen3Encoder.Config.fromJson(json) : Qwen3Encoder.infer(ck);
      enc = new Qwen3Encoder(cfg, Params.deferred(rt.computeDtype()));
      Qwen3Encoder.load(enc, ck, rt.computeDtype(), rt.device());
    }
    if (!in.contains("input_ids")) throw new IllegalArgumentException(in.path() + ": needs 'input_ids' [B, T] (and 'attention_mask')");
    Tensor ids = in.load("input_ids");
    long b = ids.size(0), t = ids.size(1);
    long[] lengths = new long[(int) b];
    if (in.contains("attention_mask")) {
      long[] mask = Tensors.toLongs(in.load("attention_mask"));
      for (int i = 0; i < b; i++) for (int j = 0; j < t; j++) lengths[i] += mask[(int) (i * t + j)];
    } else {
      java.util.Arrays.fill(lengths, t);
    }
    int layers = enc.cfg.layers();
    List<Tensor> hs = enc.hiddenStates(ids, lengths, layers, Probe.NONE);
    for (int i = 0; i < b; i++) {
      for (int k = 0; k < hs.size(); k++) out.put("hidden_states." + k + "." + i, hs.get(k).select(0, i).narrow(0, 0, lengths[i]));
      out.put("prompt_embeds." + i, hs.get(layers - 1).select(0, i).narrow(0, 0, lengths[i]));
      out.put("last_hidden_state." + i, hs.get(layers).select(0, i).narrow(0, 0, lengths[i]));
    }
  }

  private static com.fasterxml.jackson.databind.JsonNode configJson(Path weights) throws IOException {
    Path dir = java.nio.file.Files.isDirectory(weights) ? weights : weights.toAbsolutePath().getParent();
    Path f = dir.resolve("config.json");
    return java.nio.file.Files.isRegularFile(f) ? new com.fasterxml.jackson.databind.ObjectMapper().readTree(f.toFile()) : null;
  }
}
