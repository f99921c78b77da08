package dev.lathe.data;

import java.nio.file.Path;

/**
 * Job-level settings of the data pipeline.
 *
 * @param trigger the job's trigger word, or null (a dataset's own trigger beats it)
 * @param divisor the model family's bucket divisor: bucket sides are multiples of it (Z-Image: 16)
 * @param batchSize images per batch; a bucket's last batch of an epoch may be smaller
 * @param seed seeds the batch order and caption dropout
 * @param background 0xRRGGBB that transparent pixels are composited over, for datasets that set no colour of their own
 * @param cacheDir root of the on-disk caches, or null for {@link CacheDir#defaultRoot()}
 * @param cacheTextEmbeddings keep text embeddings in the on-disk cache
 * @param memoryCacheBytes bound of the in-memory cache of resized pixels, latents and embeddings
 * @param threads decode threads, 0 for one per core (at most 8)
 */
public record DataOptions(String trigger, int divisor, int batchSize, long seed, int background, Path cacheDir,
    boolean cacheTextEmbeddings, long memoryCacheBytes, int threads) {

  public static final DataOptions DEFAULTS = new DataOptions(null, 16, 1, 42, 0xFFFFFF, null, false, 256L << 20, 0);

  public DataOptions {
    trigger = trigger == null || trigger.isBlank() ? null : trigger.strip();
    if (divisor < 1 || divisor > 256) throw new IllegalArgumentException("bucket divisor must be in [1, 256], got " + divisor);
    if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    if ((background & ~0xFFFFFF) != 0) throw new IllegalArgumentException("background must be 0xRRGGBB, got 0x" + Integer.toHexString(background));
    if (memoryCacheBytes < 0) throw new IllegalArgumentException("memory cache bytes must be >= 0, got " + memoryCacheBytes);
    if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, got " + threads);
  }

  /** The cache root in use. */
  public Path cacheRoot() {
    return cacheDir != null ? cacheDir : CacheDir.defaultRoot();
  }

  int threadCount() {
    return threads > 0 ? threads : Math.max(1, Math.min(8, java.lang.Runtime.getRuntime().availableProcessors()));
  }

  public DataOptions withTrigger(String t) {
    return new DataOptions(t, divisor, batchSize, seed, background, cacheDir, cacheTextEmbeddings, memoryCacheBytes, threads);
  }

  public DataOptions withDivisor(int d) {
    return new DataOptions(trigger, d, batchSize, seed, background, cacheDir, cacheTextEmbeddings, memoryCacheBytes, threads);
  }

  public DataOptions withBatchSize(int b) {
    return new DataOptions(trigger, divisor, b, seed, background, cacheDir, cacheTextEmbeddings, memoryCacheBytes, threads);
  }

  public DataOptions withSeed(long s) {
    return new DataOptions(trigger, divisor, batchSize, s, background, cacheDir, cacheTextEmbeddings, memoryCacheBytes, threads);
  }

  public DataOptions withBackground(int rgb) {
    return new DataOptions(trigger, divisor, batchSize, seed, rgb, cacheDir, cacheTextEmbeddings, memoryCacheBytes, threads);
  }

  public DataOptions withCacheDir(Path dir) {
    return new DataOptions(trigger, divisor, batchSize, seed, background, dir, cacheTextEmbeddings, memoryCacheBytes, threads);
  }

  public DataOptions withCacheTextEmbeddings(boolean on) {
    return new DataOptions(trigger, divisor, batchSize, seed, background, cacheDir, on, memoryCacheBytes, threads);
  }

  public DataOptions withMemoryCacheBytes(long bytes) {
    return new DataOptions(trigger, divisor, batchSize, seed, background, cacheDir, cacheTextEmbeddings, bytes, threads);
  }

  public DataOptions withThreads(int n) {
    return new DataOptions(trigger, divisor, batchSize, seed, background, cacheDir, cacheTextEmbeddings, memoryCacheBytes, n);
  }
}
