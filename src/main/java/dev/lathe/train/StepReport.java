package dev.lathe.train;

import dev.lathe.torch.MemoryStats;

/**
 * What one optimizer step measured.
 *
 * @param step steps done after this one (1-based)
 * @param loss training loss averaged over the micro-batches (main term)
 * @param preservationLoss differential output preservation term, or NaN when off
 * @param lr learning rate used
 * @param gradNorm global L2 norm of the adapter gradients before clipping
 * @param seconds wall time of the step
 * @param memory memory after the step
 */
public record StepReport(long step, double loss, double preservationLoss, double lr, double gradNorm, double seconds,
    MemoryStats memory) {}
