package dev.lathe.data;

import dev.lathe.io.AtomicFiles;
import dev.lathe.torch.SafeTensorsFile;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds and removes stale entries of the on-disk caches. An entry is stale when its source image is gone or its
 * content changed (checked by hash when size or time stamp differ), when it cannot be read or was left half
 * written, when it was made by another cache version, when its encoder is not among those to keep, or when it
 * has not been read for longer than asked. Entries are never needed for correctness: a removed one is encoded
 * again on next use.
 */
public final class CachePrune {
  private CachePrune() {}

  /** A stale file: where, how big, why. */
  public record Entry(Path file, long bytes, String reason) {}

  /** The whole cache and its stale part. */
  public record Result(Path root, long entries, long bytes, List<Entry> stale) {
    public long staleBytes() {
      return stale.stream().mapToLong(Entry::bytes).sum();
    }
  }

  /**
   * @param keepEncoders encoder ids whose entries stay; empty keeps every encoder
   * @param unusedFor entries not read for longer than this are stale; null for no age rule
   */
  public static Result find(Path root, Set<String> keepEncoders, Duration unusedFor) throws IOException {
    List<Entry> stale = new ArrayList<>();
    long[] totals = new long[2];
    Map<Path, String> shaBySource = new HashMap<>();
    Instant cutoff = unusedFor == null ? null : Instant.now().minus(unusedFor);
    for (String kind : List.of("latents", "text")) {
      Path dir = root.resolve(kind);
      if (!Files.isDirectory(dir)) continue;
      List<Path> files;
      try (Stream<Path> s = Files.walk(dir)) {
        files = s.filter(Files::isRegularFile).sorted().toList();
      }
      for (Path f : files) {
        BasicFileAttributes a;
        try {
          a = Files.readAttributes(f, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
          continue;   // removed meanwhile
        }
        boolean temp = AtomicFiles.isTemp(f);
        if (!temp && !f.getFileName().toString().endsWith(".safetensors")) continue;
        totals[0]++;
        totals[1] += a.size();
        String why = temp ? "unfinished write (interrupted)" : judge(f, kind, keepEncoders, shaBySource);
        if (why == null && cutoff != null && a.lastModifiedTime().toInstant().isBefore(cutoff))
          why = "not used for " + Duration.between(a.lastModifiedTime().toInstant(), Instant.now()).toDays() + " days";
        if (why != null) stale.add(new Entry(f, a.size(), why));
      }
    }
    return new Result(root, totals[0], totals[1], List.copyOf(stale));
  }

  private static String judge(Path f, String kind, Set<String> keep, Map<Path, String> shaBySource) {
    Map<String, String> m;
    try {
      m = SafeTensorsFile.readHeader(f).metadata();
    } catch (IOException | RuntimeException e) {
      String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      String prefix = f + ": ";
      return "unreadable: " + (msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg);
    }
    if (!kind.equals(m.get(DiskCache.KIND))) return "not a Lathe " + kind + " cache entry";
    if (!DiskCache.VERSION.equals(m.get(DiskCache.VERSION_KEY))) return "made by cache version " + m.get(DiskCache.VERSION_KEY) + ", this build uses " + DiskCache.VERSION;
    String encoder = m.get(DiskCache.ENCODER);
    if (!keep.isEmpty() && !keep.contains(encoder)) return "encoder " + encoder + " is not kept";
    if (!kind.equals("latents")) return null;
    String src = m.get("source");
    if (src == null) return "no source recorded";
    Path source = Path.of(src);
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(source, BasicFileAttributes.class);
    } catch (IOException e) {
      return "source image gone: " + src;
    }
    if (Long.toString(a.size()).equals(m.get("source.size")) && Long.toString(a.lastModifiedTime().toMillis()).equals(m.get("source.mtime")))
      return null;
    String sha = shaBySource.computeIfAbsent(source, p -> {
      try {
        return ContentHashes.digest(p);
      } catch (IOException e) {
        return "";
      }
    });
    return sha.equals(m.get("source.sha256")) ? null : "source image changed: " + src;
  }

  /** Deletes the entries (and shard folders left empty); returns the bytes freed. */
  public static long remove(List<Entry> entries) throws IOException {
    long freed = 0;
    for (Entry e : entries) {
      if (Files.deleteIfExists(e.file())) freed += e.bytes();
      Path parent = e.file().getParent();
      try {
        Files.deleteIfExists(parent);
      } catch (DirectoryNotEmptyException ignored) {
        // other entries share the folder
      }
    }
    return freed;
  }
}
