package dev.lathe.cli;

import dev.lathe.data.Bucket;
import dev.lathe.data.CacheDir;
import dev.lathe.data.CachePrune;
import dev.lathe.data.DataOptions;
import dev.lathe.data.DatasetScanner;
import dev.lathe.data.DatasetSpec;
import dev.lathe.data.ScanReport;
import dev.lathe.data.ScanReport.CaptionSource;
import dev.lathe.data.ScanReport.Image;
import dev.lathe.data.ScanReport.Issue;
import dev.lathe.models.Families;
import dev.lathe.models.ModelFamily;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lathe datasets scan|prune}: look at a dataset folder the way training will; clean the caches. */
@Command(name = "datasets", mixinStandardHelpOptions = true,
    description = "Scan dataset folders and prune the latent / text-embedding caches.",
    subcommands = {DatasetsCommand.Scan.class, DatasetsCommand.Prune.class})
public final class DatasetsCommand implements Callable<Integer> {
  /** Bucket divisors of families not yet registered in {@link Families} (VAE downscale × patch size). */
  private static final Map<String, Integer> KNOWN_DIVISORS = Map.of("zimage", 16);

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCode.USAGE;
  }

  @Command(name = "scan", mixinStandardHelpOptions = true,
      description = "Report images, captions, buckets and unusable files of a dataset folder (reads headers only, unless --verify).")
  static final class Scan implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "the dataset folder")
    Path dir;

    @Option(names = "--resolutions", split = ",", paramLabel = "N[,N...]", description = "bucket resolutions (default: 512,768,1024)")
    List<Integer> resolutions = DatasetSpec.STANDARD_RESOLUTIONS;

    @Option(names = "--family", paramLabel = "ID", description = "model family whose bucket divisor to use (e.g. zimage)")
    String family;

    @Option(names = "--divisor", paramLabel = "N", description = "bucket sides are multiples of N (default: 16, or the family's)")
    Integer divisor;

    @Option(names = "--trigger", paramLabel = "WORD", description = "the job's trigger word")
    String trigger;

    @Option(names = "--caption-ext", paramLabel = "EXT", description = "sidecar caption extension (default: txt)")
    String captionExt = "txt";

    @Option(names = "--default-caption", paramLabel = "TEXT", description = "caption for images without one")
    String defaultCaption = "";

    @Option(names = "--regularization", description = "judge the folder as a regularization set")
    boolean regularization;

    @Option(names = "--verify", description = "also decode every image fully (slow) to find corrupt image data")
    boolean verify;

    @Option(names = "--summary", description = "omit the per-image table")
    boolean summary;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (family != null && divisor != null) throw new CliException(ExitCode.USAGE, "give --family or --divisor, not both");
      int d = divisor != null ? divisor : family != null ? familyDivisor(family) : DataOptions.DEFAULTS.divisor();
      DatasetSpec ds;
      DataOptions opts;
      try {
        ds = DatasetSpec.of(dir).withResolutions(resolutions).withCaptionExt(captionExt).withDefaultCaption(defaultCaption)
            .withRegularization(regularization);
        opts = DataOptions.DEFAULTS.withDivisor(d).withTrigger(trigger);
        for (int r : ds.resolutions()) if (r < d) throw new IllegalArgumentException("resolution " + r + " is smaller than the divisor " + d);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCode.USAGE, e.getMessage());
      }
      ScanReport r = DatasetScanner.scan(ds, opts, verify);
      print(spec.commandLine().getOut(), r, !summary);
      if (r.usable().isEmpty()) throw new CliException(ExitCode.DATA, dir + ": no usable images");
      return r.errors().isEmpty() ? ExitCode.OK : ExitCode.PROBLEMS;
    }
  }

  static int familyDivisor(String id) {
    return Families.find(id).map(ModelFamily::bucketDivisor).orElseGet(() -> {
      Integer d = KNOWN_DIVISORS.get(id);
      if (d == null) {
        List<String> known = new ArrayList<>(Families.all().keySet());
        KNOWN_DIVISORS.keySet().forEach(k -> { if (!known.contains(k)) known.add(k); });
        throw new CliException(ExitCode.USAGE, "unknown family '" + id + "' (known: " + String.join(", ", known.stream().sorted().toList()) + "); give --divisor instead");
      }
      return d;
    });
  }

  /** The report as text: summary, buckets, sizes, problems, then (optionally) one line per image. */
  static void print(PrintWriter out, ScanReport r, boolean images) {
    long errors = r.errors().size();
    out.printf(Locale.ROOT, "%s: %,d images (%,d usable, %,d too small), %,d unusable files; %,d files scanned in %.2f s (%,.0f files/s)%n",
        r.folder(), r.images().size(), r.usable().size(), r.tooSmall().size(), errors - r.tooSmall().size(), r.filesSeen(),
        r.elapsedNanos() / 1e9, r.filesPerSecond());
    long fromFiles = r.images().stream().filter(i -> i.captionSource() == CaptionSource.FILE).count();
    long fromMeta = r.images().stream().filter(i -> i.captionSource() == CaptionSource.METADATA).count();
    int none = r.defaultCaptionImages().size();
    String fallback = r.defaultCaption().isEmpty() ? "no caption (they train on the trigger alone, if any)" : "the default caption \"" + r.defaultCaption() + "\"";
    out.printf(Locale.ROOT, "captions  %,d from caption files, %,d from %s, %,d use %s%n", fromFiles, fromMeta, DatasetScanner.METADATA_FILE, none, fallback);
    if (r.trigger() != null) {
      long has = r.triggerCaptions();
      out.printf(Locale.ROOT, "trigger   %s: %,d captions hold it or [trigger]%s%n", r.trigger(), has,
          r.regularization() ? " (regularization: never prepended)" : ", " + (r.images().size() - has) + " get it prepended");
    } else if (r.placeholderCaptions() > 0) {
      out.printf(Locale.ROOT, "trigger   none set: [trigger] in %,d captions will be removed%n", r.placeholderCaptions());
    }
    out.printf(Locale.ROOT, "buckets   divisor %d; an image trains at each resolution it fills to %.0f%% or more%n", r.divisor(), 100 * dev.lathe.data.Buckets.MIN_FILL);
    for (Map.Entry<Integer, Map<Bucket, Integer>> e : r.bucketHistogram().entrySet()) {
      String row = e.getValue().entrySet().stream().map(b -> b.getKey() + " ×" + b.getValue()).collect(Collectors.joining("  "));
      out.printf(Locale.ROOT, "  %5d   %s%n", e.getKey(), row.isEmpty() ? "(no image fills it)" : row);
    }
    Map<String, Integer> sizes = r.sizeHistogram();
    String sizeRow = sizes.entrySet().stream().limit(10).map(s -> s.getKey() + " ×" + s.getValue()).collect(Collectors.joining("  "));
    if (sizes.size() > 10) sizeRow += "  (+" + (sizes.size() - 10) + " more sizes)";
    out.printf("sizes     %s%n", sizeRow.isEmpty() ? "-" : sizeRow);
    if (!r.issues().isEmpty()) {
      out.println("problems");
      for (Issue i : r.issues()) out.printf("  %-7s  %s: %s%n", i.severity().name().toLowerCase(Locale.ROOT), i.path().isEmpty() ? "." : i.path(), i.message());
    }
    if (images && !r.images().isEmpty()) {
      out.println("images");
      int w = r.images().stream().mapToInt(i -> i.path().length()).max().orElse(4);
      int fw = r.images().stream().mapToInt(i -> fits(i).length()).max().orElse(9);
      for (Image i : r.images()) {
        String cap = i.caption().length() > 60 ? i.caption().substring(0, 57) + "..." : i.caption();
        out.printf(Locale.ROOT, "  %-" + w + "s  %9s  %-4s  %-" + fw + "s  %-8s \"%s\"%n", i.path(), i.width() + "x" + i.height(), i.format(),
            fits(i), i.captionSource().name().toLowerCase(Locale.ROOT), cap);
      }
    }
  }

  private static String fits(Image i) {
    if (i.fits().isEmpty()) return "too small";
    return i.fits().stream().map(f -> f.resolution() + ":" + f.bucket()).collect(Collectors.joining("  "));
  }

  @Command(name = "prune", mixinStandardHelpOptions = true,
      description = "List and remove stale cache entries: source image gone or changed, unreadable, old cache version, encoder not kept, unused for long.")
  static final class Prune implements Callable<Integer> {
    @Option(names = "--cache", paramLabel = "DIR", description = "cache folder (default: $XDG_CACHE_HOME/lathe or ~/.cache/lathe)")
    Path cache;

    @Option(names = "--dry-run", description = "only list what would be removed")
    boolean dryRun;

    @Option(names = "--encoder", paramLabel = "ID", description = "keep only entries made by this encoder id (repeatable)")
    List<String> encoders = new ArrayList<>();

    @Option(names = "--unused-days", paramLabel = "N", description = "also remove entries not read for N days")
    Integer unusedDays;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Path root = cache != null ? cache : CacheDir.defaultRoot();
      if (unusedDays != null && unusedDays < 0) throw new CliException(ExitCode.USAGE, "--unused-days must be 0 or more");
      if (!Files.isDirectory(root)) {
        if (cache != null) throw new CliException(ExitCode.DATA, root + ": no such cache folder");
        out.println(root + ": no cache yet");
        return ExitCode.OK;
      }
      CachePrune.Result r = CachePrune.find(root, Set.copyOf(encoders), unusedDays == null ? null : Duration.ofDays(unusedDays));
      out.printf(Locale.ROOT, "%s: %,d entries, %s%n", root, r.entries(), DoctorCommand.bytes(r.bytes()));
      if (r.stale().isEmpty()) {
        out.println("nothing stale");
        return ExitCode.OK;
      }
      out.printf(Locale.ROOT, "stale: %,d entries, %s%n", r.stale().size(), DoctorCommand.bytes(r.staleBytes()));
      for (CachePrune.Entry e : r.stale())
        out.printf(Locale.ROOT, "  %-10s  %s  %s%n", DoctorCommand.bytes(e.bytes()), root.relativize(e.file()), e.reason());
      if (dryRun) {
        out.println("dry run: nothing removed");
      } else {
        long freed = CachePrune.remove(r.stale());
        out.printf(Locale.ROOT, "removed %,d entries, %s%n", r.stale().size(), DoctorCommand.bytes(freed));
      }
      return ExitCode.OK;
    }
  }
}
