package dev.lathe.data;

import dev.lathe.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * SHA-256 of file contents, remembered by (path, size, modification time) so that an unchanged file is hashed
 * once, not once per run: the memo is kept in the cache folder ({@code hashes/<folder hash>.tsv}, one per
 * dataset folder). A file rewritten with the same size and time stamp would be missed, the trade-off make and
 * git also accept.
 */
final class ContentHashes {
  private record Entry(long size, long mtime, String sha) {}

  private final Path memoDir;
  private final Map<Path, Entry> memo = new ConcurrentHashMap<>();
  private final Map<Path, Boolean> loadedFolders = new ConcurrentHashMap<>();
  private volatile boolean dirty;

  /** @param memoDir where memo files live, or null to remember in memory only */
  ContentHashes(Path memoDir) {
    this.memoDir = memoDir;
  }

  /** The hex SHA-256 of {@code file}'s bytes. */
  String sha256(Path file) throws IOException {
    Path abs = file.toAbsolutePath().normalize();
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(abs, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new DataException(file, "no such file");
    }
    long mtime = a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    Entry e = memo.get(abs);
    if (e != null && e.size == a.size() && e.mtime == mtime) return e.sha;
    String sha = digest(abs);
    memo.put(abs, new Entry(a.size(), mtime, sha));
    dirty = true;
    return sha;
  }

  static String digest(Path file) throws IOException {
    MessageDigest md = sha();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static String sha256(String text) {
    return HexFormat.of().formatHex(sha().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest sha() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);   // every Java platform has SHA-256
    }
  }

  /** Reads the memo of {@code folder} if there is one; a damaged memo is ignored (hashes are recomputed). */
  void load(Path folder) {
    Path abs = folder.toAbsolutePath().normalize();
    if (memoDir == null || loadedFolders.putIfAbsent(abs, true) != null) return;
    Path f = memoFile(abs);
    if (!Files.isRegularFile(f)) return;
    try {
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        String[] p = line.split("\t", 4);
        if (p.length != 4 || p[2].length() != 64) continue;
        memo.putIfAbsent(abs.resolve(p[3]).normalize(), new Entry(Long.parseLong(p[0]), Long.parseLong(p[1]), p[2]));
      }
    } catch (IOException | RuntimeException e) {
      // a memo is only a shortcut
    }
  }

  /** Writes the memo of every loaded folder (atomically). */
  void save() throws IOException {
    if (memoDir == null || !dirty) return;
    for (Path folder : loadedFolders.keySet()) {
      StringBuilder b = new StringBuilder();
      memo.forEach((path, e) -> {
        if (!path.startsWith(folder)) return;
        String rel = folder.relativize(path).toString();
        if (rel.indexOf('\n') >= 0 || rel.indexOf('\r') >= 0) return;
        b.append(e.size).append('\t').append(e.mtime).append('\t').append(e.sha).append('\t').append(rel).append('\n');
      });
      AtomicFiles.writeString(memoFile(folder), b.toString());
    }
    dirty = false;
  }

  private Path memoFile(Path folder) {
    return memoDir.resolve(sha256(folder.toString()).substring(0, 24) + ".tsv");
  }
}
