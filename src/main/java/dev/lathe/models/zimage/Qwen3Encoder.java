package dev.lathe.models.zimage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.models.WeightLoader;
import dev.lathe.models.WeightLoader.Direct;
import dev.lathe.models.WeightLoader.KeyMap;
import dev.lathe.models.WeightLoader.Source;
import dev.lathe.nn.Embedding;
import dev.lathe.nn.Keep;
import dev.lathe.nn.Layer;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Modules;
import dev.lathe.nn.Params;
import dev.lathe.nn.RMSNorm;
import dev.lathe.nn.Rope;
import dev.lathe.nn.Sdpa;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.SafeTensorsException;
import dev.lathe.torch.TensorInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The Qwen3 decoder stack as Z-Image uses it (transformers {@code Qwen3Model}; Qwen3-4B in the release): grouped-query
 * attention with per-head q/k RMSNorm before a half-split (NeoX) RoPE, SwiGLU MLPs, causal attention. Z-Image's prompt
 * embedding is {@code hidden_states[-2]}, the output of the second-to-last layer, so {@link #promptEmbeddings} stops
 * there. Module names are the Hugging Face keys with their {@code model.} prefix.
 *
 * <p>Shapes: B prompts, T tokens (right-padded), D hidden, Hq query heads, Hkv kv heads, hd head dim, I MLP width.
 */
final class Qwen3Encoder extends Layer {
  /** The fields of the Hugging Face config.json the architecture depends on. */
  record Config(int hidden, int layers, int heads, int kvHeads, int headDim, int intermediate, int vocab, double eps, double theta) {
    Config {
      if (heads % kvHeads != 0) throw new IllegalArgumentException("num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
      if (headDim % 2 != 0) throw new IllegalArgumentException("head_dim " + headDim + " must be even");
    }

    /** Qwen3-4B, Z-Image's text encoder. */
    static Config qwen3_4b() {
      return new Config(2560, 36, 32, 8, 128, 9728, 151936, 1e-6, 1_000_000.0);
    }

    /** The parity fixture's config. */
    static Config tiny() {
      return new Config(32, 3, 4, 2, 16, 80, 512, 1e-6, 1_000_000.0);
    }

    /** This config as a Hugging Face Qwen3 config.json. */
    com.fasterxml.jackson.databind.node.ObjectNode toJson() {
      var n = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
      n.putArray("architectures").add("Qwen3ForCausalLM");
      n.put("model_type", "qwen3");
      n.put("hidden_size", hidden);
      n.put("num_hidden_layers", layers);
      n.put("num_attention_heads", heads);
      n.put("num_key_value_heads", kvHeads);
      n.put("head_dim", headDim);
      n.put("intermediate_size", intermediate);
      n.put("vocab_size", vocab);
      n.put("rms_norm_eps", eps);
      n.put("rope_theta", theta);
      n.putNull("rope_scaling");
      n.put("tie_word_embeddings", true);
      n.put("attention_bias", false);
      n.put("hidden_act", "silu");
      n.put("torch_dtype", "float32");
      return n;
    }

    static Config fromJson(JsonNode n) {
      String type = n.path("model_type").asText("qwen3");
      if (!type.equals("qwen3")) throw new IllegalArgumentException("model_type '" + type + "' is not qwen3");
      if (n.hasNonNull("rope_scaling")) throw new IllegalArgumentException("rope_scaling is set; Lathe implements the default RoPE only");
      int hidden = n.path("hidden_size").asInt();
      int heads = n.path("num_attention_heads").asInt();
      return new Config(hidden, n.path("num_hidden_layers").asInt(), heads, n.path("num_key_value_heads").asInt(heads),
          n.path("head_dim").asInt(hidden / Math.max(1, heads)), n.path("intermediate_size").asInt(), n.path("vocab_size").asInt(),
          n.path("rms_norm_eps").asDouble(1e-6), n.path("rope_theta").asDouble(1_000_000.0));
    }
  }

  final Config cfg;
  private final Embedding embed;
  private final List<DecoderLayer> layers;
  private final RMSNorm norm;
  private final RopeTable rope;

  Qwen3Encoder(Config cfg, Params params) {
    super("Qwen3Model");
    this.cfg = cfg;
    Module model = register_module("model", Modules.container("Qwen3Model"));
    embed = model.register_module("embed_tokens", new Embedding(cfg.vocab, cfg.hidden, params));
    List<DecoderLayer> ls = new ArrayList<>();
    for (int i = 0; i < cfg.layers; i++) ls.add(new DecoderLayer(cfg, params));
    layers = Modules.list(model, "layers", ls);
    norm = model.register_module("norm", new RMSNorm(cfg.hidden, cfg.eps, params));
    rope = new RopeTable(cfg);
  }

  ScalarType dtype() {
    return embed.weight().scalar_type().intern();
  }

  /** Z-Image's prompt embedding, hidden_states[-2]: [B, T, D]; rows past each length are padding. */
  Tensor promptEmbeddings(Tensor ids, long[] lengths) {
    return hiddenStates(ids, lengths, cfg.layers - 1, Probe.NONE).get(cfg.layers - 1);
  }

  /**
   * hidden_states as transformers returns them: [0] the embeddings, [k] the output of layer k−1; when every layer
   * runs, the last entry is {@code model.norm} of the last layer's output.
   *
   * @param ids Long [B, T], right-padded
   * @param lengths real tokens per row
   * @param run how many layers to run (all of them, or fewer when only an earlier state is wanted)
   */
  List<Tensor> hiddenStates(Tensor ids, long[] lengths, int run, Probe probe) {
    long b = ids.size(0), t = ids.size(1);
    Device device = embed.weight().device();
    Tensor[] cs = rope.cosSin(t, device);                                      // 2 × [T, hd] fp32
    Tensor mask = causalMask(lengths, t, device);                              // [B, 1, T, T] or null (plain causal)
    Tensor h = embed.forward(ids.to(device, ScalarType.Long));                 // [B, T, D]
    List<Tensor> states = new ArrayList<>();
    states.add(h);
    for (int i = 0; i < run; i++) {
      Tensor out = layers.get(i).forward(h, mask, cs[0], cs[1], i == 0 ? probe : Probe.NONE);
      if (i == cfg.layers - 1) {
        probe.record("last_layer_raw", out);
        out = norm.forward(out);
      }
      states.add(out);
      h = out;
    }
    return states;
  }

  /** Causal ∧ key-is-real, or null when no row is padded (SDPA's own causal mask then suffices). */
  private static Tensor causalMask(long[] lengths, long t, Device device) {
    boolean full = true;
    for (long l : lengths) full &= l == t;
    if (full) return null;
    Tensor pos = torch.arange(new Scalar(0), new Scalar(t), new org.bytedeco.pytorch.TensorOptions(ScalarType.Long));
    Tensor causal = pos.view(1, 1, 1, t).le(pos.view(1, 1, t, 1));            // key ≤ query
    Tensor len = dev.lathe.torch.Tensors.fromLongs(lengths.clone(), lengths.length, 1, 1, 1);
    Tensor real = pos.view(1, 1, 1, t).lt(len);                                // key < length
    return causal.logical_and(real).to(device, ScalarType.Bool);
  }

  /** One decoder layer: x += attn(input_layernorm(x)); x += mlp(post_attention_layernorm(x)). */
  static final class DecoderLayer extends Layer {
    private final SelfAttention attn;
    private final Mlp mlp;
    private final RMSNorm inputNorm, postNorm;

    DecoderLayer(Config cfg, Params params) {
      super("Qwen3DecoderLayer");
      attn = register_module("self_attn", new SelfAttention(cfg, params));
      mlp = register_module("mlp", new Mlp(cfg, params));
      inputNorm = register_module("input_layernorm", new RMSNorm(cfg.hidden, cfg.eps, params));
      postNorm = register_module("post_attention_layernorm", new RMSNorm(cfg.hidden, cfg.eps, params));
    }

    Tensor forward(Tensor x, Tensor mask, Tensor cos, Tensor sin, Probe probe) {
      Tensor a = attn.forward(inputNorm.forward(x), mask, cos, sin, probe);    // [B, T, D]
      probe.record("self_attn_out", a);
      x = x.add(a);
      Tensor m = mlp.forward(postNorm.forward(x));
      probe.record("mlp_out", m);
      return x.add(m);
    }
  }

  /** q/k/v projections, per-head RMSNorm on q and k, RoPE, causal GQA attention, o_proj. No biases. */
  static final class SelfAttention extends Layer {
    private final Linear q, k, v, o;
    private final RMSNorm qNorm, kNorm;
    private final int heads, kvHeads, headDim;

    SelfAttention(Config cfg, Params params) {
      super("Qwen3Attention");
      heads = cfg.heads;
      kvHeads = cfg.kvHeads;
      headDim = cfg.headDim;
      q = register_module("q_proj", new Linear(cfg.hidden, (long) heads * headDim, false, params));
      k = register_module("k_proj", new Linear(cfg.hidden, (long) kvHeads * headDim, false, params));
      v = register_module("v_proj", new Linear(cfg.hidden, (long) kvHeads * headDim, false, params));
      o = register_module("o_proj", new Linear((long) heads * headDim, cfg.hidden, false, params));
      qNorm = register_module("q_norm", new RMSNorm(headDim, cfg.eps, params));
      kNorm = register_module("k_norm", new RMSNorm(headDim, cfg.eps, params));
    }

    Tensor forward(Tensor x, Tensor mask, Tensor cos, Tensor sin, Probe probe) {
      long b = x.size(0), t = x.size(1);
      Tensor qs = qNorm.forward(q.forward(x).view(b, t, heads, headDim));      // [B, T, Hq, hd]
      Tensor ks = kNorm.forward(k.forward(x).view(b, t, kvHeads, headDim));    // [B, T, Hkv, hd]
      Tensor vs = v.forward(x).view(b, t, kvHeads, headDim).transpose(1, 2);   // [B, Hkv, T, hd]
      probe.record("q_norm", qs);
      probe.record("k_norm", ks);
      qs = Rope.halfSplit(qs.transpose(1, 2), cos, sin);                        // [B, Hq, T, hd]
      ks = Rope.halfSplit(ks.transpose(1, 2), cos, sin);                        // [B, Hkv, T, hd]
      if (probe != Probe.NONE) probe.record("attn_probs", probabilities(qs, ks, mask));
      Tensor out = Sdpa.attention(qs, ks, vs, mask, true);                       // [B, Hq, T, hd]
      return o.forward(out.transpose(1, 2).reshape(b, t, (long) heads * headDim));
    }

    /** The attention weights SDPA computes internally, written out for parity checks: [B, Hq, T, T]. */
    private Tensor probabilities(Tensor qs, Tensor ks, Tensor mask) {
      long t = qs.size(2);
      Tensor kr = ks.repeat_interleave(heads / kvHeads, new org.bytedeco.pytorch.LongOptional(1), new org.bytedeco.pytorch.LongOptional());
      Tensor scores = qs.matmul(kr.transpose(-2, -1)).div(new Scalar(Math.sqrt(headDim)));
      Tensor allowed = mask != null ? mask : torch.ones(new long[] {t, t}, new org.bytedeco.pytorch.TensorOptions(ScalarType.Bool)).tril();
      return torch.softmax(scores.masked_fill(allowed.logical_not(), new Scalar(Float.NEGATIVE_INFINITY)), -1);
    }
  }

  /** down_proj(silu(gate_proj x) · up_proj x). */
  static final class Mlp extends Layer {
    private final Linear gate, up, down;

    Mlp(Config cfg, Params params) {
      super("Qwen3MLP");
      gate = register_module("gate_proj", new Linear(cfg.hidden, cfg.intermediate, false, params));
      up = register_module("up_proj", new Linear(cfg.hidden, cfg.intermediate, false, params));
      down = register_module("down_proj", new Linear(cfg.intermediate, cfg.hidden, false, params));
    }

    Tensor forward(Tensor x) {
      return down.forward(torch.silu(gate.forward(x)).mul(up.forward(x)));
    }
  }

  /**
   * cos/sin [T, hd] of positions 0..T−1, computed as transformers does in fp32: inv_freq_j = 1/θ^(2j/hd),
   * angles p·inv_freq_j, both halves equal. Grown on demand and cached per device.
   */
  static final class RopeTable {
    private final Config cfg;
    private final Map<String, Tensor[]> byDevice = new java.util.HashMap<>();

    RopeTable(Config cfg) {
      this.cfg = cfg;
    }

    Tensor invFreq() {
      Tensor exps = torch.arange(new Scalar(0), new Scalar(cfg.headDim), new Scalar(2), new org.bytedeco.pytorch.TensorOptions(ScalarType.Long))
          .to(ScalarType.Float).div(new Scalar(cfg.headDim));
      return torch.pow(new Scalar(cfg.theta), exps).reciprocal();
    }

    synchronized Tensor[] cosSin(long t, Device device) {
      String key = device.str().getString();
      Tensor[] have = byDevice.get(key);
      if (have == null || have[0].size(0) < t) {
        long n = Math.max(t, have == null ? 64 : have[0].size(0) * 2);
        Tensor pos = torch.arange(new Scalar(0), new Scalar(n), new org.bytedeco.pytorch.TensorOptions(ScalarType.Float));
        Tensor freqs = torch.outer(pos, invFreq());                           // [n, hd/2]
        Tensor emb = torch.cat(new TensorVector(freqs, freqs), -1);           // [n, hd]
        Tensor[] fresh = {Keep.retained(emb.cos().to(device, ScalarType.Float)), Keep.retained(emb.sin().to(device, ScalarType.Float))};
        if (have != null) for (Tensor x : have) x.releaseReference();
        byDevice.put(key, fresh);
        have = fresh;
      }
      return new Tensor[] {have[0].narrow(0, 0, t), have[1].narrow(0, 0, t)};
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** Hugging Face keys with or without the {@code model.} prefix; a stray {@code lm_head} is ignored. */
  static KeyMap keyMap(Qwen3Encoder model, Checkpoint ck) {
    boolean prefixed = ck.names().stream().anyMatch(n -> n.startsWith("model."));
    Map<String, Source> sources = new LinkedHashMap<>();
    for (var p : Modules.parameters(model)) sources.put(p.name(), new Direct(prefixed ? p.name() : p.name().substring("model.".length())));
    Set<String> ignored = new HashSet<>();
    if (ck.contains("lm_head.weight")) ignored.add("lm_head.weight");   // untied exports; never used for embeddings
    return new KeyMap(sources, ignored);
  }

  /** The config of a single file: inferred from shapes (hidden, depth, heads, MLP width, vocab). */
  static Config infer(Checkpoint ck) throws SafeTensorsException {
    String p = ck.names().stream().anyMatch(n -> n.startsWith("model.")) ? "model." : "";
    TensorInfo emb = ck.info(p + "embed_tokens.weight");
    TensorInfo q = ck.info(p + "layers.0.self_attn.q_proj.weight");
    TensorInfo k = ck.info(p + "layers.0.self_attn.k_proj.weight");
    TensorInfo qn = ck.info(p + "layers.0.self_attn.q_norm.weight");
    TensorInfo gate = ck.info(p + "layers.0.mlp.gate_proj.weight");
    if (emb == null || q == null || k == null || qn == null || gate == null)
      throw new SafeTensorsException(ck.path(), "not a Qwen3 text encoder: needs " + p + "embed_tokens.weight and "
          + p + "layers.0.self_attn.{q_proj,k_proj,q_norm}, mlp.gate_proj");
    int layers = 0;
    while (ck.contains(p + "layers." + layers + ".input_layernorm.weight")) layers++;
    int hd = (int) qn.dim(0);
    return new Config((int) emb.dim(1), layers, (int) (q.dim(0) / hd), (int) (k.dim(0) / hd), hd, (int) gate.dim(0),
        (int) emb.dim(0), 1e-6, 1_000_000.0);
  }

  static WeightLoader.Report load(Qwen3Encoder model, Checkpoint ck, ScalarType dtype, Device device) throws IOException {
    return WeightLoader.load(model, ck, keyMap(model, ck), dtype, device);
  }
}
