package dev.lathe.data;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a scan of one dataset folder found: every image with its size, caption and buckets, and every file
 * Lathe will not use or uses with a fallback, with the reason. The CLI and the console render this record.
 *
 * @param images readable images, sorted by path (including those too small for every resolution)
 * @param issues per-file findings, sorted by path
 * @param filesSeen every file the walk visited (images, captions and others)
 * @param captionFiles sidecar caption files found
 * @param metadataLines caption entries read from metadata.jsonl (0 when there is none)
 * @param trigger the effective trigger word (dataset's, else the job's), or null
 * @param elapsedNanos wall time of the scan
 */
public record ScanReport(Path folder, List<Image> images, List<Issue> issues, int filesSeen, int captionFiles,
    int metadataLines, List<Integer> resolutions, int divisor, String trigger, boolean regularization,
    String defaultCaption, long elapsedNanos) {

  /** Where an image's caption came from. */
  public enum CaptionSource {
    /** A sidecar file ({@code image_01.txt}). */
    FILE,
    /** A {@code metadata.jsonl} line. */
    METADATA,
    /** None found or usable: the dataset's default caption (possibly empty). */
    DEFAULT
  }

  public enum Severity {
    /** The file is not used. */
    ERROR,
    /** The file is used, with a fallback the message names. */
    WARNING,
    /** Worth knowing; nothing changes. */
    INFO
  }

  /** A finding about one file ({@code path} relative to the folder, "/"-separated; "" for the folder). */
  public record Issue(String path, Severity severity, String message) {}

  /**
   * @param path relative to the folder, "/"-separated
   * @param width as displayed (EXIF orientation applied)
   * @param caption the caption before dropout and trigger rules (the default caption when none was found)
   * @param fits one per resolution the image is large enough for; empty when it is too small for all
   */
  public record Image(String path, Path file, String format, int width, int height, String color, boolean alpha,
      boolean animated, int orientation, long bytes, CaptionSource captionSource, String caption, List<BucketFit> fits) {

    public boolean usable() {
      return !fits.isEmpty();
    }
  }

  public ScanReport {
    images = List.copyOf(images);
    issues = List.copyOf(issues);
    resolutions = List.copyOf(resolutions);
  }

  /** Images that train at one resolution at least. */
  public List<Image> usable() {
    return images.stream().filter(Image::usable).toList();
  }

  /** Images smaller than {@link Buckets#MIN_FILL} of the smallest resolution. */
  public List<Image> tooSmall() {
    return images.stream().filter(i -> !i.usable()).toList();
  }

  public List<Issue> errors() {
    return issues.stream().filter(i -> i.severity() == Severity.ERROR).toList();
  }

  public List<Issue> warnings() {
    return issues.stream().filter(i -> i.severity() == Severity.WARNING).toList();
  }

  /** Images with a caption from a file or metadata.jsonl. */
  public long captionsFound() {
    return images.stream().filter(i -> i.captionSource() != CaptionSource.DEFAULT).count();
  }

  /** Images without a usable caption: they train on the default caption. */
  public List<Image> defaultCaptionImages() {
    return images.stream().filter(i -> i.captionSource() == CaptionSource.DEFAULT).toList();
  }

  /** Captions holding [trigger] or [name]: their text depends on the trigger setting. */
  public long placeholderCaptions() {
    return images.stream().filter(i -> Captions.hasPlaceholder(i.caption())).count();
  }

  /** Captions that already hold the trigger word (as a whole word), placeholders included. */
  public long triggerCaptions() {
    if (trigger == null) return 0;
    return images.stream().filter(i -> Captions.hasPlaceholder(i.caption()) || Captions.containsWord(i.caption(), trigger)).count();
  }

  /** Image sizes as displayed ("WxH" → count), most frequent first, then by size. */
  public Map<String, Integer> sizeHistogram() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Image i : images) counts.merge(i.width() + "x" + i.height(), 1, Integer::sum);
    Map<String, Integer> out = new LinkedHashMap<>();
    counts.entrySet().stream().sorted((a, b) -> a.getValue().equals(b.getValue()) ? compareSize(a.getKey(), b.getKey()) : b.getValue() - a.getValue())
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** Per resolution, how many images land in each bucket (largest bucket first). */
  public Map<Integer, Map<Bucket, Integer>> bucketHistogram() {
    Map<Integer, Map<Bucket, Integer>> out = new TreeMap<>();
    for (int r : resolutions) out.put(r, new TreeMap<>());
    for (Image i : images) for (BucketFit f : i.fits()) out.get(f.resolution()).merge(f.bucket(), 1, Integer::sum);
    return out;
  }

  /** Files looked at per second of scan time. */
  public double filesPerSecond() {
    return elapsedNanos <= 0 ? 0 : filesSeen * 1e9 / elapsedNanos;
  }

  private static int compareSize(String a, String b) {
    String[] x = a.split("x");
    String[] y = b.split("x");
    long ax = Long.parseLong(x[0]) * Long.parseLong(x[1]);
    long by = Long.parseLong(y[0]) * Long.parseLong(y[1]);
    return ax != by ? Long.compare(by, ax) : a.compareTo(b);
  }
}
