package dev.lathe.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One dataset of a job, as the DATASETS panel describes it. The trainer maps the job config onto this record;
 * this package never reads the config itself.
 *
 * @param folder the image folder (sub-folders included)
 * @param weight sampling weight ("LoRA Weight"): a dataset of weight 2 is drawn about twice as often as one of 1
 * @param defaultCaption used for images without a caption; may be empty
 * @param captionDropout probability in [0, 1] that a draw trains on an empty caption (then the trigger alone)
 * @param trigger this dataset's trigger word, or null to use the job's
 * @param regularization a regularization set: drawn on its own stream, never gets the trigger prepended
 * @param flipX also train each image mirrored left-right (doubles the epoch)
 * @param flipY also train each image mirrored top-bottom (doubles the epoch)
 * @param resolutions bucket resolutions; each image takes part at every one it is large enough for
 * @param cacheLatents keep encoded latents in the on-disk cache
 * @param captionExt extension of sidecar caption files, without the dot ("txt")
 * @param background 0xRRGGBB that this dataset's transparent pixels are composited over, or null to use the
 *     job's ({@link DataOptions#background()})
 */
public record DatasetSpec(Path folder, double weight, String defaultCaption, double captionDropout, String trigger,
    boolean regularization, boolean flipX, boolean flipY, List<Integer> resolutions, boolean cacheLatents,
    String captionExt, Integer background) {

  /** The upstream UI's resolution list, used by {@link #of}. */
  public static final List<Integer> STANDARD_RESOLUTIONS = List.of(512, 768, 1024);

  public DatasetSpec {
    Objects.requireNonNull(folder, "folder");
    if (!(weight > 0) || Double.isInfinite(weight)) throw new IllegalArgumentException("weight must be > 0, got " + weight);
    if (!(captionDropout >= 0 && captionDropout <= 1)) throw new IllegalArgumentException("caption dropout must be in [0, 1], got " + captionDropout);
    defaultCaption = defaultCaption == null ? "" : Captions.normalize(defaultCaption);
    trigger = trigger == null || trigger.isBlank() ? null : trigger.strip();
    if (resolutions == null || resolutions.isEmpty()) throw new IllegalArgumentException("at least one resolution is needed");
    for (Integer r : resolutions)
      if (r == null || r < 64 || r > 8192) throw new IllegalArgumentException("resolution must be in [64, 8192], got " + r);
    resolutions = resolutions.stream().distinct().sorted().toList();
    captionExt = captionExt == null || captionExt.isBlank() ? "txt" : captionExt.strip();
    if (captionExt.startsWith(".")) captionExt = captionExt.substring(1);
    if (captionExt.isEmpty() || captionExt.contains("/") || captionExt.contains("\\"))
      throw new IllegalArgumentException("caption extension must be a plain extension such as txt, got '" + captionExt + "'");
    if (background != null && (background & ~0xFFFFFF) != 0)
      throw new IllegalArgumentException("background must be 0xRRGGBB, got 0x" + Integer.toHexString(background));
  }

  /** A plain dataset: weight 1, no default caption, no dropout, no trigger, no flips, {@link #STANDARD_RESOLUTIONS}, no cache, .txt, the job's background. */
  public static DatasetSpec of(Path folder) {
    return new DatasetSpec(folder, 1, "", 0, null, false, false, false, STANDARD_RESOLUTIONS, false, "txt", null);
  }

  public DatasetSpec withWeight(double w) {
    return new DatasetSpec(folder, w, defaultCaption, captionDropout, trigger, regularization, flipX, flipY, resolutions, cacheLatents, captionExt, background);
  }

  public DatasetSpec withDefaultCaption(String c) {
    return new DatasetSpec(folder, weight, c, captionDropout, trigger, regularization, flipX, flipY, resolutions, cacheLatents, captionExt, background);
  }

  public DatasetSpec withCaptionDropout(double rate) {
    return new DatasetSpec(folder, weight, defaultCaption, rate, trigger, regularization, flipX, flipY, resolutions, cacheLatents, captionExt, background);
  }

  public DatasetSpec withTrigger(String t) {
    return new DatasetSpec(folder, weight, defaultCaption, captionDropout, t, regularization, flipX, flipY, resolutions, cacheLatents, captionExt, background);
  }

  public DatasetSpec withRegularization(boolean reg) {
    return new DatasetSpec(folder, weight, defaultCaption, captionDropout, trigger, reg, flipX, flipY, resolutions, cacheLatents, captionExt, background);
  }

  public DatasetSpec withFlips(boolean x, boolean y) {
    return new DatasetSpec(folder, weight, defaultCaption, captionDropout, trigger, regularization, x, y, resolutions, cacheLatents, captionExt, background);
  }

  public DatasetSpec withResolutions(List<Integer> r) {
    return new DatasetSpec(folder, weight, defaultCaption, captionDropout, trigger, regularization, flipX, flipY, r, cacheLatents, captionExt, background);
  }

  public DatasetSpec withCacheLatents(boolean c) {
    return new DatasetSpec(folder, weight, defaultCaption, captionDropout, trigger, regularization, flipX, flipY, resolutions, c, captionExt, background);
  }

  public DatasetSpec withCaptionExt(String ext) {
    return new DatasetSpec(folder, weight, defaultCaption, captionDropout, trigger, regularization, flipX, flipY, resolutions, cacheLatents, ext, background);
  }

  public DatasetSpec withBackground(Integer rgb) {
    return new DatasetSpec(folder, weight, defaultCaption, captionDropout, trigger, regularization, flipX, flipY, resolutions, cacheLatents, captionExt, rgb);
  }

  /** The colour transparent pixels of this dataset become: its own, else the job's. */
  public int backgroundOr(DataOptions options) {
    return background != null ? background : options.background();
  }
}
