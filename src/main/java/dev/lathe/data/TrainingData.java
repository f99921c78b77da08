package dev.lathe.data;

import dev.lathe.data.MemoryCache.Host;
import dev.lathe.data.ScanReport.Image;
import dev.lathe.models.LatentCodec;
import dev.lathe.models.TextEncoder;
import dev.lathe.torch.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The training data of one job: the datasets scanned and bucketed, a deterministic batch sampler, and the
 * pixel, latent and text-embedding caches. The trainer's whole view of the data:
 * <pre>{@code
 * try (TrainingData data = TrainingData.open(specs, options)) {
 *   data.precache(codec, textEncoder, progress);        // optional: fill the disk caches up front
 *   if (resuming) data.restore(SamplerState.fromJson(saved));
 *   for (int step = 0; step < steps; step++) {
 *     try (PointerScope s = new PointerScope()) {
 *       Batch b = data.next();
 *       Tensor latents = data.latents(b, codec);           // [B, C, h, w]
 *       List<Tensor> text = data.embeddings(b, textEncoder);  // per sample [S_i, D]
 *       ...
 *     }
 *     if (saving) write(data.state().toJson());
 *   }
 * }
 * }</pre>
 * Tensors returned belong to the caller's current {@link PointerScope}. Not thread-safe: one trainer thread
 * calls it (decoding fans out to its own worker threads).
 */
public final class TrainingData implements AutoCloseable {
  private static final long DROPOUT = 0x44524F50L;

  /** One draw item: an image at one of its fits, with a flip variant. */
  private record Item(int image, int fit, boolean flipX, boolean flipY) {}

  private record Dataset(int index, DatasetSpec spec, ScanReport report, List<Image> images, List<Item> items, String trigger) {}

  /** Counts since {@link #open}: what was computed and what came from a cache. */
  public record Stats(long imagesDecoded, long pixelHits, long latentsEncoded, long latentHits, long textsEncoded, long textHits) {}

  private final DataOptions options;
  private final List<Dataset> datasets;
  private final Sampler sampler;
  private final MemoryCache memory;
  private final ContentHashes hashes;
  private final DiskCache latentDisk;
  private final DiskCache textDisk;
  private final ForkJoinPool pool;
  private final AtomicLong decoded = new AtomicLong();
  private final AtomicLong pixelHits = new AtomicLong();
  private final AtomicLong latentsEncoded = new AtomicLong();
  private final AtomicLong latentHits = new AtomicLong();
  private final AtomicLong textsEncoded = new AtomicLong();
  private final AtomicLong textHits = new AtomicLong();

  private TrainingData(DataOptions options, List<Dataset> datasets, Sampler sampler) {
    this.options = options;
    this.datasets = datasets;
    this.sampler = sampler;
    this.memory = new MemoryCache(options.memoryCacheBytes());
    Path root = options.cacheRoot();
    this.hashes = new ContentHashes(root.resolve("hashes"));
    this.latentDisk = new DiskCache(root, "latents", "latent");
    this.textDisk = new DiskCache(root, "text", "text_embed");
    this.pool = new ForkJoinPool(options.threadCount());
    for (Dataset d : datasets) if (d.spec.cacheLatents()) hashes.load(d.spec.folder());
  }

