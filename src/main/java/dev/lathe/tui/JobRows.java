package dev.lathe.tui;

import dev.lathe.jobs.JobFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How a job reads in the Queue and Dashboard lists, and where its files are (the Queue's and the Monitor's {@code o}). */
final class JobRows {
  private JobRows() {}

  static String step(Workspace.JobRow r) {
    return r.step() + "/" + (r.totalSteps() > 0 ? r.totalSteps() : "?");
  }

  static String loss(Workspace.JobRow r) {
    return Double.isNaN(r.lastLoss()) ? "–" : Fmt.num(r.lastLoss());
  }

  /** {@code 21:40:05} today, {@code 03-14 21:40} before. */
  static String updated(String iso) {
    if (iso == null || iso.isEmpty()) return "";
    try {
      OffsetDateTime t = OffsetDateTime.parse(iso).atZoneSameInstant(ZoneId.systemDefault()).toOffsetDateTime();
      if (t.toLocalDate().equals(LocalDate.now())) return String.format(Locale.ROOT, "%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond());
      return String.format(Locale.ROOT, "%02d-%02d %02d:%02d", t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute());
    } catch (DateTimeParseException e) {
      return iso;
    }
  }

  /** The state as a word, "running" also when the owner process is gone but not yet marked. */
  static String state(Workspace.JobRow r) {
    return r.shown().label() + (r.state().active() && !r.live() ? "?" : "");
  }

  /**
   * Where a job's files are, for people: the final LoRA (or why there is none yet), the newest checkpoint's LoRA,
   * samples, config, log, folder. Reads the disk.
   */
  static List<String> whereIs(Path jobDir) throws IOException {
    JobFolder j = new JobFolder(jobDir);
    List<String> out = new ArrayList<>();
    var s = j.readStatus();
    out.add(j.name() + " is " + s.status() + " at step " + s.step() + (s.totalSteps() > 0 ? " of " + s.totalSteps() : ""));
    out.add("");
    if (Files.isRegularFile(j.finalAdapter())) {
      out.add("The LoRA (load it in ComfyUI as it is):");
      out.add("  " + j.finalAdapter() + "  " + size(j.finalAdapter()));
    } else {
      out.add("The final LoRA is written when the run finishes:");
      out.add("  " + j.finalAdapter() + "  (not yet)");
    }
    var entries = j.checkpoints().list();
    Path newest = null;
    long step = -1;
    for (int i = entries.size() - 1; i >= 0 && newest == null; i--) {
      Path p = j.checkpointsDir().resolve(entries.get(i).adapter());
      if (Files.isRegularFile(p)) {
        newest = p;
        step = entries.get(i).step();
      }
    }
    out.add("");
    if (newest != null) {
      out.add("Newest checkpoint, step " + step + " (a LoRA too, usable as it is):");
      out.add("  " + newest + "  " + size(newest));
      if (entries.size() > 1) out.add("  and " + (entries.size() - 1) + " older in " + j.checkpointsDir());
    } else {
      out.add("No checkpoint yet (one is written every save.every steps, on stop and at the end).");
    }
    out.add("");
    int samples = j.samples().size();
    out.add("Samples (" + samples + " pictures):");
    out.add("  " + j.samplesDir());
    out.add("Config, log, metrics:");
    out.add("  " + j.config());
    out.add("  " + j.logFile());
    out.add("  " + j.metricsFile());
    return out;
  }

  static String size(Path p) {
    try {
      return bytes(Files.size(p));
    } catch (IOException e) {
      return "";
    }
  }

  static String bytes(long b) {
    if (b < 1024) return b + " B";
    if (b < 1024 * 1024) return String.format(Locale.ROOT, "%.0f KB", b / 1024.0);
    if (b < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MB", b / (1024.0 * 1024));
    return String.format(Locale.ROOT, "%.2f GB", b / (1024.0 * 1024 * 1024));
  }
}
