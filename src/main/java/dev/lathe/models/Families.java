package dev.lathe.models;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The registry of implemented families: one row per family. */
public final class Families {
  private static final Map<String, ModelFamily> BY_ID = new LinkedHashMap<>();

  static {
    register(new dev.lathe.models.zimage.ZImage());
  }

  private Families() {}

  /** Called once per family (in a static block of this class as families land). */
  static synchronized void register(ModelFamily f) {
    BY_ID.put(f.id(), f);
  }

  public static synchronized Optional<ModelFamily> find(String id) {
    return Optional.ofNullable(BY_ID.get(id));
  }

  public static synchronized Map<String, ModelFamily> all() {
    return Map.copyOf(BY_ID);
  }
}
