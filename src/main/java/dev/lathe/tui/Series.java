package dev.lathe.tui;

/**
 * An immutable (x, y) series with non-decreasing x, cheap to extend: {@link #append} returns a new series that shares
 * the backing arrays when it extends the newest version, so a feed publishing a snapshot per step copies nothing.
 * Older series stay valid and unchanged (they never read past their own size). Safe to hand from a writer thread to
 * the GUI thread through a volatile or atomic reference.
 */
public final class Series {
  public static final Series EMPTY = new Series(new Store(new double[0], new double[0]), 0);

  private static final class Store {
    final double[] x;
    final double[] y;
    int used;                 // how far the newest series over this store reaches; guarded by this

    Store(double[] x, double[] y) {
      this.x = x;
      this.y = y;
    }
  }

  private final Store store;
  private final int size;

  private Series(Store store, int size) {
    this.store = store;
    this.size = size;
  }

  /** A series of these points. */
  public static Series of(double[] xs, double[] ys) {
    if (xs.length != ys.length) throw new IllegalArgumentException("x and y lengths differ: " + xs.length + " vs " + ys.length);
    Series s = EMPTY;
    for (int i = 0; i < xs.length; i++) s = s.append(xs[i], ys[i]);
    return s;
  }

  /**
   * This series plus one point.
   *
   * @throws IllegalArgumentException if {@code x} is smaller than the last x (steps never go back)
   */
  public Series append(double x, double y) {
    if (size > 0 && x < store.x[size - 1]) {
      throw new IllegalArgumentException("x must not decrease: " + x + " after " + store.x[size - 1]);
    }
    synchronized (store) {
      if (store.used == size && size < store.x.length) {
        store.x[size] = x;
        store.y[size] = y;
        store.used = size + 1;
        return new Series(store, size + 1);
      }
    }
    int cap = Math.max(16, size * 2);
    Store s = new Store(java.util.Arrays.copyOf(store.x, cap), java.util.Arrays.copyOf(store.y, cap));
    s.x[size] = x;
    s.y[size] = y;
    s.used = size + 1;
    return new Series(s, size + 1);
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  public double x(int i) {
    check(i);
    return store.x[i];
  }

  public double y(int i) {
    check(i);
    return store.y[i];
  }

  /** The last y, or NaN when empty. */
  public double lastY() {
    return size == 0 ? Double.NaN : store.y[size - 1];
  }

  /** The last x, or NaN when empty. */
  public double lastX() {
    return size == 0 ? Double.NaN : store.x[size - 1];
  }

  /** Index of the first point with x >= {@code x} ({@link #size()} when none). */
  public int lowerBound(double x) {
    int lo = 0, hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (store.x[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private void check(int i) {
    if (i < 0 || i >= size) throw new IndexOutOfBoundsException("index " + i + " of a series of " + size);
  }
}
