package dev.lathe.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deterministic batch order. Each dataset is a stream of epochs; an epoch visits every draw item of the dataset
 * once (image × resolution × flip), shuffled, grouped by bucket, cut into batches, and the batches shuffled. The
 * layout of epoch e is a pure function of (seed, dataset, e), so a stream's position is just (epoch, cursor).
 * Two mixers (training, regularization) pick the next dataset with probability proportional to its weight;
 * their generator states are single longs. Everything saves into a {@link SamplerState}.
 */
final class Sampler {
  private static final long LAYOUT = 0x4C41594F5554L;   // salts keep the hash families apart
  private static final long MAIN = 0x4D41494EL;
  private static final long REG = 0x524547L;

  /** One dataset's draw list: the bucket of each item, in the fixed item order. */
  static final class Stream {
    final int dataset;
    final String folder;
    final double weight;
    final boolean regularization;
    final List<Bucket> buckets;
    final String fingerprint;
    int epoch;
    int cursor;
    private List<int[]> layout;

    Stream(int dataset, String folder, double weight, boolean regularization, List<Bucket> buckets, String fingerprint) {
      this.dataset = dataset;
      this.folder = folder;
      this.weight = weight;
      this.regularization = regularization;
      this.buckets = List.copyOf(buckets);
      this.fingerprint = fingerprint;
    }
  }

  /** A drawn batch: item indices into the stream's draw list, and where it sits in the epoch. */
  record Draw(Stream stream, int epoch, int index, int[] items) {}

  private long seed;
  private final int batchSize;
  private final List<Stream> streams;
  private SplitMix64 main;
  private SplitMix64 reg;

  Sampler(long seed, int batchSize, List<Stream> streams) {
    this.seed = seed;
    this.batchSize = batchSize;
    this.streams = List.copyOf(streams);
    this.main = new SplitMix64(SplitMix64.mix(seed, MAIN));
    this.reg = new SplitMix64(SplitMix64.mix(seed, REG));
  }

  long seed() {
    return seed;
  }

  boolean has(boolean regularization) {
    return streams.stream().anyMatch(s -> s.regularization == regularization);
  }

  /** The next batch of the training stream, or of the regularization stream. */
  Draw next(boolean regularization) {
    Stream s = pick(regularization ? reg : main, regularization);
    List<int[]> layout = layout(s);
    if (s.cursor >= layout.size()) {
      s.epoch++;
      s.cursor = 0;
      s.layout = null;
      layout = layout(s);
    }
    int index = s.cursor++;
    return new Draw(s, s.epoch, index, layout.get(index));
  }

  Stream stream(int dataset) {
    for (Stream s : streams) if (s.dataset == dataset) return s;
    throw new IllegalArgumentException("no dataset " + dataset);
  }

  /** Batches in one epoch of a stream. */
  int batchesPerEpoch(Stream s) {
    return layout(s).size();
  }

  private Stream pick(SplitMix64 rng, boolean regularization) {
    List<Stream> pool = streams.stream().filter(s -> s.regularization == regularization).toList();
    if (pool.isEmpty()) throw new IllegalStateException(regularization ? "no regularization dataset" : "no training dataset");
    if (pool.size() == 1) return pool.get(0);   // one dataset: the mixer is not consulted, as nothing is chosen
    double total = pool.stream().mapToDouble(s -> s.weight).sum();
    double u = rng.nextDouble() * total;
    for (Stream s : pool) {
      u -= s.weight;
      if (u < 0) return s;
    }
    return pool.get(pool.size() - 1);
  }

  private List<int[]> layout(Stream s) {
    if (s.layout == null) s.layout = layout(seed, s, batchSize);
    return s.layout;
  }

  /** Epoch {@code s.epoch}: shuffle the items, group by bucket in shuffled order, cut batches, shuffle those. */
  static List<int[]> layout(long seed, Stream s, int batchSize) {
    int n = s.buckets.size();
    SplitMix64 rng = new SplitMix64(SplitMix64.mix(seed, LAYOUT, s.dataset, s.epoch));
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    Map<Bucket, List<Integer>> groups = new LinkedHashMap<>();
    for (int i : perm) groups.computeIfAbsent(s.buckets.get(i), b -> new ArrayList<>()).add(i);
    List<int[]> batches = new ArrayList<>();
    for (List<Integer> g : groups.values()) {
      for (int from = 0; from < g.size(); from += batchSize) {
        batches.add(g.subList(from, Math.min(g.size(), from + batchSize)).stream().mapToInt(Integer::intValue).toArray());
      }
    }
    for (int i = batches.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int[] t = batches.get(i);
      batches.set(i, batches.get(j));
      batches.set(j, t);
    }
    return batches;
  }

  SamplerState state() {
    List<SamplerState.Stream> out = new ArrayList<>();
    for (Stream s : streams) out.add(new SamplerState.Stream(s.folder, s.fingerprint, s.epoch, s.cursor));
    return new SamplerState(SamplerState.VERSION, seed, main.state(), reg.state(), out);
  }

  /**
   * Adopts {@code state}. Streams are matched by folder; a stream whose fingerprint differs (the folder changed)
   * keeps its epoch number but restarts that epoch, and one missing from the state starts fresh.
   *
   * @return what could not be restored exactly, one line each; empty when the resume is exact
   */
  List<String> restore(SamplerState state) {
    List<String> notes = new ArrayList<>();
    seed = state.seed();
    main = new SplitMix64(state.main());
    reg = new SplitMix64(state.regularization());
    Map<String, SamplerState.Stream> byFolder = new LinkedHashMap<>();
    for (SamplerState.Stream s : state.streams()) byFolder.put(s.folder(), s);
    for (Stream s : streams) {
      SamplerState.Stream saved = byFolder.remove(s.folder);
      s.layout = null;
      if (saved == null) {
        s.epoch = 0;
        s.cursor = 0;
        notes.add(s.folder + ": not in the saved state (a dataset added since); it starts at epoch 0");
      } else if (!saved.fingerprint().equals(s.fingerprint)) {
        s.epoch = saved.epoch();
        s.cursor = 0;
        notes.add(s.folder + ": files, sizes or settings changed since the state was saved; epoch " + saved.epoch() + " restarts in a new order");
      } else {
        s.epoch = saved.epoch();
        s.cursor = saved.cursor();
        if (s.cursor > batchesPerEpoch(s)) s.cursor = batchesPerEpoch(s);
      }
    }
    for (String gone : byFolder.keySet()) notes.add(gone + ": in the saved state but no longer a dataset of this run");
    return notes;
  }
}
