package dev.lathe.models.zimage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.nn.Keep;
import dev.lathe.nn.Layer;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Modules;
import dev.lathe.nn.Params;
import dev.lathe.nn.RMSNorm;
import dev.lathe.nn.Remat;
import dev.lathe.nn.Rope;
import dev.lathe.nn.Sdpa;
import dev.lathe.nn.TokenSplit;
import dev.lathe.nn.Tokenwise;
import dev.lathe.torch.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Z-Image's single-stream DiT (diffusers {@code ZImageTransformer2DModel}, "S3-DiT"). Module names are the diffusers
 * checkpoint keys; {@link ZImageKeys} maps the other layouts onto them.
 *
 * <p>Shapes: B items; per item a latent [C, F, H, W] (F = 1 for images), p the patch, L_i = (F/pf)(H/p)(W/p) image
 * tokens and S_i caption tokens; a trailing p marks a length padded to a multiple of 32 (Lp_i, Sp_i), "max" the
 * longest in the batch. D = dim, hd = head dim, A = adaLN width = min(D, 256), P = pf·p·p·C the token width.
 *
 * <p>Time and sign are the model's own: t = 1 − σ (t = 0 is pure noise) and the raw output ≈ x0 − noise. The
 * {@code Denoiser} in {@link ZImage} converts both.
 */
final class ZImageTransformer extends Layer {
  static final int SEQ_MULTIPLE = 32;      // caption and image token lists are each padded to a multiple of this
  static final int ADALN_MAX = 256;        // conditioning width; models with dim < 256 condition on dim instead
  static final int T_FREQUENCIES = 256;    // sinusoidal timestep channels (fixed, not in the config)
  static final int T_HIDDEN = 1024;        // width inside t_embedder (fixed)
  static final double QK_NORM_EPS = 1e-5;  // the q/k RMSNorm eps is fixed, whatever norm_eps says
  static final double FINAL_NORM_EPS = 1e-6;

  /**
   * The fields of the diffusers {@code config.json}. {@link #turbo()} is the released size; {@link #tiny()} is the
   * parity fixture's.
   */
  record Config(int inChannels, int patch, int fPatch, int dim, int layers, int refinerLayers, int heads,
      double normEps, int capFeatDim, double ropeTheta, double tScale, List<Integer> axesDims, List<Integer> axesLens) {
    Config {
      axesDims = List.copyOf(axesDims);
      axesLens = List.copyOf(axesLens);
      if (dim <= 0 || heads <= 0 || dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " is not a multiple of n_heads " + heads);
      int sum = axesDims.stream().mapToInt(Integer::intValue).sum();
      if (sum != dim / heads) throw new IllegalArgumentException("axes_dims " + axesDims + " must sum to the head dim " + dim / heads);
      for (int d : axesDims) if (d % 2 != 0) throw new IllegalArgumentException("axes_dims " + axesDims + " must be even");
      if (axesLens.size() != axesDims.size()) throw new IllegalArgumentException("axes_lens " + axesLens + " and axes_dims " + axesDims + " differ in length");
    }

    /** Z-Image / Z-Image Turbo / De-Turbo as released (6,154,908,736 parameters). */
    static Config turbo() {
      return new Config(16, 2, 1, 3840, 30, 2, 30, 1e-5, 2560, 256.0, 1000.0, List.of(32, 48, 48), List.of(1536, 512, 512));
    }

    /** The parity fixture's config A (706,144 parameters). */
    static Config tiny() {
      return new Config(16, 2, 1, 64, 2, 2, 2, 1e-5, 32, 256.0, 1000.0, List.of(8, 12, 12), List.of(64, 16, 16));
    }

    /** A mid-size config for benchmarks and demos: every feature of the real one at a few percent of the compute. */
    static Config small() {
      return new Config(16, 2, 1, 512, 4, 1, 4, 1e-5, 256, 256.0, 1000.0, List.of(32, 48, 48), List.of(1536, 512, 512));
    }

    int headDim() {
      return dim / heads;
    }

    Config withAxesLens(List<Integer> lens) {
      return new Config(inChannels, patch, fPatch, dim, layers, refinerLayers, heads, normEps, capFeatDim, ropeTheta, tScale, axesDims, lens);
    }

    /** SwiGLU width: int(dim / 3 * 8), the same floating-point expression as the reference. */
    int ffnHidden() {
      return (int) (dim / 3.0 * 8);
    }

    int adaLnDim() {
      return Math.min(dim, ADALN_MAX);
    }

    /** Values per image token: pf·p·p·C. */
    int tokenDim() {
      return fPatch * patch * patch * inChannels;
    }

    /** The module-dict key of the embedder and final layer, "{patch}-{f_patch}". */
    String patchKey() {
      return patch + "-" + fPatch;
    }

    /** Parses a diffusers transformer config.json; missing fields take the class defaults. */
    static Config fromJson(JsonNode n) {
      Config d = turbo();
      List<Integer> patches = ints(n.get("all_patch_size"), List.of(d.patch));
      List<Integer> fPatches = ints(n.get("all_f_patch_size"), List.of(d.fPatch));
      if (patches.size() != 1 || fPatches.size() != 1)
        throw new IllegalArgumentException("all_patch_size " + patches + " / all_f_patch_size " + fPatches + ": only one patch size is supported");
      if (n.hasNonNull("siglip_feat_dim"))
        throw new IllegalArgumentException("siglip_feat_dim is set: this is the Z-Image Omni variant, which Lathe does not support");
      return new Config(n.path("in_channels").asInt(d.inChannels), patches.get(0), fPatches.get(0), n.path("dim").asInt(d.dim),
          n.path("n_layers").asInt(d.layers), n.path("n_refiner_layers").asInt(d.refinerLayers), n.path("n_heads").asInt(d.heads),
          n.path("norm_eps").asDouble(d.normEps), n.path("cap_feat_dim").asInt(d.capFeatDim), n.path("rope_theta").asDouble(d.ropeTheta),
          n.path("t_scale").asDouble(d.tScale), ints(n.get("axes_dims"), d.axesDims), ints(n.get("axes_lens"), d.axesLens));
    }

    /** This config as a diffusers transformer config.json. */
    com.fasterxml.jackson.databind.node.ObjectNode toJson() {
      var m = new com.fasterxml.jackson.databind.ObjectMapper();
      var n = m.createObjectNode();
      n.put("_class_name", "ZImageTransformer2DModel");
      n.putArray("all_patch_size").add(patch);
      n.putArray("all_f_patch_size").add(fPatch);
      n.put("in_channels", inChannels);
      n.put("dim", dim);
      n.put("n_layers", layers);
      n.put("n_refiner_layers", refinerLayers);
      n.put("n_heads", heads);
      n.put("n_kv_heads", heads);
      n.put("norm_eps", normEps);
      n.put("qk_norm", true);
      n.put("cap_feat_dim", capFeatDim);
      n.putNull("siglip_feat_dim");
      n.put("rope_theta", ropeTheta);
      n.put("t_scale", tScale);
      var ad = n.putArray("axes_dims");
      axesDims.forEach(ad::add);
      var al = n.putArray("axes_lens");
      axesLens.forEach(al::add);
      return n;
    }

    private static List<Integer> ints(JsonNode n, List<Integer> fallback) {
      if (n == null || n.isNull()) return fallback;
      if (!n.isArray()) throw new IllegalArgumentException("expected a list of integers, got " + n);
      List<Integer> out = new ArrayList<>();
      n.forEach(v -> out.add(v.asInt()));
      return out;
    }
  }

