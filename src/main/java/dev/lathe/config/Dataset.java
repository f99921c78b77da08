package dev.lathe.config;

import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * One entry of the DATASETS panel: a folder of images (or clips) with captions.
 *
 * @param folder the folder; a relative path is resolved against the job file's folder
 * @param loraWeight relative weight of this dataset against the others of the job
 * @param defaultCaption caption for files that have no caption file
 * @param captionExt extension of caption files, without the dot
 * @param captionDropoutRate probability that a caption is replaced by the empty caption when an item is loaded
 * @param numFrames frames sampled per clip (video families); 1 for images
 * @param cacheLatents encode each image once and keep the latents in a cache on disk
 * @param isRegularization generic examples of the class, used by preservation and never given the trigger
 * @param flipX also train on the horizontal mirror of each image
 * @param flipY also train on the vertical mirror of each image
 * @param resolutions bucket sizes (the side of a square of the same area); images are only ever scaled down
 * @param controlFolder control / source images for edit models, matched by file name; "" = none
 * @param alphaBackground colour that transparent pixels are composited over, "#rrggbb" or "#rgb"
 */
public record Dataset(String folder, double loraWeight, String defaultCaption, String captionExt,
    double captionDropoutRate, int numFrames, boolean cacheLatents, boolean isRegularization, boolean flipX,
    boolean flipY, List<Integer> resolutions, String controlFolder, String alphaBackground) {
  public static final Dataset DEFAULTS = new Dataset("", 1.0, "", "txt", 0.05, 1, true, false, false, false,
      List.of(512, 768, 1024), "", "#ffffff");

  private static final Pattern HEX_COLOR = Pattern.compile("#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})");

  public Dataset {
    resolutions = List.copyOf(resolutions);
  }

  /** The largest bucket side. */
  public int maxResolution() {
    return resolutions.stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  /** {@link #alphaBackground} as 0xRRGGBB; empty when it is not a colour this format accepts. */
  public OptionalInt alphaBackgroundRgb() {
    return parseColor(alphaBackground);
  }

  /** "#rrggbb" or the short "#rgb" (each digit doubled), any case, surrounding blanks ignored; else empty. */
  public static OptionalInt parseColor(String text) {
    if (text == null) return OptionalInt.empty();
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (!HEX_COLOR.matcher(t).matches()) return OptionalInt.empty();
    String hex = t.substring(1);
    if (hex.length() == 3) hex = "" + hex.charAt(0) + hex.charAt(0) + hex.charAt(1) + hex.charAt(1) + hex.charAt(2) + hex.charAt(2);
    return OptionalInt.of(Integer.parseInt(hex, 16));
  }
}
