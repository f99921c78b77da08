package dev.lathe.run;

import dev.lathe.data.SamplerState;
import dev.lathe.data.TrainingData;
import dev.lathe.models.LatentCodec;
import dev.lathe.models.TextEncoder;
import dev.lathe.train.Batch;
import dev.lathe.train.BatchSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * The trainer's view of the datasets: each micro-batch comes with its latents (through the latent cache when on)
 * and text embeddings (through the text cache when on). With regularization datasets, every other micro-batch is
 * drawn from them, as the reference tool alternates; with differential output preservation, each item also gets
 * its class prompt (trigger → preservation class). With a fixed prompt (unload_text_encoder) no caption is encoded:
 * every item is conditioned on the one embedding of the trigger word, encoded before the text encoder was freed.
 */
final class DataFeed implements BatchSource {
  private final TrainingData data;
  private final LatentCodec codec;
  private final TextEncoder text;
  private final String preservationClass;   // null when DOP is off
  private long drawn;                         // micro-batches handed out (decides the regularization turns)
  private Tensor blank;                       // the empty prompt's embedding, null when not needed
  private Tensor fixed;                       // unload_text_encoder: the trigger's embedding, null otherwise
  private Tensor fixedClass;                  // ... and the preservation class's (DOP), null when DOP is off

  DataFeed(TrainingData data, LatentCodec codec, TextEncoder text, String preservationClass) {
    this.data = data;
    this.codec = codec;
    this.text = text;
    this.preservationClass = preservationClass;
  }

  /** Offers the empty prompt's embedding [S, D] (blank-prompt preservation, dropped captions under a fixed prompt). */
  DataFeed withBlank(Tensor blank) {
    this.blank = blank;
    return this;
  }

  /**
   * Conditions every item on fixed embeddings instead of its caption (unload_text_encoder): training items on
   * {@code prompt}, items whose caption dropout fired and regularization items on the blank prompt (so they stay
   * generic), DOP's preservation pass on {@code classPrompt}. Needs {@link #withBlank} first; the text encoder is
   * never called afterwards.
   */
  DataFeed withFixedPrompt(Tensor prompt, Tensor classPrompt) {
    if (blank == null) throw new IllegalStateException("a fixed prompt needs the blank prompt's embedding first");
    if (preservationClass != null && classPrompt == null) throw new IllegalStateException("DOP is on: the class prompt's embedding is needed");
    this.fixed = prompt;
    this.fixedClass = classPrompt;
    return this;
  }

  @Override
  public Tensor blankText() {
    return blank;
  }

  @Override
  public Batch next() {
    boolean reg = data.hasRegularization() && drawn % 2 == 1;
    drawn++;
    dev.lathe.data.Batch b = reg ? data.nextRegularization() : data.next();
    try {
      Tensor latents = data.latents(b, codec);
      if (fixed != null) {
        List<Tensor> emb = new ArrayList<>();
        List<Tensor> pres = fixedClass != null && !b.regularization() ? new ArrayList<>() : null;
        for (dev.lathe.data.Sample s : b.samples()) {
          boolean generic = b.regularization() || s.captionDropped();
          emb.add(generic ? blank : fixed);
          if (pres != null) pres.add(generic ? blank : fixedClass);
        }
        return new Batch(latents, emb, pres, null);
      }
      List<Tensor> emb = data.embeddings(b, text);
      List<Tensor> pres = null;
      if (preservationClass != null && !b.regularization()) {
        List<String> prompts = new ArrayList<>();
        for (dev.lathe.data.Sample s : b.samples()) prompts.add(s.preservationPrompt(preservationClass));
        pres = data.embeddings(prompts, text);
      }
      return new Batch(latents, emb, pres, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String state() {
    return drawn + "|" + data.state().toJson();
  }

  @Override
  public void restore(String state) {
    int bar = state.indexOf('|');
    drawn = Long.parseLong(state.substring(0, bar));
    try {
      List<String> notes = data.restore(SamplerState.fromJson(state.substring(bar + 1)));
      this.notes.addAll(notes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What restoring noticed (a dataset folder changed since the checkpoint), for the log. */
  final List<String> notes = new ArrayList<>();

  @Override
  public long size() {
    long n = 0;
    for (int i = 0; i < data.reports().size(); i++) n += data.items(i);
    return n;
  }

  int epoch() {
    SamplerState s = data.state();
    return s.streams().isEmpty() ? 0 : s.streams().get(0).epoch();
  }
}