  final Config cfg;
  private final Map<String, Linear> linears = new LinkedHashMap<>();
  private final Linear xEmbedder;
  private final TimestepEmbedder tEmbedder;
  private final RMSNorm capNorm;
  private final Linear capLinear;
  private final Tensor xPadToken;
  private final Tensor capPadToken;
  private final List<Block> noiseRefiner;
  private final List<Block> contextRefiner;
  private final List<Block> layers;
  private final FinalLayer finalLayer;
  private final Geometries geometries;
  private volatile boolean layersSplit;
  private Remat remat = Remat.of(false, true);   // blocks split between threads on the CPU where they allow it (TokenSplit)

  ZImageTransformer(Config cfg, Params params) {
    super("ZImageTransformer2DModel");
    this.cfg = cfg;
    Module xEmb = register_module("all_x_embedder", Modules.container("ModuleDict"));
    xEmbedder = xEmb.register_module(cfg.patchKey(), new Linear(cfg.tokenDim(), cfg.dim, true, params));
    linears.put("all_x_embedder." + cfg.patchKey(), xEmbedder);
    Module fin = register_module("all_final_layer", Modules.container("ModuleDict"));
    finalLayer = fin.register_module(cfg.patchKey(), new FinalLayer(cfg, params, "all_final_layer." + cfg.patchKey(), linears));

    List<Block> nr = new ArrayList<>();
    List<Block> cr = new ArrayList<>();
    for (int i = 0; i < cfg.refinerLayers; i++) nr.add(new Block(cfg, true, params, "noise_refiner." + i, linears));
    for (int i = 0; i < cfg.refinerLayers; i++) cr.add(new Block(cfg, false, params, "context_refiner." + i, linears));
    noiseRefiner = Modules.list(this, "noise_refiner", nr);
    contextRefiner = Modules.list(this, "context_refiner", cr);

    tEmbedder = register_module("t_embedder", new TimestepEmbedder(cfg.adaLnDim(), params, linears));
    Module cap = register_module("cap_embedder", Modules.container("Sequential"));
    capNorm = cap.register_module("0", new RMSNorm(cfg.capFeatDim, cfg.normEps, params));
    capLinear = cap.register_module("1", new Linear(cfg.capFeatDim, cfg.dim, true, params));
    linears.put("cap_embedder.1", capLinear);
    xPadToken = Params.register(this, "x_pad_token", params, 1, cfg.dim);
    capPadToken = Params.register(this, "cap_pad_token", params, 1, cfg.dim);

    List<Block> ls = new ArrayList<>();
    for (int i = 0; i < cfg.layers; i++) ls.add(new Block(cfg, true, params, "layers." + i, linears));
    layers = Modules.list(this, "layers", ls);
    geometries = new Geometries(cfg);
  }

