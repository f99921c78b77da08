package dev.lathe.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-safe file replacement: every write goes to a temporary file in the target's folder, is fsync'ed, then
 * renamed over the target, and the folder is fsync'ed so the rename itself survives a power cut. A reader sees
 * either the old file or the new one, never a mix; a process killed mid-write leaves the old file untouched.
 */
public final class AtomicFiles {
  /** Prefix of in-flight temporary files; {@link #isTemp} recognises them so scans and cleaners skip them. */
  public static final String TEMP_PREFIX = ".lathe-tmp-";

  /** Writes the body of a file through a channel positioned at 0. */
  @FunctionalInterface
  public interface Body {
    void write(FileChannel channel) throws IOException;
  }

  private AtomicFiles() {}

  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
  }

  public static void writeString(Path target, String text) throws IOException {
    write(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Replaces {@code target} with what {@code body} writes. If {@code body} throws, the temporary file is deleted
   * and {@code target} is left as it was.
   */
  public static void write(Path target, Body body) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(TEMP_PREFIX + abs.getFileName() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    boolean done = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        body.write(ch);
        ch.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(abs + ": the file system cannot rename atomically; choose another output folder", e);
      }
      done = true;
      syncDirectory(dir);
    } finally {
      if (!done) Files.deleteIfExists(tmp);
    }
  }

  /** True for a temporary file left by an interrupted {@link #write}. */
  public static boolean isTemp(Path file) {
    return file.getFileName().toString().startsWith(TEMP_PREFIX);
  }

  public static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) ch.write(buf);
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // some file systems refuse to open folders; the rename already happened
    }
  }

  /** Deletes a folder and everything under it, as far as it can: for scratch folders, where a leftover is harmless. */
  public static void deleteTree(Path root) {
    try (java.util.stream.Stream<Path> s = Files.walk(root)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // already gone, or unreadable: nothing more to do
    }
  }
}
