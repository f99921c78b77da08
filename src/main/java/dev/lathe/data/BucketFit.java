package dev.lathe.data;

/**
 * Where one image lands at one resolution: the image is resized (aspect ratio kept) to
 * {@code resizedWidth × resizedHeight}, then the bucket-sized window at ({@code cropX}, {@code cropY}) is cut out
 * of the middle. All sizes are in pixels of the image as displayed (EXIF orientation applied).
 *
 * @param resolution the entry of the dataset's resolution list this fit belongs to
 */
public record BucketFit(int resolution, Bucket bucket, int resizedWidth, int resizedHeight, int cropX, int cropY) {
  public BucketFit {
    if (cropX < 0 || cropY < 0 || cropX + bucket.width() > resizedWidth || cropY + bucket.height() > resizedHeight)
      throw new IllegalArgumentException("crop " + cropX + "," + cropY + " " + bucket + " lies outside " + resizedWidth + "x" + resizedHeight);
  }

  /** "resize 1366x768, crop 3,0 1360x768": the exact geometry, as cache keys and reports spell it. */
  public String geometry() {
    return "resize " + resizedWidth + "x" + resizedHeight + ", crop " + cropX + "," + cropY + " " + bucket;
  }
}
