package dev.lathe.torch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Which malloc serves this process's native memory. libtorch's CPU tensors come from malloc, and a training step
 * makes and frees thousands of them (0.1-10 MB each); glibc's malloc spends a few percent of the step consolidating
 * and re-faulting those chunks, which is why {@code scripts/lathe} preloads tcmalloc when it is installed (see the
 * README, "Memory allocator"). Reported by {@code lathe doctor} and {@code lathe bench}.
 */
public final class Allocator {
  private Allocator() {}

  /** The hint printed where glibc's malloc is in use. */
  public static final String HINT =
      "for faster CPU steps, install libtcmalloc-minimal4 (Debian/Ubuntu) and start Lathe through scripts/lathe";

  /** "tcmalloc (libtcmalloc_minimal.so.4)", "jemalloc (libjemalloc.so.2)" or "glibc malloc", from /proc/self/maps. */
  public static String current() {
    try {
      return fromMaps(Files.readAllLines(Path.of("/proc/self/maps")));
    } catch (IOException | RuntimeException e) {
      return "unknown (/proc/self/maps unreadable)";
    }
  }

  /** Whether {@link #current()} is glibc's own malloc (Lathe then suggests {@link #HINT}). */
  public static boolean isSystem(String current) {
    return current.startsWith("glibc");
  }

  /** The allocator named by the lines of a /proc/PID/maps file: the first preloaded malloc library mapped, else glibc. */
  static String fromMaps(List<String> lines) {
    for (String line : lines) {
      int slash = line.indexOf('/');
      if (slash < 0) continue;
      String file = Path.of(line.substring(slash).trim()).getFileName().toString();
      String lower = file.toLowerCase(Locale.ROOT);
      // the libraries' own names: libtcmalloc.so.4, libtcmalloc_minimal.so.4, libjemalloc.so.2, libmimalloc.so.2
      for (String kind : List.of("tcmalloc", "jemalloc", "mimalloc")) {
        if (lower.startsWith("lib" + kind)) return kind + " (" + file + ")";
      }
    }
    return "glibc malloc";
  }
}
