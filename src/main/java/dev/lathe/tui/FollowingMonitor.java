package dev.lathe.tui;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The Monitor's data source when it can follow different jobs: a {@link JobFolderMonitor} on whichever job folder is
 * attached now ({@link #attach}), or nothing. Reads never block; switching closes the old folder watcher.
 */
final class FollowingMonitor implements MonitorSource, JobControls, AutoCloseable {
  private final long periodMs;
  private volatile JobFolderMonitor current;
  private volatile Path dir;

  FollowingMonitor(long periodMs) {
    this.periodMs = periodMs;
  }

  /** Follows {@code jobDir} from now on (null: nothing). Attaching the folder already followed changes nothing. */
  synchronized void attach(Path jobDir) {
    Path d = jobDir == null ? null : jobDir.toAbsolutePath().normalize();
    if (Objects.equals(d, dir)) return;
    JobFolderMonitor old = current;
    current = d == null ? null : new JobFolderMonitor(d, periodMs);
    dir = d;
    if (old != null) {                              // it may be mid-read: let it finish on its own thread
      Thread t = new Thread(old::close, "lathe-job-watch-close");
      t.setDaemon(true);
      t.start();
    }
  }

  /** The folder followed now, or null. */
  Path attached() {
    return dir;
  }

  @Override
  public MonitorSnapshot snapshot() {
    JobFolderMonitor c = current;
    return c == null ? MonitorSnapshot.EMPTY : c.snapshot();
  }

  private JobFolderMonitor job() {
    JobFolderMonitor c = current;
    if (c == null) throw new IllegalStateException("no job is attached");
    return c;
  }

  @Override
  public void stop() {
    job().stop();
  }

  @Override
  public void pause() {
    job().pause();
  }

  @Override
  public void resume() {
    job().resume();
  }

  @Override
  public void saveNow() {
    job().saveNow();
  }

  @Override
  public void sampleNow() {
    job().sampleNow();
  }

  @Override
  public synchronized void close() {
    if (current != null) current.close();
    current = null;
    dir = null;
  }
}
