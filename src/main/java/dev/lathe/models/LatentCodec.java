package dev.lathe.models;

import org.bytedeco.pytorch.Tensor;

/**
 * The image ↔ latent half of a family (its VAE), already including the family's scaling and shift: training
 * latents come out of {@link #encode} ready for the denoiser, and {@link #decode} takes them back.
 */
public interface LatentCodec {
  /**
   * Identifies the encoder for caches: family, encoder version and a fingerprint of its weights. Any change to
   * it invalidates cached latents.
   */
  String cacheId();

  /** Channels of a latent (16 for the Flux VAE). */
  int latentChannels();

  /** Pixels per latent cell along each side (8 for the Flux VAE). */
  int downscale();

  /**
   * @param pixels [B, 3, H, W] in [-1, 1], H and W multiples of {@link #downscale()}
   * @return latents [B, C, H/d, W/d] — the posterior mean, scaled and shifted for the denoiser
   */
  Tensor encode(Tensor pixels);

  /** @return pixels [B, 3, H, W], nominally in [-1, 1] (not clamped) */
  Tensor decode(Tensor latents);
}
