package dev.lathe.adapters;

/**
 * Where a module named in a file lands in the model: a Linear by canonical path, and for fused layers the rows it
 * covers. ComfyUI's fused {@code attention.qkv} [3D, D] is three slices: to_q rows 0..D, to_k D..2D, to_v 2D..3D.
 *
 * @param path canonical module path of the target Linear
 * @param rowOffset first output row of the file's module that belongs to this target
 * @param rows output rows of the target (its {@code out}); -1 = all of the file module's rows
 */
public record Slice(String path, long rowOffset, long rows) {
  public static Slice whole(String path) {
    return new Slice(path, 0, -1);
  }
}
