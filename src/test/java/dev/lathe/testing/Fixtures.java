package dev.lathe.testing;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Paths of the parity fixtures under src/test/resources/fixtures (see its README). */
public final class Fixtures {
  private Fixtures() {}

  /** e.g. {@code Fixtures.path("zimage/weights.safetensors")}. */
  public static Path path(String relative) {
    URL url = Fixtures.class.getResource("/fixtures/" + relative);
    if (url == null) throw new IllegalStateException("missing test fixture fixtures/" + relative);
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
