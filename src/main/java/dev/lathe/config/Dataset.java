package dev.lathe.config;

import java.util.List;

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
 */
public record Dataset(String folder, double loraWeight, String defaultCaption, String captionExt,
    double captionDropoutRate, int numFrames, boolean cacheLatents, boolean isRegularization, boolean flipX,
    boolean flipY, List<Integer> resolutions, String controlFolder) {
  public static final Dataset DEFAULTS = new Dataset("", 1.0, "", "txt", 0.05, 1, true, false, false, false,
      List.of(512, 768, 1024), "");

  public Dataset {
    resolutions = List.copyOf(resolutions);
  }

  /** The largest bucket side. */
  public int maxResolution() {
    return resolutions.stream().mapToInt(Integer::intValue).max().orElse(0);
  }
}
