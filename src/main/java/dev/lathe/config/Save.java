package dev.lathe.config;

/**
 * SAVE panel: how and how often checkpoints are written.
 *
 * @param dtype precision of the saved adapter
 * @param every steps between checkpoints
 * @param keepLast step checkpoints kept on disk (older ones are deleted; the final file always stays)
 */
public record Save(Precision dtype, int every, int keepLast) {
  public static final Save DEFAULTS = new Save(Precision.BF16, 250, 4);
}
