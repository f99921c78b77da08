package dev.lathe.bench;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Matmul FLOPs of the Z-Image transformer, counted exactly per matmul as eager autograd runs them: the same count as
 * {@code step_flops} in {@code scripts/bench/zimage_ref.py}, so achieved FLOP/s compare between the two sides.
 * Elementwise work, norms and softmax are left out. A matmul [m, k]·[k, n] counts 2·m·k·n.
 *
 * <p>Forward: every Linear (base and LoRA), attention QKᵀ and PV, the embedders, the refiners and the final layer.
 * Backward, only where gradients are needed (the main blocks and the final layer): the input gradient of each frozen
 * Linear; dB, d(Ax), dA and the input gradient through A for each LoRA; four matmuls per attention. Recompute: one
 * more forward of the main blocks when checkpointing is on.
 */
public final class Flops {
  static final int T_FREQUENCIES = 256;
  static final int T_HIDDEN = 1024;
  static final int ADALN_MAX = 256;

  /** The config fields the count needs. */
  record Arch(long dim, long layers, long refinerLayers, long capFeatDim, long tokenDim) {
    static Arch of(JsonNode cfg) {
      long p = cfg.path("all_patch_size").path(0).asLong(2);
      long pf = cfg.path("all_f_patch_size").path(0).asLong(1);
      return new Arch(cfg.path("dim").asLong(), cfg.path("n_layers").asLong(), cfg.path("n_refiner_layers").asLong(2),
          cfg.path("cap_feat_dim").asLong(), p * p * pf * cfg.path("in_channels").asLong(16));
    }

    /** SwiGLU width int(dim / 3 * 8), the reference's floating-point expression. */
    long ffn() {
      return (long) (dim / 3.0 * 8);
    }

    long adaLn() {
      return Math.min(dim, ADALN_MAX);
    }
  }

  /** One step's FLOPs by part. */
  public record Count(long forward, long backward, long recompute) {
    public long total() {
      return forward + backward + recompute;
    }
  }

  private final Arch a;
  private final long b;
  private final long img;
  private final long cap;
  private final long r;

  /**
   * @param config the model's diffusers config.json
   * @param batch items per step
   * @param imageTokens per item, after padding to 32
   * @param captionTokens per item, after padding to 32
   * @param rank LoRA rank on every Linear of the main blocks, 0 for none
   */
  public Flops(JsonNode config, long batch, long imageTokens, long captionTokens, int rank) {
    this.a = Arch.of(config);
    this.b = batch;
    this.img = imageTokens;
    this.cap = captionTokens;
    this.r = rank;
  }

  private static long lin(long rows, long in, long out) {
    return 2 * rows * in * out;
  }

  /** The seven big Linears of a block as (in, out): to_q, to_k, to_v, to_out.0, w1, w2, w3. */
  private long[][] big() {
    long d = a.dim, h = a.ffn();
    return new long[][] {{d, d}, {d, d}, {d, d}, {d, d}, {d, h}, {h, d}, {d, h}};
  }

  private long blockForward(long seq, boolean modulated, boolean lora) {
    long rows = b * seq;
    long f = 2L * 2 * b * seq * seq * a.dim;                                          // QKᵀ and PV
    for (long[] io : big()) f += lin(rows, io[0], io[1]);
    if (modulated) f += lin(b, a.adaLn(), 4 * a.dim);
    if (lora) {
      for (long[] io : big()) f += lin(rows, io[0], r) + lin(rows, r, io[1]);
      f += lin(b, a.adaLn(), r) + lin(b, r, 4 * a.dim);
    }
    return f;
  }

  private long blockBackward(long seq) {
    long rows = b * seq;
    long f = 4L * 2 * b * seq * seq * a.dim;                                          // attention: 2× its forward
    for (long[] io : big()) f += lin(rows, io[0], io[1]);                              // input gradients
    if (r > 0) {
      for (long[] io : big()) f += 2 * (lin(rows, io[0], r) + lin(rows, r, io[1]));    // LoRA: dB, d(Ax), dA, dX
      f += 2 * lin(b, r, 4 * a.dim) + lin(b, a.adaLn(), r);                            // adaLN LoRA: dB, dh, dA
    }
    return f;
  }

  /** One forward pass of the whole transformer. */
  public long forward() {
    long u = img + cap;
    long f = lin(b, T_FREQUENCIES, T_HIDDEN) + lin(b, T_HIDDEN, a.adaLn());
    f += lin(b * img, a.tokenDim, a.dim) + lin(b * cap, a.capFeatDim, a.dim);
    f += a.refinerLayers * (blockForward(img, true, false) + blockForward(cap, false, false));
    f += a.layers * blockForward(u, true, r > 0);
    f += lin(b, a.adaLn(), a.dim) + lin(b * u, a.dim, a.tokenDim);
    return f;
  }

  /** A LoRA training step: forward, backward where gradients flow, and the recompute when checkpointing. */
  public Count trainStep(boolean checkpointing) {
    long u = img + cap;
    long bwd = a.layers * blockBackward(u) + lin(b * u, a.dim, a.tokenDim);
    long rec = checkpointing ? a.layers * blockForward(u, true, r > 0) : 0;
    return new Count(forward(), bwd, rec);
  }
}
