package dev.lathe.train;

import dev.lathe.torch.MemoryStats;

/**
 * What one optimizer step measured.
 *
 * @param step steps done after this one (1-based)
 * @param loss training loss averaged over the micro-batches: the main term plus each preservation term times its
 *     multiplier
 * @param preservationLoss the preservation MSEs (differential output and blank prompt, summed, before their
 *     multipliers), or NaN when both are off
 * @param lr learning rate used
 * @param gradNorm global L2 norm of the adapter gradients before clipping
 * @param seconds wall time of the step
 * @param memory memory after the step
 * @param phases where the step's time went
 */
public record StepReport(long step, double loss, double preservationLoss, double lr, double gradNorm, double seconds,
    MemoryStats memory, Phases phases) {

  /** A report without a phase breakdown. */
  public StepReport(long step, double loss, double preservationLoss, double lr, double gradNorm, double seconds, MemoryStats memory) {
    this(step, loss, preservationLoss, lr, gradNorm, seconds, memory, Phases.UNKNOWN);
  }

  /**
   * Wall seconds of a step's phases, summed over its micro-batches; NaN where not measured. On a GPU each phase ends
   * with a device synchronisation, so the figures are the device's time, not the time to queue the work.
   *
   * @param forward drawing the noise, the model's forward pass and the loss (DOP's extra passes included)
   * @param backward {@code loss.backward()}
   * @param optimizer zeroing the gradients, the gradient norm and clipping, the optimizer update and EMA
   */
  public record Phases(double forward, double backward, double optimizer) {
    public static final Phases UNKNOWN = new Phases(Double.NaN, Double.NaN, Double.NaN);
  }
}
