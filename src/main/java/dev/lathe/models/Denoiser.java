package dev.lathe.models;

import dev.lathe.nn.Linear;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * The trainable network of a family (Z-Image's transformer, later FLUX's, an SD UNet), seen the way the trainer
 * and the samplers need it. Each family hides its own time and sign conventions behind {@link #velocity}.
 */
public interface Denoiser {
  /** The module tree, for parameter listing and dtype / device moves. */
  Module module();

  /**
   * Flow-matching velocity in the convention shared by every flow family: with x_t = (1−σ)·x0 + σ·ε the
   * result approximates ε − x0.
   *
   * @param latents x_t, [B, C, H, W]
   * @param sigma noise level per item, [B], in [0, 1] (1 = pure noise)
   * @param text per item, the text encoder's output [S_i, D]; lengths may differ
   * @return [B, C, H, W]
   */
  Tensor velocity(Tensor latents, Tensor sigma, List<Tensor> text);

  /**
   * The front of {@link #velocity}: the part that no trainable weight reaches (Z-Image: the embedders and the two
   * refiners), computed without gradients. Because no optimizer step changes it, the trainer may compute it for the
   * next step on another thread while this step's backward runs. Call only when {@link #hasFrozenFront} is true.
   */
  default Front front(Tensor latents, Tensor sigma, List<Tensor> text) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no separate front");
  }

  /** {@code velocity(latents, sigma, text)} from {@code front(latents, sigma, text)}. */
  default Tensor velocity(Front front) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no separate front");
  }

  /** Whether {@link #front} is available now: the model has one and no adapter or trainable weight lies in it. */
  default boolean hasFrozenFront() {
    return false;
  }

  /**
   * Whether its passes spread over every intra-op thread of the calling thread by themselves (Z-Image's blocks split
   * their tokens between threads, {@link dev.lathe.nn.TokenSplit}). Then the cores are busy through the backward, and
   * work the trainer runs beside it (the look-ahead of the next step's front) only competes.
   */
  default boolean splitsAcrossThreads() {
    return false;
  }

  /** What {@link #front} returns; only the model that made it reads it. */
  interface Front {}

  /**
   * Every Linear layer an adapter can attach to, keyed by its module path in the family's canonical (diffusers)
   * naming, e.g. {@code layers.3.attention.to_q}, in module order.
   */
  Map<String, Linear> linearLayers();

  /** Whether a module path is in the family's default adapter targets (Z-Image: the Linears of the main blocks). */
  boolean defaultTarget(String modulePath);

  /**
   * Module names that adapter files written against another layout of this model use, mapped to this model's
   * layers (with the rows they cover when the other layout fuses layers). Z-Image: ComfyUI's fused
   * {@code attention.qkv} → to_q / to_k / to_v row slices, {@code attention.out} → {@code attention.to_out.0}.
   */
  default Map<String, List<dev.lathe.adapters.Slice>> adapterAliases() {
    return Map.of();
  }

  /** Recompute activations during backward instead of storing them (less memory, more compute). */
  void setGradientCheckpointing(boolean on);
}
