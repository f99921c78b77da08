package dev.lathe.data;

/**
 * A training image size: every image of one batch is resized and cropped to the same bucket. Both sides are
 * multiples of the model family's bucket divisor.
 */
public record Bucket(int width, int height) implements Comparable<Bucket> {
  public Bucket {
    if (width < 1 || height < 1) throw new IllegalArgumentException("bucket sides must be >= 1, got " + width + "x" + height);
  }

  /** "WxH", e.g. "1360x768". */
  @Override
  public String toString() {
    return width + "x" + height;
  }

  public long area() {
    return (long) width * height;
  }

  /** Larger area first, then wider first: the order reports list buckets in. */
  @Override
  public int compareTo(Bucket o) {
    int c = Long.compare(o.area(), area());
    return c != 0 ? c : Integer.compare(o.width, width);
  }
}
