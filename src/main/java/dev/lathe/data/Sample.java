package dev.lathe.data;

import java.nio.file.Path;

/**
 * One image of a batch, as drawn: which file, where it lands, which flips, and the caption the model sees.
 *
 * @param path relative to the dataset folder, "/"-separated
 * @param caption the final caption: after dropout and the trigger rules of {@link Captions}
 * @param captionDropped whether caption dropout fired for this draw
 * @param trigger the effective trigger word of the sample's dataset, or null
 * @param background 0xRRGGBB that the image's transparent pixels are composited over (its dataset's setting)
 */
public record Sample(Path image, String path, BucketFit fit, boolean flipX, boolean flipY, String caption,
    boolean captionDropped, String trigger, int background) {

  /** The caption with the trigger replaced by {@code preservationClass}, for Differential Output Preservation. */
  public String preservationPrompt(String preservationClass) {
    return Captions.preservationPrompt(caption, trigger, preservationClass);
  }

  /** "sub/a.png 1024:1360x768 x" and the caption: a readable one-line form for logs and tests. */
  @Override
  public String toString() {
    String flip = flipX && flipY ? " xy" : flipX ? " x" : flipY ? " y" : "";
    return path + " " + fit.resolution() + ":" + fit.bucket() + flip + " \"" + caption + "\"";
  }
}
