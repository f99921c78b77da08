package dev.lathe.train;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * One micro-batch, ready for the denoiser: clean latents (already scaled for the family) and the text
 * conditioning of each item.
 *
 * @param latents x0, [B, C, H, W], on the runtime's device
 * @param text per item [S_i, D]
 * @param preservationText per item, the prompt with the trigger replaced by the preservation class (DOP), or
 *     null when differential output preservation is off
 * @param lossMultiplier per item, from the dataset's weight settings (usually 1)
 */
public record Batch(Tensor latents, List<Tensor> text, List<Tensor> preservationText, double[] lossMultiplier) {}
