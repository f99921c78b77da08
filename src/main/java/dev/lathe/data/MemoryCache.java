package dev.lathe.data;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The in-memory front of the caches: resized pixels, latents and text embeddings as plain float arrays on the
 * Java heap (never native tensors, so an eviction can never free memory a caller still uses), bounded by bytes.
 */
final class MemoryCache {
  /** A tensor's values on the heap, row-major, fp32. */
  record Host(float[] data, long[] shape) {
    long bytes() {
      return 4L * data.length + 16L * shape.length + 64;
    }
  }

  private final Cache<String, Host> cache;

  MemoryCache(long maxBytes) {
    cache = Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((String k, Host v) -> (int) Math.min(Integer.MAX_VALUE, v.bytes() + 2L * k.length()))
        .executor(Runnable::run)   // evict on the caller's thread: the bound holds at every return
        .build();
  }

  Host get(String key) {
    return cache.getIfPresent(key);
  }

  void put(String key, Host value) {
    cache.put(key, value);
  }

  long entries() {
    return cache.estimatedSize();
  }

  /** Total weight of the entries held: what the bound is measured against. */
  long bytes() {
    return cache.policy().eviction().orElseThrow().weightedSize().orElse(0);
  }
}
