package dev.lathe.data;

import java.nio.file.Path;

/** Where Lathe keeps caches unless told otherwise. */
public final class CacheDir {
  private CacheDir() {}

  /** {@code $XDG_CACHE_HOME/lathe}, else {@code ~/.cache/lathe}. */
  public static Path defaultRoot() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) return Path.of(xdg, "lathe");
    return Path.of(System.getProperty("user.home"), ".cache", "lathe");
  }
}