  /** Every Linear keyed by its diffusers module path, in module order. */
  Map<String, Linear> linears() {
    return Collections.unmodifiableMap(linears);
  }

  void setRemat(Remat r) {
    remat = r;
  }

  boolean checkpointing() {
    return remat.checkpoints();
  }

  /**
   * Whether the main layers ran split between threads ({@link TokenSplit}) in the last pass through them; false
   * before the first. The split depends on the batch's size, so the last pass is the best guess for the next.
   */
  boolean splitsLayers() {
    return layersSplit;
  }

  ScalarType dtype() {
    return xPadToken.scalar_type().intern();
  }

  org.bytedeco.pytorch.Device device() {
    return xPadToken.device();
  }

  /**
   * The reference forward pass.
   *
   * @param x per item a latent [C, F, H, W]; items may differ in size
   * @param t [B] fp32, the model's time (1 − σ)
   * @param caps per item the caption features [S_i, capFeatDim]; lengths may differ
   * @return per item the raw output [C, F, H, W]
   */
  List<Tensor> forward(List<Tensor> x, Tensor t, List<Tensor> caps, Probe probe) {
    remat.newPass();
    return back(front(x, t, caps, probe), probe);
  }

  /**
   * What the main layers start from: the conditioning, the refined image and caption tokens, and the geometry of
   * the batch. Computed by {@link #front}, consumed by {@link #back}.
   */
  record Front(Geometry g, Tensor cond, Tensor xs, Tensor cs, List<long[]> shapes) implements dev.lathe.models.Denoiser.Front {}

  /** The embedders and both refiners: everything before the image and caption streams are joined. */
  Front front(List<Tensor> x, Tensor t, List<Tensor> caps, Probe probe) {
    int b = x.size();
    if (caps.size() != b || t.size(0) != b) throw new IllegalArgumentException(b + " latents, " + caps.size() + " captions, " + t.size(0) + " timesteps");
    ScalarType dt = dtype();
    Geometry g = geometries.of(x, caps, xPadToken.device());

    Tensor tFreq = tEmbedder.frequencies(t.to(ScalarType.Float).mul(new Scalar(cfg.tScale)));   // [B, 256] fp32
    Tensor cond = tEmbedder.forward(tFreq.to(dt));                                              // [B, A]
    probe.record("t_freq", tFreq);
    probe.record("adaln_input", cond);

    // image tokens: patchify, embed, learned pad rows, noise refiner
    List<Tensor> patches = new ArrayList<>(b);
    List<long[]> shapes = new ArrayList<>(b);
    for (Tensor xi : x) {
      patches.add(patchify(xi.to(dt)));                                         // [L_i, P]
      shapes.add(Tensors.shape(xi));
    }
    Tensor xs = xEmbedder.forward(padStack(patches, g.lMax));                   // [B, Lmax, D]
    for (int i = 0; i < b; i++) probe.record("x_embedded." + i, xs.select(0, i).narrow(0, 0, g.l[i]));
    xs = torch.where(g.xPad, xPadToken, xs);                                    // rows past L_i := x_pad_token
    for (Block blk : noiseRefiner) xs = remat.run(blk::trainable, blk.on(g.xMask, g.xCis), xs, blk.modulation(cond));
    for (int i = 0; i < b; i++) probe.record("after_noise_refiner." + i, xs.select(0, i).narrow(0, 0, g.lp[i]));

    // caption tokens: RMSNorm → Linear, learned pad rows, context refiner (not modulated)
    List<Tensor> capsDt = new ArrayList<>(b);
    for (Tensor c : caps) capsDt.add(c.to(dt));
    Tensor cs = capLinear.forward(capNorm.forward(padStack(capsDt, g.sMax)));  // [B, Smax, D]
    for (int i = 0; i < b; i++) probe.record("cap_embedded." + i, cs.select(0, i).narrow(0, 0, g.s[i]));
    cs = torch.where(g.capPad, capPadToken, cs);                                // rows past S_i := cap_pad_token
    for (Block blk : contextRefiner) cs = remat.run(blk::trainable, blk.on(g.cMask, g.cCis), cs, null);
    for (int i = 0; i < b; i++) probe.record("after_context_refiner." + i, cs.select(0, i).narrow(0, 0, g.sp[i]));
    return new Front(g, cond, xs, cs, shapes);
  }

