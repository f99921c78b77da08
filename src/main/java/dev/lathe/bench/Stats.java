package dev.lathe.bench;

import java.util.Arrays;

/** Median, minimum and maximum of a series of timings. */
public record Stats(double median, double min, double max) {
  /** The median is the middle value, or the mean of the two middle values (as Python's statistics.median). */
  public static Stats of(double[] values) {
    if (values.length == 0) throw new IllegalArgumentException("no values");
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    double med = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    return new Stats(med, s[0], s[n - 1]);
  }
}
