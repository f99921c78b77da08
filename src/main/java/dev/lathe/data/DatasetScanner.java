package dev.lathe.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.data.ScanReport.CaptionSource;
import dev.lathe.data.ScanReport.Image;
import dev.lathe.data.ScanReport.Issue;
import dev.lathe.data.ScanReport.Severity;
import dev.lathe.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;

/**
 * Scans a dataset folder: walks it (sub-folders included, symbolic links followed, loops and repeats detected),
 * reads each image's header (never the pixels, unless asked to verify), finds its caption, and places it in
 * buckets. One bad file becomes one {@link Issue}; a scan never stops on it.
 */
public final class DatasetScanner {
  /** Image extensions recognised, lower case. */
  public static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "webp", "bmp", "gif");
  /** Caption file read from the dataset's top folder: one JSON object per line with file_name and caption (or text). */
  public static final String METADATA_FILE = "metadata.jsonl";

  private static final ObjectMapper JSON = new ObjectMapper();

  private DatasetScanner() {}

  /** Header-only scan (fast). */
  public static ScanReport scan(DatasetSpec spec, DataOptions options) throws DataException {
    return scan(spec, options, false);
  }

  /**
   * @param verify also decode every image fully, to find files whose header is intact but whose data is corrupt
   * @throws DataException if the folder does not exist or is not a folder
   */
  public static ScanReport scan(DatasetSpec spec, DataOptions options, boolean verify) throws DataException {
    long t0 = System.nanoTime();
    Path root = spec.folder();
    if (!Files.exists(root)) throw new DataException(root, "no such folder");
    if (!Files.isDirectory(root)) throw new DataException(root, "not a folder");
    Walk walk = new Walk(root, spec.captionExt().toLowerCase(Locale.ROOT));
    try {
      Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, walk);
    } catch (IOException e) {
      throw new DataException(root, "cannot list: " + e.getMessage());
    }
    List<Issue> issues = Collections.synchronizedList(new ArrayList<>(walk.issues));
    Map<String, String> metadata = walk.metadata == null ? Map.of() : readMetadata(walk.metadata, walk.images, issues);

    String trigger = Captions.effectiveTrigger(spec.trigger(), options.trigger());
    ConcurrentLinkedQueue<Image> found = new ConcurrentLinkedQueue<>();
    ForkJoinPool pool = new ForkJoinPool(options.threadCount());
    try {
      pool.submit(() -> walk.images.entrySet().parallelStream().forEach(e -> {
        try {
          Image img = inspect(e.getKey(), e.getValue(), spec, options, walk.captions, metadata, trigger, verify, issues);
          if (img != null) found.add(img);
        } catch (RuntimeException | StackOverflowError x) {   // a reader bug on one odd file must not end the scan
          issues.add(new Issue(e.getKey(), Severity.ERROR, "unexpected failure reading it: " + x));
        }
      })).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataException(root, "scan interrupted");
    } catch (ExecutionException e) {
      throw new IllegalStateException("scan of " + root + " failed", e.getCause());
    } finally {
      pool.shutdown();
    }
    for (Map.Entry<String, Path> c : walk.captions.entrySet()) {
      if (!walk.stems.contains(c.getKey())) issues.add(new Issue(relative(root, c.getValue()), Severity.INFO, "caption file without an image"));
    }
    List<Image> images = new ArrayList<>(found);
    images.sort(Comparator.comparing(Image::path));
    List<Issue> sorted = new ArrayList<>(issues);
    sorted.sort(Comparator.comparing(Issue::path).thenComparing(Issue::severity).thenComparing(Issue::message));
    return new ScanReport(root, images, sorted, walk.files, walk.captions.size(), metadata.size(), spec.resolutions(),
        options.divisor(), trigger, spec.regularization(), spec.defaultCaption(), System.nanoTime() - t0);
  }

  private static Image inspect(String rel, Found file, DatasetSpec spec, DataOptions options, Map<String, Path> captions,
      Map<String, String> metadata, String trigger, boolean verify, List<Issue> issues) {
    ImageHeader h;
    long bytes = file.size;
    Path path = file.path;
    try {
      h = ImageHeader.read(path);
    } catch (ImageHeader.BadImage e) {
      issues.add(new Issue(rel, Severity.ERROR, e.getMessage()));
      return null;
    } catch (NoSuchFileException e) {
      issues.add(new Issue(rel, Severity.ERROR, "vanished during the scan"));
      return null;
    } catch (java.nio.file.AccessDeniedException e) {
      issues.add(new Issue(rel, Severity.ERROR, "permission denied"));
      return null;
    } catch (IOException e) {
      issues.add(new Issue(rel, Severity.ERROR, "cannot read: " + e.getMessage()));
      return null;
    }
    if (verify) {
      try {
        Images.Rgb rgb = Images.decodeRgb(path, spec.backgroundOr(options));
        for (String w : rgb.warnings()) issues.add(new Issue(rel, Severity.WARNING, "decoder warning: " + w));
      } catch (DataException e) {
        issues.add(new Issue(rel, Severity.ERROR, e.problem()));
        return null;
      }
    }
    if (h.animated()) issues.add(new Issue(rel, Severity.INFO, "animated " + h.format() + ": the first frame is used"));

    // caption: sidecar file, else metadata.jsonl, else the default
    CaptionSource source = CaptionSource.DEFAULT;
    String caption = null;
    Path side = captions.get(stem(rel));
    if (side != null) {
      try {
        Captions.Read r = Captions.decode(Files.readAllBytes(side));
        if (r.text() != null) {
          caption = r.text();
          source = CaptionSource.FILE;
        } else {
          issues.add(new Issue(relative(spec.folder(), side), Severity.WARNING, r.problem() + "; " + fallback(metadata.containsKey(rel), spec)));
        }
      } catch (IOException e) {
        issues.add(new Issue(relative(spec.folder(), side), Severity.WARNING, "cannot read: " + e.getMessage() + "; " + fallback(metadata.containsKey(rel), spec)));
      }
    }
    if (caption == null && metadata.containsKey(rel)) {
      caption = metadata.get(rel);
      source = CaptionSource.METADATA;
    }
    if (caption == null) caption = spec.defaultCaption();
    if (spec.regularization() && trigger != null && source != CaptionSource.DEFAULT && Captions.containsWord(caption, trigger))
      issues.add(new Issue(rel, Severity.WARNING, "regularization caption contains the trigger '" + trigger + "'"));

    int w = h.displayWidth();
    int hh = h.displayHeight();
    List<BucketFit> fits = Buckets.fits(w, hh, spec.resolutions(), options.divisor());
    if (fits.isEmpty()) {
      int smallest = spec.resolutions().get(0);
      issues.add(new Issue(rel, Severity.ERROR, w + "x" + hh + " is too small for every resolution (needs about "
          + (int) Math.ceil(Buckets.MIN_FILL * smallest) + "x" + (int) Math.ceil(Buckets.MIN_FILL * smallest)
          + " pixels or more for " + smallest + "; Lathe never upscales)"));
    }
    return new Image(rel, path, h.format(), w, hh, h.color(), h.alpha(), h.animated(), h.orientation(), bytes, source, caption, fits);
  }

  private static String fallback(boolean metadata, DatasetSpec spec) {
    if (metadata) return "the metadata.jsonl caption is used";
    return spec.defaultCaption().isEmpty() ? "an empty caption is used" : "the default caption is used";
  }

  private static Map<String, String> readMetadata(Path file, Map<String, Found> images, List<Issue> issues) {
    Map<String, String> out = new HashMap<>();
    List<String> lines;
    try {
      byte[] bytes = Files.readAllBytes(file);
      Captions.Read whole = Captions.decodeRaw(bytes);
      if (whole.text() == null) {
        issues.add(new Issue(METADATA_FILE, Severity.WARNING, whole.problem() + "; its captions are ignored"));
        return out;
      }
      lines = whole.text().lines().toList();
    } catch (IOException e) {
      issues.add(new Issue(METADATA_FILE, Severity.WARNING, "cannot read: " + e.getMessage()));
      return out;
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) continue;
      JsonNode n;
      try {
        n = JSON.readTree(line);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        issues.add(new Issue(METADATA_FILE, Severity.WARNING, "line " + (i + 1) + ": not valid JSON: " + e.getOriginalMessage().lines().findFirst().orElse("")));
        continue;
      }
      if (n == null || !n.isObject()) {
        issues.add(new Issue(METADATA_FILE, Severity.WARNING, "line " + (i + 1) + ": not a JSON object"));
        continue;
      }
      JsonNode name = n.get("file_name");
      JsonNode text = n.has("caption") ? n.get("caption") : n.get("text");
      if (name == null || !name.isTextual() || text == null || !text.isTextual()) {
        issues.add(new Issue(METADATA_FILE, Severity.WARNING, "line " + (i + 1) + ": needs string fields file_name and caption (or text)"));
        continue;
      }
      String rel = name.asText().replace('\\', '/');
      while (rel.startsWith("./")) rel = rel.substring(2);
      if (!images.containsKey(rel)) {
        issues.add(new Issue(METADATA_FILE, Severity.WARNING, "line " + (i + 1) + ": no image '" + rel + "' in the folder"));
        continue;
      }
      String caption = Captions.normalize(text.asText());
      if (caption.isEmpty()) {
        issues.add(new Issue(METADATA_FILE, Severity.WARNING, "line " + (i + 1) + ": empty caption for '" + rel + "'; ignored"));
        continue;
      }
      if (out.put(rel, caption) != null)
        issues.add(new Issue(METADATA_FILE, Severity.WARNING, "line " + (i + 1) + ": second caption for '" + rel + "'; the last one is used"));
    }
    return out;
  }

  /** "sub/a.png" → "sub/a". */
  static String stem(String rel) {
    int slash = rel.lastIndexOf('/');
    int dot = rel.lastIndexOf('.');
    return dot > slash ? rel.substring(0, dot) : rel;
  }

  static String relative(Path root, Path file) {
    String s = root.relativize(file).toString();
    return file.getFileSystem().getSeparator().equals("/") ? s : s.replace(file.getFileSystem().getSeparator(), "/");
  }

  private static String extension(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  /** An image file the walk found, with its size. */
  private record Found(Path path, long size) {}

  /** The walk: collects images and captions, reports loops, repeats, broken links and unreadable folders. */
  private static final class Walk extends SimpleFileVisitor<Path> {
    final Path root;
    final String captionExt;
    final Map<String, Found> images = new HashMap<>();
    final Map<String, Path> captions = new HashMap<>();   // stem → caption file
    final Set<String> stems = new HashSet<>();
    final List<Issue> issues = new ArrayList<>();
    final Set<Object> seenDirs = new HashSet<>();
    final Map<Object, String> seenFiles = new HashMap<>();
    Path metadata;
    int files;

    Walk(Path root, String captionExt) {
      this.root = root;
      this.captionExt = captionExt;
    }

    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
      if (!dir.equals(root) && hidden(dir)) return FileVisitResult.SKIP_SUBTREE;
      Object key = attrs.fileKey();
      if (key != null && !seenDirs.add(key)) {
        issues.add(new Issue(relative(root, dir), Severity.WARNING, "folder reached a second time through a link; scanned once"));
        return FileVisitResult.SKIP_SUBTREE;
      }
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
      if (hidden(file) || AtomicFiles.isTemp(file)) return FileVisitResult.CONTINUE;
      String rel = relative(root, file);
      if (attrs.isSymbolicLink()) {   // FOLLOW_LINKS hands over the link itself only when its target is missing
        issues.add(new Issue(rel, Severity.ERROR, "broken symbolic link"));
        return FileVisitResult.CONTINUE;
      }
      if (!attrs.isRegularFile()) return FileVisitResult.CONTINUE;
      files++;
      String name = file.getFileName().toString();
      String ext = extension(name);
      if (IMAGE_EXTENSIONS.contains(ext)) {
        Object key = attrs.fileKey();
        String first = key == null ? null : seenFiles.putIfAbsent(key, rel);
        if (first != null) {
          issues.add(new Issue(rel, Severity.WARNING, "same file as " + first + " (linked); used once"));
          return FileVisitResult.CONTINUE;
        }
        images.put(rel, new Found(file, attrs.size()));
        stems.add(stem(rel));
      } else if (ext.equals(captionExt)) {
        captions.put(stem(rel), file);
      } else if (name.equals(METADATA_FILE) && file.getParent().equals(root)) {
        metadata = file;
      }
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFileFailed(Path file, IOException e) {
      String rel = relative(root, file);
      if (e instanceof FileSystemLoopException) issues.add(new Issue(rel, Severity.WARNING, "symbolic link loop; not followed"));
      else issues.add(new Issue(rel, Severity.WARNING, "cannot read: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())));
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult postVisitDirectory(Path dir, IOException e) {
      if (e != null) issues.add(new Issue(relative(root, dir), Severity.WARNING, "listing stopped early: " + e.getMessage()));
      return FileVisitResult.CONTINUE;
    }

    private static boolean hidden(Path p) {
      Path n = p.getFileName();
      return n != null && n.toString().startsWith(".");
    }
  }
}
