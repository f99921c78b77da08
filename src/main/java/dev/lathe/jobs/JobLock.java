package dev.lathe.jobs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

/**
 * Ownership of a job folder by one process. The owner holds an OS lock on {@code lock} for as long as it lives; the
 * kernel drops it when the process dies, however it dies (kill -9, crash, power loss), so the lock alone decides
 * whether a job's owner is alive: a reused pid cannot fool it, and a stale file cannot keep a job "running".
 * The owner's pid, start time and host are written into the file only for people, to see which process holds a
 * job ({@code cat <job>/lock}); nothing decides liveness from them.
 */
public final class JobLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private JobLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Who holds (or last held) a lock. */
  public record Owner(long pid, long startMillis, String host) {}

  /** Takes the lock, or returns empty when a live process holds it. */
  public static Optional<JobLock> tryAcquire(Path jobDir) throws IOException {
    return tryAcquireFile(jobDir.resolve("lock"));
  }

  /**
   * Takes the lock on any lock file (a queue runner's, {@link JobStore#runnerLockFile}), recording this process as
   * its owner; empty when a live process (this one included) holds it.
   */
  public static Optional<JobLock> tryAcquireFile(Path file) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;   // this JVM holds it already
    }
    if (l == null) {
      ch.close();
      return Optional.empty();
    }
    Owner me = self();
    byte[] text = (me.pid() + " " + me.startMillis() + " " + me.host() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ch.truncate(0);
    ch.write(java.nio.ByteBuffer.wrap(text), 0);
    ch.force(true);
    return Optional.of(new JobLock(ch, l));
  }

  /** Whether a live process holds the lock of {@code jobDir} now. */
  public static boolean held(Path jobDir) throws IOException {
    return heldFile(jobDir.resolve("lock"));
  }

  /** Whether a live process (this one included) holds the lock file now. Leaves the recorded owner as it is. */
  public static boolean heldFile(Path file) throws IOException {
    if (!Files.exists(file)) return false;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        return true;   // this JVM holds it
      }
      if (l == null) return true;
      l.release();
      return false;
    } catch (java.nio.file.NoSuchFileException e) {
      return false;
    }
  }

  /** The owner recorded in the lock file, if any. */
  public static Optional<Owner> owner(Path jobDir) {
    return ownerOfFile(jobDir.resolve("lock"));
  }

  /** The owner recorded in a lock file, if any. */
  public static Optional<Owner> ownerOfFile(Path file) {
    try {
      String[] parts = Files.readString(file).trim().split(" ", 3);
      return Optional.of(new Owner(Long.parseLong(parts[0]), Long.parseLong(parts[1]), parts.length > 2 ? parts[2] : ""));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** This process's identity. */
  public static Owner self() {
    ProcessHandle me = ProcessHandle.current();
    return new Owner(me.pid(), me.info().startInstant().map(Instant::toEpochMilli).orElse(0L), hostname());
  }

  public static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return System.getenv().getOrDefault("HOSTNAME", "localhost");
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
