package dev.lathe.data;

/** Receives progress of long operations (caching). Called on the caller's thread. */
@FunctionalInterface
public interface Progress {
  Progress NONE = (phase, done, total) -> {};

  /** @param phase "latents" or "text embeddings" */
  void update(String phase, long done, long total);
}