  /** The joined stream through the main layers and the final layer, back to latents. */
  List<Tensor> back(Front f, Probe probe) {
    Geometry g = f.g();
    Tensor cond = f.cond();
    int b = f.shapes().size();
    Tensor u = g.unify(f.xs(), f.cs());                                         // [B, Umax, D]
    for (int i = 0; i < b; i++) {
      probe.record("unified_input." + i, u.select(0, i).narrow(0, 0, g.lp[i] + g.sp[i]));
      probe.record("unified_freqs." + i, torch.view_as_real(g.uCis.select(0, i).narrow(0, 0, g.lp[i] + g.sp[i])));
    }
    layersSplit = remat.splits() && !layers.isEmpty() && TokenSplit.parts(layers.get(0).on(g.uMask, g.uCis), u) > 1;
    for (int k = 0; k < layers.size(); k++) {
      Block blk = layers.get(k);
      u = remat.run(blk::trainable, blk.on(g.uMask, g.uCis), u, blk.modulation(cond));
      for (int i = 0; i < b; i++) probe.record("after_layer_" + k + "." + i, u.select(0, i).narrow(0, 0, g.lp[i] + g.sp[i]));
    }

    Tensor out = finalLayer.forward(u, cond);                                   // [B, Umax, P]
    List<Tensor> result = new ArrayList<>(b);
    for (int i = 0; i < b; i++) result.add(unpatchify(out.select(0, i).narrow(0, 0, g.l[i]), f.shapes().get(i)));
    return result;
  }

  /** {@link #back} for a front computed earlier (without gradients, maybe on another thread): a new pass for remat. */
  List<Tensor> forwardFrom(Front f) {
    remat.newPass();
    return back(f, Probe.NONE);
  }

  /**
   * Whether nothing before the main layers trains: no adapter on, and no parameter requiring grad in, the embedders,
   * the refiners and the pad tokens. Then {@link #front} may run ahead of time, since no optimizer step changes it.
   */
  boolean frontFrozen() {
    for (Map.Entry<String, Linear> e : linears.entrySet())
      if (!e.getKey().startsWith("layers.") && !e.getKey().startsWith("all_final_layer.") && e.getValue().adapter() != null) return false;
    if (xPadToken.requires_grad() || capPadToken.requires_grad()) return false;
    for (Module m : new Module[] {tEmbedder, xEmbedder, capNorm, capLinear}) if (Modules.hasTrainable(m, List.of())) return false;
    for (Block blk : noiseRefiner) if (blk.trainable()) return false;
    for (Block blk : contextRefiner) if (blk.trainable()) return false;
    return true;
  }

  /** [C, F, H, W] → [(F/pf)(H/p)(W/p), pf·p·p·C]: tokens in (f, h, w) order, values (pf, ph, pw, c) with c fastest. */
  Tensor patchify(Tensor x) {
    long c = x.size(0), f = x.size(1), h = x.size(2), w = x.size(3);
    int p = cfg.patch, pf = cfg.fPatch;
    checkDivisible(f, h, w);
    return x.view(c, f / pf, pf, h / p, p, w / p, p)
        .permute(1, 3, 5, 2, 4, 6, 0)
        .reshape((f / pf) * (h / p) * (w / p), (long) pf * p * p * c);
  }

  /** The inverse of {@link #patchify}: [L, P] → [C, F, H, W]. */
  Tensor unpatchify(Tensor tokens, long[] size) {
    long c = size[0], f = size[1], h = size[2], w = size[3];
    int p = cfg.patch, pf = cfg.fPatch;
    return tokens.view(f / pf, h / p, w / p, pf, p, p, c)
        .permute(6, 0, 3, 1, 4, 2, 5)
        .reshape(c, f, h, w);
  }

  private void checkDivisible(long f, long h, long w) {
    if (f % cfg.fPatch != 0 || h % cfg.patch != 0 || w % cfg.patch != 0)
      throw new IllegalArgumentException("latent " + f + "×" + h + "×" + w + " is not a multiple of the patch " + cfg.fPatch + "×" + cfg.patch + "×" + cfg.patch);
  }

