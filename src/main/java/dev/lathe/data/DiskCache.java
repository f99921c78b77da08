package dev.lathe.data;

import dev.lathe.data.MemoryCache.Host;
import dev.lathe.torch.SafeTensorsFile;
import dev.lathe.torch.SafeTensorsWriter;
import dev.lathe.torch.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * One kind of on-disk cache entry ("latents" or "text"): a safetensors file per key at
 * {@code <root>/<kind>/<key[0..2]>/<key>.safetensors} holding one tensor, with every input of its key in the
 * header metadata so {@link CachePrune} can judge it later. Files are written atomically; a file that fails
 * to read is treated as absent and rewritten.
 */
final class DiskCache {
  /** Metadata key naming the entry kind; its presence marks a Lathe cache file. */
  static final String KIND = "lathe.cache";
  static final String VERSION_KEY = "lathe.cache.version";
  static final String VERSION = "1";
  static final String ENCODER = "encoder";

  /** Reads refresh a file's time stamp at most this often: {@code prune --unused-days} relies on it. */
  private static final Duration TOUCH_EVERY = Duration.ofHours(12);

  final Path dir;
  final String kind;
  final String tensorName;

  DiskCache(Path root, String kind, String tensorName) {
    this.dir = root.resolve(kind);
    this.kind = kind;
    this.tensorName = tensorName;
  }

  Path file(String key) {
    return dir.resolve(key.substring(0, 2)).resolve(key + ".safetensors");
  }

  boolean contains(String key) {
    return Files.isRegularFile(file(key));
  }

  /** The entry's values as fp32, or null when absent or unreadable. Creates a short-lived tensor in the current scope. */
  Host load(String key) {
    Path f = file(key);
    if (!Files.isRegularFile(f)) return null;
    try (SafeTensorsFile st = SafeTensorsFile.open(f)) {
      if (!kind.equals(st.metadata().get(KIND)) || !VERSION.equals(st.metadata().get(VERSION_KEY)) || !st.contains(tensorName)) return null;
      Tensor t = st.load(tensorName, ScalarType.Float, null);
      Host h = new Host(Tensors.toFloats(t), Tensors.shape(t));
      touch(f);
      return h;
    } catch (IOException | RuntimeException e) {
      return null;   // damaged: the caller encodes again and the write replaces it
    }
  }

  /** Writes {@code value} (copied; dtype kept) with {@code metadata} under {@code key}, atomically. */
  void store(String key, Tensor value, Map<String, String> metadata) throws IOException {
    SafeTensorsWriter w = new SafeTensorsWriter();
    w.metadata(KIND, kind).metadata(VERSION_KEY, VERSION).metadata(metadata);
    w.put(tensorName, value);
    w.write(file(key));
  }

  private static void touch(Path f) {
    try {
      Instant now = Instant.now();
      if (Files.getLastModifiedTime(f).toInstant().isBefore(now.minus(TOUCH_EVERY))) Files.setLastModifiedTime(f, FileTime.from(now));
    } catch (IOException e) {
      // a read-only cache still serves
    }
  }
}
