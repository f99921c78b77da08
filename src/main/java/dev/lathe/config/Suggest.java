package dev.lathe.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean" for misspelt keys, values and names: the closest candidate by edit distance. */
final class Suggest {
  private Suggest() {}

  /** The candidate closest to {@code input}, if it is close enough to be a plausible typo. */
  static Optional<String> closest(String input, Collection<String> candidates) {
    String in = input.toLowerCase(Locale.ROOT);
    return candidates.stream()
        .filter(c -> distance(in, c.toLowerCase(Locale.ROOT)) <= allowed(in, c))
        .min(Comparator.<String>comparingInt(c -> distance(in, c.toLowerCase(Locale.ROOT))).thenComparing(c -> c));
  }

  /** " (did you mean X?)" or "". */
  static String didYouMean(String input, Collection<String> candidates) {
    return closest(input, candidates).map(c -> " (did you mean " + c + "?)").orElse("");
  }

  private static int allowed(String in, String candidate) {
    int len = Math.max(in.length(), candidate.length());
    return Math.max(1, Math.min(4, (len + 1) / 3));
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) d[i][0] = i;
    for (int j = 0; j <= b.length(); j++) d[0][j] = j;
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1))
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
    return d[a.length()][b.length()];
  }

  static String list(List<String> items) {
    return String.join(", ", items);
  }
}