  /** Rows [n_i, d] zero-padded to [B, rows, d]. */
  private static Tensor padStack(List<Tensor> rows, long max) {
    TensorVector v = new TensorVector();
    for (Tensor r : rows) v.push_back(r.size(0) == max ? r : torch.pad(r, new long[] {0, 0, 0, max - r.size(0)}, "constant", new DoubleOptional(0.0)));
    return torch.stack(v, 0);
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** Sinusoidal timestep features → Linear(256 → 1024) → SiLU → Linear(1024 → A). */
  static final class TimestepEmbedder extends Layer {
    private final Linear mlp0;
    private final Linear mlp2;
    private final Map<String, Tensor> freqs = new java.util.HashMap<>();   // per device, fp32 [128]

    TimestepEmbedder(int out, Params params, Map<String, Linear> linears) {
      super("TimestepEmbedder");
      Module mlp = register_module("mlp", Modules.container("Sequential"));
      mlp0 = mlp.register_module("0", new Linear(T_FREQUENCIES, T_HIDDEN, true, params));
      mlp2 = mlp.register_module("2", new Linear(T_HIDDEN, out, true, params));
      linears.put("t_embedder.mlp.0", mlp0);
      linears.put("t_embedder.mlp.2", mlp2);
    }

    /** t [B] (already scaled by t_scale) → [cos(t·f) | sin(t·f)] [B, 256] fp32, f_k = exp(−ln(10⁴)·k/128). */
    Tensor frequencies(Tensor t) {
      Tensor f = freqs.computeIfAbsent(t.device().str().getString(), k -> {
        int half = T_FREQUENCIES / 2;
        Tensor r = torch.arange(new Scalar(0), new Scalar(half), new org.bytedeco.pytorch.TensorOptions(ScalarType.Float))
            .mul(new Scalar(-Math.log(10000.0))).div(new Scalar(half)).exp();
        return Keep.retained(r.to(t.device(), ScalarType.Float));
      });
      Tensor args = t.unsqueeze(1).mul(f.unsqueeze(0));                        // [B, 128]
      return torch.cat(new TensorVector(args.cos(), args.sin()), -1);
    }

    Tensor forward(Tensor tFreq) {
      return mlp2.forward(torch.silu(mlp0.forward(tFreq)));
    }
  }

  /** Attention with q/k RMSNorm over the head dim and interleaved RoPE; projections without bias. */
  static final class Attention extends Layer {
    private final int heads;
    private final int headDim;
    final Linear toQ, toK, toV, toOut;
    private final RMSNorm normQ, normK;

    Attention(Config cfg, Params params, String prefix, Map<String, Linear> linears) {
      super("Attention");
      heads = cfg.heads;
      headDim = cfg.headDim();
      toQ = register_module("to_q", new Linear(cfg.dim, cfg.dim, false, params));
      toK = register_module("to_k", new Linear(cfg.dim, cfg.dim, false, params));
      toV = register_module("to_v", new Linear(cfg.dim, cfg.dim, false, params));
      Module out = register_module("to_out", Modules.container("ModuleList"));
      toOut = out.register_module("0", new Linear(cfg.dim, cfg.dim, false, params));
      normQ = register_module("norm_q", new RMSNorm(headDim, QK_NORM_EPS, params));
      normK = register_module("norm_k", new RMSNorm(headDim, QK_NORM_EPS, params));
      linears.put(prefix + ".to_q", toQ);
      linears.put(prefix + ".to_k", toK);
      linears.put(prefix + ".to_v", toV);
      linears.put(prefix + ".to_out.0", toOut);
    }

    /** x [B, t, D] and its rows' rotations cis [B, t, hd/2] → {q, k, v}, each [B, H, t, hd]. */
    Tensor[] project(Tensor x, Tensor cis) {
      long b = x.size(0), t = x.size(1);
      Tensor[] qkv = Linear.forwardShared(x, toQ, toK, toV);                       // 3 × [B, t, D], one matmul
      Tensor q = normQ.forward(qkv[0].view(b, t, heads, headDim));                  // [B, t, H, hd]
      Tensor k = normK.forward(qkv[1].view(b, t, heads, headDim));
      Tensor v = qkv[2].view(b, t, heads, headDim);
      q = Rope.interleaved(q, cis).transpose(1, 2);                                 // [B, H, t, hd]
      k = Rope.interleaved(k, cis).transpose(1, 2);
      return new Tensor[] {q, k, v.transpose(1, 2)};
    }

    /** The attention's output o [B, H, t, hd] → [B, t, D]. */
    Tensor output(Tensor o) {
      long b = o.size(0), t = o.size(2);
      return toOut.forward(o.transpose(1, 2).reshape(b, t, (long) heads * headDim));
    }
  }

  /** SwiGLU: w2(silu(w1 x) · w3 x), no biases. */
  static final class FeedForward extends Layer {
    final Linear w1, w2, w3;

    FeedForward(Config cfg, Params params, String prefix, Map<String, Linear> linears) {
      super("FeedForward");
      w1 = register_module("w1", new Linear(cfg.dim, cfg.ffnHidden(), false, params));
      w2 = register_module("w2", new Linear(cfg.ffnHidden(), cfg.dim, false, params));
      w3 = register_module("w3", new Linear(cfg.dim, cfg.ffnHidden(), false, params));
      linears.put(prefix + ".w1", w1);
      linears.put(prefix + ".w2", w2);
      linears.put(prefix + ".w3", w3);
    }

    Tensor forward(Tensor x) {
      Tensor[] h = Linear.forwardShared(x, w1, w3);                                 // w1 x, w3 x in one matmul
      return w2.forward(torch.silu(h[0]).mul(h[1]));
    }
  }

  /**
   * One transformer block. Modulated blocks (layers, noise_refiner) scale their inputs and tanh-gate their outputs
   * from the conditioning; the context refiner's blocks do neither. There is no shift term and no SiLU before the
   * modulation Linear.
   */
  static final class Block extends Layer {
    private final Attention attention;
    private final FeedForward feedForward;
    private final RMSNorm attentionNorm1, attentionNorm2, ffnNorm1, ffnNorm2;
    private final Linear adaLN;   // null when not modulated
    private final long dim;
    private final List<Linear> ownLinears = new ArrayList<>();
    private final Scalar one = Keep.scalar(1.0);

    Block(Config cfg, boolean modulated, Params params, String prefix, Map<String, Linear> linears) {
      super("ZImageTransformerBlock");
      dim = cfg.dim;
      Map<String, Linear> mine = new LinkedHashMap<>();
      attention = register_module("attention", new Attention(cfg, params, prefix + ".attention", mine));
      feedForward = register_module("feed_forward", new FeedForward(cfg, params, prefix + ".feed_forward", mine));
      attentionNorm1 = register_module("attention_norm1", new RMSNorm(cfg.dim, cfg.normEps, params));
      ffnNorm1 = register_module("ffn_norm1", new RMSNorm(cfg.dim, cfg.normEps, params));
      attentionNorm2 = register_module("attention_norm2", new RMSNorm(cfg.dim, cfg.normEps, params));
      ffnNorm2 = register_module("ffn_norm2", new RMSNorm(cfg.dim, cfg.normEps, params));
      if (modulated) {
        Module seq = register_module("adaLN_modulation", Modules.container("Sequential"));
        adaLN = seq.register_module("0", new Linear(cfg.adaLnDim(), 4L * cfg.dim, true, params));
        mine.put(prefix + ".adaLN_modulation.0", adaLN);
      } else {
        adaLN = null;
      }
      linears.putAll(mine);
      ownLinears.addAll(mine.values());
    }

    /** Whether backward has anything to do inside this block (for activation checkpointing). */
    boolean trainable() {
      return Modules.hasTrainable(this, ownLinears);
    }

    /** The modulation [B, 1, 4D] from cond [B, A]: scale and gate for the attention, then for the FFN; null when not modulated. */
    Tensor modulation(Tensor cond) {
      return adaLN == null ? null : adaLN.forward(cond).unsqueeze(1);
    }

    /**
     * The block for one batch geometry, as {@link Tokenwise} pieces (so its rows can be computed in parts): the
     * attention's mask and all rows' rotations are fixed here.
     */
    Tokenwise on(Tensor mask, Tensor cis) {
      Block blk = this;
      return new Tokenwise() {
        @Override
        public Tensor[] toAttention(Tensor x, Tensor mod, long from) {
          return blk.toAttention(x, mod, cis.narrow(1, from, x.size(1)));
        }

        @Override
        public Tensor attend(Tensor q, Tensor k, Tensor v) {
          return Sdpa.attention(q, k, v, mask, false);                              // [B, H, t, hd]
        }

        @Override
        public boolean attendsPerHead() {
          return true;   // the mask [B, 1, 1, S] is the same for every head
        }

        @Override
        public Tensor fromAttention(Tensor x, Tensor a, Tensor mod) {
          return blk.fromAttention(x, a, mod);
        }

        @Override
        public List<Tensor> trainables() {
          return blk.trainables();
        }

        @Override
        public boolean stochastic() {
          return blk.stochastic();
        }
      };
    }

    /** Rows x [B, t, D] → the attention's q, k, v [B, H, t, hd]: the input norm (scaled when modulated), then the projections. */
    private Tensor[] toAttention(Tensor x, Tensor mod, Tensor cis) {
      if (mod == null) return attention.project(attentionNorm1.forward(x), cis);
      Tensor scaleMsa = mod.narrow(2, 0, dim).add(one);                              // norm(x)·(1 + scale), folded into the norm
      return attention.project(attentionNorm1.forward(x, scaleMsa), cis);
    }

    /** Rows x [B, t, D] and their attention output a [B, H, t, hd] → the block's output rows [B, t, D]. */
    private Tensor fromAttention(Tensor x, Tensor a, Tensor mod) {
      Tensor o = attention.output(a);                                                 // [B, t, D]
      if (mod == null) {
        x = x.add(attentionNorm2.forward(o));
        return x.add(ffnNorm2.forward(feedForward.forward(ffnNorm1.forward(x))));
      }
      Tensor gateMsa = mod.narrow(2, dim, dim).tanh();
      Tensor scaleMlp = mod.narrow(2, 2 * dim, dim).add(one), gateMlp = mod.narrow(2, 3 * dim, dim).tanh();
      x = torch.addcmul(x, gateMsa, attentionNorm2.forward(o));                       // x + gate·h as one addcmul
      Tensor f = feedForward.forward(ffnNorm1.forward(x, scaleMlp));
      return torch.addcmul(x, gateMlp, ffnNorm2.forward(f));                          // [B, t, D]
    }

    /** The trainable tensors the block's pieces read (the modulation's adapter included), or null when unknown. */
    private List<Tensor> trainables() {
      List<Tensor> all = new ArrayList<>();
      for (Linear l : ownLinears) {
        if (l.adapter() == null) continue;
        List<Tensor> a = l.adapter().trainables();
        if (a == null) return null;
        all.addAll(a);
      }
      TensorVector ps = parameters(true);
      for (long i = 0; i < ps.size(); i++) if (ps.get(i).requires_grad()) all.add(ps.get(i));
      return all;
    }

    private boolean stochastic() {
      for (Linear l : ownLinears) if (l.adapter() != null && l.adapter().stochastic()) return true;
      return false;
    }
  }

  /** LayerNorm (no affine, eps 1e-6) · (1 + Linear(SiLU(cond))) → Linear(D → P). */
  static final class FinalLayer extends Layer {
    private final Linear linear;
    private final Linear adaLN;
    private final Scalar one = Keep.scalar(1.0);
    private final long dim;

    FinalLayer(Config cfg, Params params, String prefix, Map<String, Linear> linears) {
      super("FinalLayer");
      dim = cfg.dim;
      linear = register_module("linear", new Linear(cfg.dim, cfg.tokenDim(), true, params));
      Module seq = register_module("adaLN_modulation", Modules.container("Sequential"));
      adaLN = seq.register_module("1", new Linear(cfg.adaLnDim(), cfg.dim, true, params));   // index 0 is the SiLU
      linears.put(prefix + ".linear", linear);
      linears.put(prefix + ".adaLN_modulation.1", adaLN);
    }

    /** x [B, T, D], cond [B, A] → [B, T, P]. */
    Tensor forward(Tensor x, Tensor cond) {
      Tensor scale = adaLN.forward(torch.silu(cond)).add(one);                      // [B, D]
      Tensor normed = torch.layer_norm(x, new long[] {dim}, new TensorOptional(), new TensorOptional(), FINAL_NORM_EPS, false);
      return linear.forward(normed.mul(scale.unsqueeze(1)));
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  /**
   * Everything about a batch that depends only on its sizes: token counts, pad and batch masks, position ids and
   * the RoPE rotations. Cached, so a training run with a few buckets builds each once.
   */
  static final class Geometry {
    final int b;
    final long[] l, lp, s, sp;
    final long lMax, sMax, uMax;
    final Tensor xPad, capPad;           // bool [B, Lmax, 1] / [B, Smax, 1]: rows that get the learned pad token
    final Tensor xMask, cMask, uMask;    // bool [B, 1, 1, T] key masks, null where no item is shorter
    final Tensor xCis, cCis, uCis;       // complex64 [B, T, hd/2]
    final int[][][] xIds, capIds;        // per item [Lp_i][3] / [Sp_i][3]

    Geometry(Config cfg, long[][] sizes, long[] capLens, org.bytedeco.pytorch.Device device) {
      b = sizes.length;
      l = new long[b];
      lp = new long[b];
      s = capLens.clone();
      sp = new long[b];
      xIds = new int[b][][];
      capIds = new int[b][][];
      for (int i = 0; i < b; i++) {
        long ft = sizes[i][1] / cfg.fPatch, ht = sizes[i][2] / cfg.patch, wt = sizes[i][3] / cfg.patch;
        l[i] = ft * ht * wt;
        lp[i] = roundUp(l[i]);
        sp[i] = roundUp(s[i]);
        capIds[i] = new int[(int) sp[i]][];
        for (int k = 0; k < sp[i]; k++) capIds[i][k] = new int[] {k + 1, 0, 0};              // caption: (k+1, 0, 0)
        xIds[i] = new int[(int) lp[i]][];
        for (int r = 0; r < lp[i]; r++) {
          if (r >= l[i]) {
            xIds[i][r] = new int[] {0, 0, 0};                                              // image pad: (0, 0, 0)
          } else {
            long f = r / (ht * wt), h = (r / wt) % ht, w = r % wt;
            xIds[i][r] = new int[] {(int) (sp[i] + 1 + f), (int) h, (int) w};                // (S_pad + 1 + f, h, w)
          }
        }
      }
      lMax = Arrays.stream(lp).max().orElse(0);
      sMax = Arrays.stream(sp).max().orElse(0);
      long um = 0;
      for (int i = 0; i < b; i++) um = Math.max(um, lp[i] + sp[i]);
      uMax = um;

      long[] ul = new long[b];
      for (int i = 0; i < b; i++) ul[i] = lp[i] + sp[i];
      xPad = Keep.retained(rowsFrom(l, lMax).to(device, ScalarType.Bool));
      capPad = Keep.retained(rowsFrom(s, sMax).to(device, ScalarType.Bool));
      xMask = retainOrNull(Sdpa.keyMask(lp, lMax, device));
      cMask = retainOrNull(Sdpa.keyMask(sp, sMax, device));
      uMask = retainOrNull(Sdpa.keyMask(ul, uMax, device));

      Rotations rot = new Rotations(cfg);
      int half = cfg.headDim() / 2;
      float[] xa = new float[(int) (b * lMax * half)];
      float[] ca = new float[(int) (b * sMax * half)];
      float[] ua = new float[(int) (b * uMax * half)];
      for (int i = 0; i < b; i++) {
        for (int r = 0; r < lp[i]; r++) {
          rot.angles(xIds[i][r], xa, (int) ((i * lMax + r) * half));
          rot.angles(xIds[i][r], ua, (int) ((i * uMax + r) * half));
        }
        for (int k = 0; k < sp[i]; k++) {
          rot.angles(capIds[i][k], ca, (int) ((i * sMax + k) * half));
          rot.angles(capIds[i][k], ua, (int) ((i * uMax + lp[i] + k) * half));
        }
      }
      xCis = Keep.retained(Rotations.cis(xa, device, b, lMax, half));
      cCis = Keep.retained(Rotations.cis(ca, device, b, sMax, half));
      uCis = Keep.retained(Rotations.cis(ua, device, b, uMax, half));
    }

    /** The joint sequence per item: its Lp_i image rows, then its Sp_i caption rows, zero-padded to Umax. */
    Tensor unify(Tensor xs, Tensor cs) {
      boolean sameImage = Arrays.stream(lp).allMatch(v -> v == lp[0]);
      if (sameImage) return torch.cat(new TensorVector(xs, cs), 1);   // batch padding already sits at the tail
      TensorVector items = new TensorVector();
      for (int i = 0; i < b; i++) {
        Tensor row = torch.cat(new TensorVector(xs.select(0, i).narrow(0, 0, lp[i]), cs.select(0, i).narrow(0, 0, sp[i])), 0);
        long missing = uMax - lp[i] - sp[i];
        items.push_back(missing == 0 ? row : torch.pad(row, new long[] {0, 0, 0, missing}, "constant", new DoubleOptional(0.0)));
      }
      return torch.stack(items, 0);
    }

    void release() {
      for (Tensor t : new Tensor[] {xPad, capPad, xMask, cMask, uMask, xCis, cCis, uCis}) if (t != null) t.releaseReference();
    }

    private static long roundUp(long n) {
      return (n + SEQ_MULTIPLE - 1) / SEQ_MULTIPLE * SEQ_MULTIPLE;
    }

    /** bool [B, max, 1]: true for rows at or past each item's length. */
    private static Tensor rowsFrom(long[] lengths, long max) {
      Tensor idx = torch.arange(new Scalar(0), new Scalar(max), new org.bytedeco.pytorch.TensorOptions(ScalarType.Long)).view(1, max, 1);
      long[] copy = lengths.clone();
      Tensor len = dev.lathe.torch.Tensors.fromLongs(copy, lengths.length, 1, 1);
      return idx.ge(len);
    }

    private static Tensor retainOrNull(Tensor t) {
      return t == null ? null : Keep.retained(t);
    }
  }

  /** Per-axis RoPE frequencies θ^(−2j/d_a) in float64; angles pos·freq are rounded to float32 as the reference does. */
  static final class Rotations {
    private final double[][] freqs;

    Rotations(Config cfg) {
      freqs = new double[cfg.axesDims.size()][];
      for (int a = 0; a < freqs.length; a++) {
        int d = cfg.axesDims.get(a);
        freqs[a] = new double[d / 2];
        for (int j = 0; j < d / 2; j++) freqs[a][j] = 1.0 / Math.pow(cfg.ropeTheta, (2.0 * j) / d);
      }
    }

    /** Writes the hd/2 angles of position {@code ids} at {@code out[at..]}, axis 0's pairs first. */
    void angles(int[] ids, float[] out, int at) {
      int k = at;
      for (int a = 0; a < freqs.length; a++) for (double f : freqs[a]) out[k++] = (float) (ids[a] * f);
    }

    static Tensor cis(float[] angles, org.bytedeco.pytorch.Device device, long b, long t, long half) {
      Tensor a = dev.lathe.torch.Tensors.fromFloats(angles, b, t, half);
      return torch.polar(torch.ones_like(a), a).to(device, ScalarType.ComplexFloat);
    }
  }

  /** A small LRU of geometries keyed by the batch's sizes. */
  static final class Geometries {
    private static final int CAPACITY = 8;
    private final Config cfg;
    private final LinkedHashMap<String, Geometry> cache = new LinkedHashMap<>(16, 0.75f, true);
    private final java.util.ArrayDeque<Geometry> retired = new java.util.ArrayDeque<>();

    Geometries(Config cfg) {
      this.cfg = cfg;
    }

    synchronized Geometry of(List<Tensor> x, List<Tensor> caps, org.bytedeco.pytorch.Device device) {
      long[][] sizes = new long[x.size()][];
      long[] capLens = new long[x.size()];
      StringBuilder key = new StringBuilder(device.str().getString());
      for (int i = 0; i < x.size(); i++) {
        sizes[i] = Tensors.shape(x.get(i));
        if (sizes[i].length != 4) throw new IllegalArgumentException("latent " + i + " has shape " + Arrays.toString(sizes[i]) + ", expected [C, F, H, W]");
        capLens[i] = caps.get(i).size(0);
        key.append('|').append(Arrays.toString(sizes[i])).append(':').append(capLens[i]);
      }
      Geometry g = cache.get(key.toString());
      if (g == null) {
        g = new Geometry(cfg, sizes, capLens, device);
        cache.put(key.toString(), g);
        if (cache.size() > CAPACITY) {
          var eldest = cache.entrySet().iterator().next();
          retired.addLast(eldest.getValue());
          cache.remove(eldest.getKey());
          // released only CAPACITY evictions later: a step that fetched it may still be running on another thread
          // (the trainer's look-ahead), and activation checkpointing recomputes with it during that step's backward
          if (retired.size() > CAPACITY) retired.removeFirst().release();
        }
      }
      return g;
    }
  }
}
