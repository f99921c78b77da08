package dev.lathe.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark sizes of issue 9, fixed so that figures compare across tools and over time. They are the same as
 * {@code SIZES} in {@code scripts/bench/zimage_ref.py}: every size keeps Z-Image's patch 2×2×1, 16 channels, RoPE θ
 * 256, t_scale 1000, norm eps 1e-5 and qk-norm.
 */
public enum BenchSize {
  /** The parity fixture's config A. */
  TINY(64, 2, List.of(8, 12, 12), List.of(64, 16, 16), 2, 2, 32, 2, new int[] {16, 1, 16, 24}, 13),
  SMALL(256, 4, List.of(16, 24, 24), List.of(256, 64, 64), 4, 2, 256, 1, new int[] {16, 1, 32, 32}, 77),
  MEDIUM(768, 12, List.of(16, 24, 24), List.of(512, 128, 128), 8, 2, 768, 1, new int[] {16, 1, 64, 64}, 128),
  /** The released Z-Image Turbo (6.15 B parameters) on a 1024×1024 image; only where memory allows. */
  FULL(3840, 30, List.of(32, 48, 48), List.of(1536, 512, 512), 30, 2, 2560, 1, new int[] {16, 1, 128, 128}, 128);

  public final int dim;
  public final int heads;
  public final List<Integer> axesDims;
  public final List<Integer> axesLens;
  public final int layers;
  public final int refinerLayers;
  public final int capFeatDim;
  public final int batch;
  private final int[] latent;
  public final int captionTokens;

  BenchSize(int dim, int heads, List<Integer> axesDims, List<Integer> axesLens, int layers, int refinerLayers, int capFeatDim,
      int batch, int[] latent, int captionTokens) {
    this.dim = dim;
    this.heads = heads;
    this.axesDims = axesDims;
    this.axesLens = axesLens;
    this.layers = layers;
    this.refinerLayers = refinerLayers;
    this.capFeatDim = capFeatDim;
    this.batch = batch;
    this.latent = latent;
    this.captionTokens = captionTokens;
  }

  /** The latent of one item, [C, F, H, W]. */
  public int[] latent() {
    return latent.clone();
  }

  /** "tiny", "small", ... */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @throws IllegalArgumentException naming the known sizes
   */
  public static BenchSize parse(String s) {
    for (BenchSize b : values()) if (b.id().equals(s.trim().toLowerCase(Locale.ROOT))) return b;
    throw new IllegalArgumentException("unknown size '" + s + "'; known: "
        + String.join(", ", Arrays.stream(values()).map(BenchSize::id).toList()));
  }

  /** The diffusers {@code config.json} of the size, with the fields in the order the reference writes them. */
  public ObjectNode config() {
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("_class_name", "ZImageTransformer2DModel");
    n.putArray("all_patch_size").add(2);
    n.putArray("all_f_patch_size").add(1);
    n.put("in_channels", 16);
    n.put("dim", dim);
    n.put("n_layers", layers);
    n.put("n_refiner_layers", refinerLayers);
    n.put("n_heads", heads);
    n.put("n_kv_heads", heads);
    n.put("norm_eps", 1e-5);
    n.put("qk_norm", true);
    n.put("cap_feat_dim", capFeatDim);
    n.putNull("siglip_feat_dim");
    n.put("rope_theta", 256.0);
    n.put("t_scale", 1000.0);
    ArrayNode ad = n.putArray("axes_dims");
    axesDims.forEach(ad::add);
    ArrayNode al = n.putArray("axes_lens");
    axesLens.forEach(al::add);
    return n;
  }
}