  /**
   * Scans every dataset (headers only) and lays out the batch order.
   *
   * @throws DataException if a folder is missing, a dataset has no usable image, or every dataset is a
   *     regularization set
   */
  public static TrainingData open(List<DatasetSpec> specs, DataOptions options) throws DataException {
    if (specs.isEmpty()) throw new IllegalArgumentException("no datasets");
    List<Dataset> datasets = new ArrayList<>();
    List<Sampler.Stream> streams = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      DatasetSpec spec = specs.get(i);
      ScanReport report = DatasetScanner.scan(spec, options);
      List<Image> images = report.usable();
      if (images.isEmpty()) {
        throw new DataException(spec.folder(), "no usable images (" + report.images().size() + " readable, "
            + report.tooSmall().size() + " too small, " + report.errors().size() + " unusable files); see lathe datasets scan");
      }
      List<Item> items = new ArrayList<>();
      List<Bucket> buckets = new ArrayList<>();
      StringBuilder fp = new StringBuilder("batch " + options.batchSize() + "\n");
      for (int m = 0; m < images.size(); m++) {
        Image img = images.get(m);
        for (int f = 0; f < img.fits().size(); f++) {
          BucketFit fit = img.fits().get(f);
          for (int v = 0; v < 4; v++) {
            boolean fx = (v & 1) != 0;
            boolean fy = (v & 2) != 0;
            if ((fx && !spec.flipX()) || (fy && !spec.flipY())) continue;
            items.add(new Item(m, f, fx, fy));
            buckets.add(fit.bucket());
            fp.append(img.path()).append('\t').append(fit.geometry()).append('\t').append(v).append('\n');
          }
        }
      }
      String trigger = Captions.effectiveTrigger(spec.trigger(), options.trigger());
      datasets.add(new Dataset(i, spec, report, images, items, trigger));
      streams.add(new Sampler.Stream(i, spec.folder().toAbsolutePath().normalize().toString(), spec.weight(),
          spec.regularization(), buckets, ContentHashes.sha256(fp.toString())));
    }
    if (specs.stream().allMatch(DatasetSpec::regularization))
      throw new DataException(specs.get(0).folder(), "every dataset is a regularization set; at least one must be training data");
    return new TrainingData(options, List.copyOf(datasets), new Sampler(options.seed(), options.batchSize(), streams));
  }

  // ---- what was found

  /** The scan of each dataset, in the order given to {@link #open}. */
  public List<ScanReport> reports() {
    return datasets.stream().map(Dataset::report).toList();
  }

  public boolean hasRegularization() {
    return sampler.has(true);
  }

  /** Draw items of a dataset: usable images × the resolutions each fits × flip variants. */
  public int items(int dataset) {
    return datasets.get(dataset).items.size();
  }

  /** Batches in one epoch of a dataset. */
  public int batchesPerEpoch(int dataset) {
    return sampler.batchesPerEpoch(streamOf(dataset));
  }

  /**
   * Every final caption a draw can produce (each caption with and, if the dataset drops captions, without its
   * text), sorted: what a text-embedding cache must hold before the text encoder is released.
   */
  public Set<String> captions() {
    Set<String> out = new TreeSet<>();
    for (Dataset d : datasets) {
      for (Image img : d.images) {
        out.add(Captions.finalCaption(img.caption(), false, d.trigger, d.spec.regularization()));
        if (d.spec.captionDropout() > 0) out.add(Captions.finalCaption(img.caption(), true, d.trigger, d.spec.regularization()));
      }
    }
    return out;
  }

  /**
   * The Differential Output Preservation prompts of {@link #captions()} of the training datasets: each with its
   * trigger replaced by {@code preservationClass}. Add them to {@link #precache}'s extra prompts when the text
   * encoder is to be released.
   */
  public Set<String> preservationPrompts(String preservationClass) {
    Set<String> out = new TreeSet<>();
    for (Dataset d : datasets) {
      if (d.spec.regularization()) continue;
      for (Image img : d.images) {
        out.add(Captions.preservationPrompt(Captions.finalCaption(img.caption(), false, d.trigger, false), d.trigger, preservationClass));
        if (d.spec.captionDropout() > 0)
          out.add(Captions.preservationPrompt(Captions.finalCaption(img.caption(), true, d.trigger, false), d.trigger, preservationClass));
      }
    }
    return out;
  }

  public Stats stats() {
    return new Stats(decoded.get(), pixelHits.get(), latentsEncoded.get(), latentHits.get(), textsEncoded.get(), textHits.get());
  }

  // ---- drawing

  /** The next training batch (datasets mixed by weight). */
  public Batch next() {
    return draw(false);
  }

  /**
   * The next batch of the regularization stream, which runs apart from the training stream: drawing it does
   * not change which training batches come.
   *
   * @throws IllegalStateException if no dataset is a regularization set
   */
  public Batch nextRegularization() {
    return draw(true);
  }

  private Batch draw(boolean regularization) {
    Sampler.Draw d = sampler.next(regularization);
    Dataset ds = datasets.get(d.stream().dataset);
    List<Sample> samples = new ArrayList<>(d.items().length);
    double rate = ds.spec.captionDropout();
    for (int k = 0; k < d.items().length; k++) {
      Item it = ds.items.get(d.items()[k]);
      Image img = ds.images.get(it.image);
      boolean dropped = rate > 0 && SplitMix64.unit(SplitMix64.mix(sampler.seed(), DROPOUT, ds.index, d.epoch(), d.index(), k)) < rate;
      String caption = Captions.finalCaption(img.caption(), dropped, ds.trigger, ds.spec.regularization());
      samples.add(new Sample(img.file(), img.path(), img.fits().get(it.fit), it.flipX, it.flipY, caption, dropped, ds.trigger, ds.spec.backgroundOr(options)));
    }
    return new Batch(ds.index, regularization, d.epoch(), samples.get(0).fit().bucket(), samples);
  }

  /** Where the sampler stands; save it with a checkpoint. */
  public SamplerState state() {
    return sampler.state();
  }

  /**
   * Continues from a saved state: the batches drawn next are those an uninterrupted run would have drawn.
   *
   * @return notes on what could not be restored exactly (a dataset changed, was added or removed); empty when exact
   */
  public List<String> restore(SamplerState state) {
    return sampler.restore(state);
  }

  private Sampler.Stream streamOf(int dataset) {
    return sampler.stream(dataset);
  }

  // ---- pixels

  /**
   * The batch's images resized, cropped and flipped: [B, 3, H, W] fp32 on the CPU, values in [-1, 1].
   *
   * @throws DataException if an image cannot be read or changed since the scan
   */
  public Tensor pixels(Batch batch) throws DataException {
    return pixels(batch.samples(), batch.bucket());
  }

  private Tensor pixels(List<Sample> samples, Bucket bucket) throws DataException {
    int n = samples.size();
    int plane = 3 * bucket.width() * bucket.height();
    float[] all = new float[n * plane];
    parallel(n, k -> {
      Sample s = samples.get(k);
      float[] px = resized(s);
      float[] c = (s.flipX() || s.flipY()) ? px.clone() : px;
      Resampler.flip(c, bucket.width(), bucket.height(), s.flipX(), s.flipY());
      System.arraycopy(c, 0, all, k * plane, plane);
    });
    return Tensors.fromFloats(all, n, 3, bucket.height(), bucket.width());
  }

  /** Resized, cropped, unflipped pixels of a sample, through the memory cache. */
  private float[] resized(Sample s) throws DataException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(s.image(), BasicFileAttributes.class);
    } catch (IOException e) {
      throw new DataException(s.image(), "no longer readable: " + e.getMessage());
    }
    String key = "px|" + s.image().toAbsolutePath() + "|" + a.size() + "|" + a.lastModifiedTime().toMillis() + "|"
        + s.fit().geometry() + "|" + Integer.toHexString(s.background()) + "|" + Resampler.VERSION;
    Host h = memory.get(key);
    if (h != null) {
      pixelHits.incrementAndGet();
      return h.data();
    }
    Images.Rgb rgb = Images.decodeRgb(s.image(), s.background());
    decoded.incrementAndGet();
    BucketFit f = s.fit();
    if (!Buckets.fit(rgb.width(), rgb.height(), f.resolution(), options.divisor()).map(f::equals).orElse(false))
      throw new DataException(s.image(), "changed since the scan (now " + rgb.width() + "x" + rgb.height() + "); scan again");
    float[] px = Resampler.resizeCrop(rgb.pixels(), rgb.width(), rgb.height(), f);
    memory.put(key, new Host(px, new long[] {3, f.bucket().height(), f.bucket().width()}));
    return px;
  }

  // ---- latents

  /**
   * Latents of the batch: [B, C, h, w]. For a dataset with {@code cacheLatents}, each sample is looked up in
   * memory, then on disk, and only the misses are encoded (in one call) and written; the result is then fp32 on
   * the CPU. Without caching it is the codec's output for {@link #pixels}.
   */
  public Tensor latents(Batch batch, LatentCodec codec) throws IOException {
    DatasetSpec spec = datasets.get(batch.dataset()).spec;
    if (!spec.cacheLatents()) {
      latentsEncoded.addAndGet(batch.size());
      return codec.encode(pixels(batch));
    }
    List<Sample> samples = batch.samples();
    String[] keys = new String[samples.size()];
    Host[] got = new Host[samples.size()];
    List<Integer> misses = new ArrayList<>();
    for (int k = 0; k < samples.size(); k++) {
      keys[k] = latentKey(samples.get(k), codec.cacheId());
      got[k] = memory.get("lat|" + keys[k]);
      if (got[k] == null) {
        got[k] = latentDisk.load(keys[k]);
        if (got[k] != null) memory.put("lat|" + keys[k], got[k]);
      }
      if (got[k] == null) misses.add(k);
      else latentHits.incrementAndGet();
    }
    if (!misses.isEmpty()) {
      List<Sample> todo = misses.stream().map(samples::get).toList();
      Host[] fresh = encodeAndStore(todo, batch.bucket(), misses.stream().map(k -> keys[k]).toList(), codec);
      for (int j = 0; j < misses.size(); j++) got[misses.get(j)] = fresh[j];
    }
    return stack(got);
  }

  private Host[] encodeAndStore(List<Sample> samples, Bucket bucket, List<String> keys, LatentCodec codec) throws IOException {
    Tensor out = codec.encode(pixels(samples, bucket));
    latentsEncoded.addAndGet(samples.size());
    Host[] hosts = new Host[samples.size()];
    for (int j = 0; j < samples.size(); j++) {
      Tensor row = out.select(0, j);
      latentDisk.store(keys.get(j), row, latentMetadata(samples.get(j), codec.cacheId()));
      hosts[j] = new Host(Tensors.toFloats(row), Tensors.shape(row));
      memory.put("lat|" + keys.get(j), hosts[j]);
    }
    return hosts;
  }

  /** The latent cache key: every input that changes the latent, and nothing else (not the file's name). */
  private String latentKey(Sample s, String encoderId) throws IOException {
    return ContentHashes.sha256(String.join("\n", "lathe latent " + DiskCache.VERSION,
        "content " + hashes.sha256(s.image()),
        s.fit().geometry(),
        "flip " + flipName(s),
        "background " + String.format("#%06x", s.background()),
        "resample " + Resampler.VERSION,
        "encoder " + encoderId));
  }

  private Map<String, String> latentMetadata(Sample s, String encoderId) throws IOException {
    Path abs = s.image().toAbsolutePath().normalize();
    BasicFileAttributes a = Files.readAttributes(abs, BasicFileAttributes.class);
    Map<String, String> m = new LinkedHashMap<>();
    m.put("source", abs.toString());
    m.put("source.size", Long.toString(a.size()));
    m.put("source.mtime", Long.toString(a.lastModifiedTime().toMillis()));
    m.put("source.sha256", hashes.sha256(abs));
    m.put("geometry", s.fit().geometry());
    m.put("flip", flipName(s));
    m.put("background", String.format("#%06x", s.background()));
    m.put("resample", Resampler.VERSION);
    m.put(DiskCache.ENCODER, encoderId);
    return m;
  }

  private static String flipName(Sample s) {
    return s.flipX() && s.flipY() ? "xy" : s.flipX() ? "x" : s.flipY() ? "y" : "none";
  }

  // ---- text embeddings

  /** Embeddings of the batch's final captions; see {@link #embeddings(List, TextEncoder)}. */
  public List<Tensor> embeddings(Batch batch, TextEncoder encoder) throws IOException {
    return embeddings(batch.captions(), encoder);
  }

  /**
   * Embeddings of any prompts (batch captions, DOP class prompts, the blank prompt), one [S_i, D] tensor each.
   * With {@link DataOptions#cacheTextEmbeddings} each prompt is looked up in memory, then on disk, and the misses
   * are encoded together and written; results are then fp32 on the CPU. Otherwise the encoder's output.
   */
  public List<Tensor> embeddings(List<String> prompts, TextEncoder encoder) throws IOException {
    if (!options.cacheTextEmbeddings()) {
      textsEncoded.addAndGet(prompts.size());
      return encoder.encode(prompts);
    }
    Map<String, Host> found = new LinkedHashMap<>();
    Set<String> missing = new LinkedHashSet<>();
    for (String p : prompts) {
      if (found.containsKey(p) || missing.contains(p)) continue;
      String key = textKey(p, encoder.cacheId());
      Host h = memory.get("txt|" + key);
      if (h == null) {
        h = textDisk.load(key);
        if (h != null) memory.put("txt|" + key, h);
      }
      if (h == null) missing.add(p);
      else {
        found.put(p, h);
        textHits.incrementAndGet();
      }
    }
    if (!missing.isEmpty()) found.putAll(encodeTexts(new ArrayList<>(missing), encoder));
    List<Tensor> out = new ArrayList<>(prompts.size());
    for (String p : prompts) {
      Host h = found.get(p);
      out.add(Tensors.fromFloats(h.data(), h.shape()));
    }
    return out;
  }

  private Map<String, Host> encodeTexts(List<String> prompts, TextEncoder encoder) throws IOException {
    List<Tensor> enc = encoder.encode(prompts);
    if (enc.size() != prompts.size())
      throw new IllegalStateException("text encoder " + encoder.cacheId() + " returned " + enc.size() + " embeddings for " + prompts.size() + " prompts");
    textsEncoded.addAndGet(prompts.size());
    Map<String, Host> out = new LinkedHashMap<>();
    for (int i = 0; i < prompts.size(); i++) {
      String key = textKey(prompts.get(i), encoder.cacheId());
      textDisk.store(key, enc.get(i), Map.of(DiskCache.ENCODER, encoder.cacheId(), "caption", prompts.get(i)));
      Host h = new Host(Tensors.toFloats(enc.get(i)), Tensors.shape(enc.get(i)));
      memory.put("txt|" + key, h);
      out.put(prompts.get(i), h);
    }
    return out;
  }

  private static String textKey(String prompt, String encoderId) {
    return ContentHashes.sha256("lathe text " + DiskCache.VERSION + "\nencoder " + encoderId + "\ncaption " + prompt);
  }

  // ---- filling the caches up front

  /**
   * Fills the disk caches: latents of every draw item of the datasets with {@code cacheLatents} (when
   * {@code codec} is not null), and, with {@link DataOptions#cacheTextEmbeddings}, embeddings of
   * {@link #captions()} plus {@code extraPrompts} (when {@code encoder} is not null). Entries already on disk are
   * skipped, so a second run encodes nothing. Each chunk runs in its own {@link PointerScope}.
   */
  public void precache(LatentCodec codec, TextEncoder encoder, Collection<String> extraPrompts, Progress progress) throws IOException {
    if (codec != null) precacheLatents(codec, progress);
    if (encoder != null && options.cacheTextEmbeddings()) {
      Set<String> all = new TreeSet<>(captions());
      all.addAll(extraPrompts);
      List<String> todo = new ArrayList<>();
      for (String p : all) if (!textDisk.contains(textKey(p, encoder.cacheId()))) todo.add(p);
      int chunk = 16;
      for (int i = 0; i < todo.size(); i += chunk) {
        progress.update("text embeddings", i, todo.size());
        try (PointerScope scope = new PointerScope()) {
          encodeTexts(todo.subList(i, Math.min(todo.size(), i + chunk)), encoder);
        }
      }
      progress.update("text embeddings", todo.size(), todo.size());
    }
    hashes.save();
  }

  private void precacheLatents(LatentCodec codec, Progress progress) throws IOException {
    record Todo(Sample sample, String key) {}
    Map<Bucket, List<Todo>> byBucket = new LinkedHashMap<>();
    Set<String> seen = new java.util.HashSet<>();
    long total = 0;
    for (Dataset d : datasets) {
      if (!d.spec.cacheLatents()) continue;
      for (Item it : d.items) {
        Image img = d.images.get(it.image);
        Sample s = new Sample(img.file(), img.path(), img.fits().get(it.fit), it.flipX, it.flipY, "", false, d.trigger, d.spec.backgroundOr(options));
        String key = latentKey(s, codec.cacheId());
        if (!seen.add(key) || latentDisk.contains(key)) continue;
        byBucket.computeIfAbsent(s.fit().bucket(), b -> new ArrayList<>()).add(new Todo(s, key));
        total++;
      }
    }
    long done = 0;
    for (Map.Entry<Bucket, List<Todo>> e : byBucket.entrySet()) {
      List<Todo> list = e.getValue();
      for (int i = 0; i < list.size(); i += options.batchSize()) {
        progress.update("latents", done, total);
        List<Todo> chunk = list.subList(i, Math.min(list.size(), i + options.batchSize()));
        try (PointerScope scope = new PointerScope()) {
          encodeAndStore(chunk.stream().map(Todo::sample).toList(), e.getKey(), chunk.stream().map(Todo::key).toList(), codec);
        }
        done += chunk.size();
      }
    }
    progress.update("latents", total, total);
  }

  // ---- helpers

  private static Tensor stack(Host[] hosts) {
    long[] shape = hosts[0].shape();
    int len = hosts[0].data().length;
    float[] all = new float[hosts.length * len];
    for (int k = 0; k < hosts.length; k++) {
      if (hosts[k].data().length != len) throw new IllegalStateException("cached latents of one batch differ in shape");
      System.arraycopy(hosts[k].data(), 0, all, k * len, len);
    }
    long[] full = new long[shape.length + 1];
    full[0] = hosts.length;
    System.arraycopy(shape, 0, full, 1, shape.length);
    return Tensors.fromFloats(all, full);
  }

  @FunctionalInterface
  private interface Task {
    void run(int k) throws DataException;
  }

  private void parallel(int n, Task task) throws DataException {
    if (n == 1) {
      task.run(0);
      return;
    }
    try {
      pool.submit(() -> IntStream.range(0, n).parallel().forEach(k -> {
        try {
          task.run(k);
        } catch (DataException e) {
          throw new UncheckedIOException(e);
        }
      })).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while decoding images", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof UncheckedIOException u && u.getCause() instanceof DataException d) throw d;
      if (c instanceof RuntimeException r) throw r;
      throw new IllegalStateException(c);
    }
  }

  /** Saves the content-hash memo and stops the decode threads. */
  @Override
  public void close() {
    pool.shutdown();
    try {
      hashes.save();
    } catch (IOException e) {
      // only a shortcut for the next run
    }
  }
}
