package dev.lathe.run;

import dev.lathe.adapters.AdapterSet;
import dev.lathe.config.Sample;
import dev.lathe.config.SamplePrompt;
import dev.lathe.data.Captions;
import dev.lathe.jobs.JobFolder;
import dev.lathe.models.ModelFamily;
import dev.lathe.models.SamplingDefaults;
import dev.lathe.sample.Png;
import dev.lathe.sample.TextToImage;
import dev.lathe.train.TrainListener;
import dev.lathe.train.TrainLoop;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Renders the SAMPLE panel's prompts with the weights being trained: the user's adapters at each prompt's LoRA
 * scale, a merged training adapter cancelled (so previews show what the base model plus the LoRA will do at
 * inference), seeds fixed or walking, images written as {@code samples/<step:9>_<prompt>.png}.
 */
final class Previewer implements TrainLoop.Previews {
  private final ModelFamily family;
  private final ModelFamily.LoadedModel model;
  private final AdapterSet user;
  private final AdapterSet trainingAdapter;   // null when none
  private final Sample sample;
  private final String trigger;
  private final JobFolder job;
  private final TrainListener events;

  Previewer(ModelFamily family, ModelFamily.LoadedModel model, AdapterSet user, AdapterSet trainingAdapter, Sample sample,
      String trigger, JobFolder job, TrainListener events) {
    this.family = family;
    this.model = model;
    this.user = user;
    this.trainingAdapter = trainingAdapter;
    this.sample = sample;
    this.trigger = trigger;
    this.job = job;
    this.events = events;
  }

  @Override
  public void render(long step) throws IOException {
    List<SamplePrompt> prompts = sample.prompts();
    if (prompts.isEmpty()) return;
    if (trainingAdapter != null) trainingAdapter.setCancelled(true);
    try {
      for (int i = 0; i < prompts.size(); i++) {
        SamplePrompt p = prompts.get(i);
        events.phase("sampling " + (i + 1) + "/" + prompts.size());
        long seed = p.seed() != null ? p.seed() : sample.seed() + (sample.walkSeed() ? i : 0);
        int w = snap(p.width() != null ? p.width() : sample.width());
        int h = snap(p.height() != null ? p.height() : sample.height());
        String negative = p.negativePrompt() != null ? p.negativePrompt() : sample.negativePrompt();
        SamplingDefaults how = new SamplingDefaults(sample.steps(), sample.guidanceScale(), family.scheduleShift());
        // sample prompts get the trigger substituted but never prepended (reference behaviour)
        TextToImage.Request req = new TextToImage.Request(Captions.replacePlaceholders(p.prompt(), trigger), negative, w, h, how, seed);
        user.setMultiplier(p.loraScale());
        try {
          Path out = job.samplePath(step, i);
          Png.write(out, TextToImage.render(family, model, req, TextToImage.Progress.NONE));
          events.sample(step, i, out);
        } finally {
          user.setMultiplier(1.0);
        }
      }
    } finally {
      if (trainingAdapter != null) trainingAdapter.setCancelled(false);
    }
  }

  private int snap(int px) {
    int d = family.bucketDivisor();
    return Math.max(d, px / d * d);
  }
}
